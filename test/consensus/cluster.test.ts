import test from 'node:test';
import assert from 'node:assert/strict';
import { toHex } from '../../src/crypto/bytes.js';
import { isQuorum } from '../../src/stake/quorum.js';
import { Cluster } from './harness.js';
import type { Superblock } from '../../src/consensus/types.js';

function assertAgreement(cluster: Cluster, heights: number, honest: readonly number[]): void {
  for (let h = 0; h < heights; h++) {
    const digests = honest.map((i) => toHex(cluster.delivered[i]![h]!.digest));
    assert.equal(new Set(digests).size, 1, `height ${h + 1}: honest members delivered different superblocks`);
    assert.equal(cluster.delivered[honest[0]!]![h]!.height, h + 1);
  }
}

function includedWeight(cluster: Cluster, sb: Superblock): bigint {
  return sb.batches.reduce((sum, b) => sum + cluster.committee.members[b.proposer]!.weight, 0n);
}

test('N=4 equal weights: every member delivers the same superblocks with every batch', () => {
  for (const seed of [1, 2, 3]) {
    const cluster = new Cluster([1n, 1n, 1n, 1n], { seed });
    assert.ok(cluster.runUntil(3), `seed ${seed}: not all heights delivered`);
    assertAgreement(cluster, 3, [0, 1, 2, 3]);
    const sb = cluster.delivered[0]![0]!;
    assert.deepEqual(sb.batches.map((b) => b.proposer), [0, 1, 2, 3]);
    // Each member's own tx plus one shared tx, deduplicated: 4 + 1.
    assert.equal(sb.transactions.length, 5);
    assert.equal(sb.timestampMs, 1001); // weighted median of 1000..1003
  }
});

test('N=7 unequal weights with a silent member under 1/3: honest members agree for several heights', () => {
  const weights = [10n, 20n, 5n, 30n, 7n, 13n, 15n]; // total 100; member 3 (30) is silent
  for (const seed of [11, 12, 13, 14]) {
    const cluster = new Cluster(weights, { seed, silent: [3], earlyTimerChance: 0.02 });
    assert.ok(cluster.runUntil(4), `seed ${seed}: honest members did not deliver 4 heights`);
    const honest = [0, 1, 2, 4, 5, 6];
    assertAgreement(cluster, 4, honest);
    for (const sb of cluster.delivered[0]!) {
      assert.ok(isQuorum(includedWeight(cluster, sb), cluster.committee.totalWeight), 'included batches must hold a quorum');
      assert.ok(!sb.batches.some((b) => b.proposer === 3), 'a silent member has no batch to include');
    }
    for (const i of honest) assert.equal(cluster.evidence[i]!.length, 0, 'honest members produce no evidence');
  }
});

test('N=7 equal weights, two silent members (2/7 < 1/3): still live and in agreement', () => {
  const cluster = new Cluster([1n, 1n, 1n, 1n, 1n, 1n, 1n], { seed: 5, silent: [0, 4] });
  assert.ok(cluster.runUntil(3));
  assertAgreement(cluster, 3, [1, 2, 3, 5, 6]);
});

test('asynchronous schedules: timers fire early at random, decisions still agree', () => {
  for (const seed of [21, 22, 23, 24, 25]) {
    const cluster = new Cluster([3n, 1n, 1n, 2n, 1n], { seed, earlyTimerChance: 0.1 });
    assert.ok(cluster.runUntil(3), `seed ${seed}`);
    assertAgreement(cluster, 3, [0, 1, 2, 3, 4]);
  }
});
