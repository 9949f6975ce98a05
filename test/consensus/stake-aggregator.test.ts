import test from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { StakeAggregator } from '../../src/consensus/stake-aggregator.js';
import { weightedMedianTimestamp } from '../../src/consensus/superblock.js';
import type { Committee } from '../../src/consensus/types.js';

function committeeOf(weights: bigint[]): Committee {
  return {
    epoch: 0,
    members: weights.map((weight, index) => ({ index, id: `v${index}`, publicKey: new Uint8Array(32), weight })),
    totalWeight: weights.reduce((a, b) => a + b, 0n),
  };
}

// Naive version: distinct voters by array filtering, thresholds as exact rationals (w/W > 2/3).
function naive(weights: bigint[], votes: number[]): { weight: bigint; quorum: boolean; weak: boolean } {
  const distinct = votes.filter((v, i) => votes.indexOf(v) === i && v < weights.length);
  const weight = distinct.reduce((s, v) => s + weights[v]!, 0n);
  const total = weights.reduce((a, b) => a + b, 0n);
  return { weight, quorum: weight * 3n > total * 2n, weak: weight * 3n > total };
}

test('stake aggregator equals a naive tally over random committees and repeated votes', () => {
  fc.assert(
    fc.property(
      fc.array(fc.bigInt({ min: 1n, max: 10n ** 18n }), { minLength: 1, maxLength: 40 }),
      fc.array(fc.nat({ max: 45 }), { maxLength: 120 }),
      (weights, votes) => {
        const agg = new StakeAggregator(committeeOf(weights));
        for (const v of votes) agg.add(v);
        const expected = naive(weights, votes);
        assert.equal(agg.weight, expected.weight);
        assert.equal(agg.reachedQuorum, expected.quorum);
        assert.equal(agg.reachedWeak, expected.weak);
      },
    ),
    { numRuns: 20_000 },
  );
});

test('a member counts once and non-members never', () => {
  const agg = new StakeAggregator(committeeOf([5n, 1n]));
  assert.equal(agg.add(0), true);
  assert.equal(agg.add(0), false);
  assert.equal(agg.add(7), false);
  assert.equal(agg.weight, 5n);
});

test('weighted median stays inside the honest range when Byzantine weight < 1/3 of the committee', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.bigInt({ min: 1n, max: 100n }), fc.integer({ min: 0, max: 1e6 }), fc.boolean()), { minLength: 1, maxLength: 20 }), (rows) => {
      const weights = rows.map(([w]) => w);
      const committee = committeeOf(weights);
      const byz = rows.map(([, , b]) => b);
      const byzWeight = rows.reduce((s, [w, , b]) => (b ? s + w : s), 0n);
      if (3n * byzWeight >= committee.totalWeight || byz.every((b) => b)) return;
      const batches = rows.map(([, t], proposer) => ({ proposer, digest: new Uint8Array(32), timestampMs: t, transactions: [] }));
      const median = weightedMedianTimestamp(committee, batches);
      const honest = rows.filter(([, , b]) => !b).map(([, t]) => t);
      assert.ok(median >= Math.min(...honest) && median <= Math.max(...honest), `median ${median} outside honest range`);
    }),
    { numRuns: 5_000 },
  );
});
