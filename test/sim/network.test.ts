import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { drawNetworkProfile, SimNetwork, synchronousProfile, type NetworkProfile } from '../../src/sim/network.js';
import { Rng } from '../../src/sim/random.js';

test('every message arrives by max(sent, GST) + delta, whatever the faults (partial synchrony)', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 1_000_000 }), (seed) => {
      const rng = new Rng(seed);
      const profile = drawNetworkProfile(rng.fork('profile'), 7);
      const net = new SimNetwork(profile, rng.fork('net'));
      for (let i = 0; i < 200; i++) {
        const sent = rng.int(0, profile.gstMs + 2_000);
        for (const at of net.route(rng.int(0, 6), rng.int(0, 6), sent, 100)) {
          assert.ok(at >= sent, 'never before it was sent');
          assert.ok(at <= Math.max(sent, profile.gstMs) + profile.deltaMs, `arrived at ${at}, sent ${sent}, gst ${profile.gstMs}`);
          if (sent >= profile.gstMs) assert.ok(at - sent >= profile.minDelayMs);
        }
      }
    }),
    { numRuns: 200 },
  );
});

test('after GST nothing is lost or duplicated', () => {
  const profile: NetworkProfile = { ...synchronousProfile(10), gstMs: 1000, deltaMs: 50, dropRate: 0.9, duplicateRate: 0.9, retransmitTimeoutMs: 30 };
  const net = new SimNetwork(profile, new Rng(1));
  for (let i = 0; i < 100; i++) assert.equal(net.route(0, 1, 1000 + i, 10).length, 1);
  assert.equal(net.stats.lost + net.stats.duplicated, 0);
});

test('before GST a lossy link retransmits, and a partition holds messages until it heals', () => {
  const lossy: NetworkProfile = { ...synchronousProfile(10), gstMs: 100_000, deltaMs: 50, dropRate: 0.5, retransmitTimeoutMs: 30 };
  const net = new SimNetwork(lossy, new Rng(2));
  for (let i = 0; i < 200; i++) assert.equal(net.route(0, 1, i, 10).length, 1);
  assert.ok(net.stats.lost > 50, `expected losses, saw ${net.stats.lost}`);

  const split: NetworkProfile = { ...synchronousProfile(10), gstMs: 5_000, deltaMs: 50, partitions: [{ fromMs: 0, untilMs: 3_000, groupOf: [0, 0, 1] }] };
  const net2 = new SimNetwork(split, new Rng(3));
  const [across] = net2.route(0, 2, 100, 10);
  const [inside] = net2.route(0, 1, 100, 10);
  assert.ok((across as number) >= 3_000, 'held by the partition');
  assert.ok((inside as number) < 3_000, 'same side passes');
});

test('the synchronous profile delivers in exactly its delay', () => {
  const net = new SimNetwork(synchronousProfile(100), new Rng(4));
  assert.deepEqual(net.route(0, 1, 250, 10), [350]);
});
