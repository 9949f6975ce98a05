import test from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isQuorum, isWeakThreshold, maxFaultyWeight, WeightTally } from '../../src/stake/quorum.js';

// Naive versions in a different form: for integer w, w > 2W/3 exactly when w > floor(2W/3).
function naiveQuorum(weight: bigint, total: bigint): boolean {
  return weight > (2n * total) / 3n;
}
function naiveWeak(weight: bigint, total: bigint): boolean {
  return weight > total / 3n;
}

test('quorum and weak threshold agree with naive rational checks', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: 1n, max: 10n ** 30n }), fc.bigInt({ min: 0n, max: 10n ** 30n }), (total, raw) => {
      const weight = raw % (total + 1n);
      assert.equal(isQuorum(weight, total), naiveQuorum(weight, total));
      assert.equal(isWeakThreshold(weight, total), naiveWeak(weight, total));
    }),
    { numRuns: 20_000 },
  );
});

test('two quorums always share more than the faulty weight', () => {
  fc.assert(
    fc.property(fc.array(fc.bigInt({ min: 1n, max: 1000n }), { minLength: 1, maxLength: 20 }), fc.nat(), fc.nat(), (weights, seedA, seedB) => {
      const total = weights.reduce((a, b) => a + b, 0n);
      const pick = (seed: number) => weights.map((_, i) => ((seed >> (i % 30)) & 1) === 1 || i === seed % weights.length);
      const a = pick(seedA);
      const b = pick(seedB);
      const sum = (mask: boolean[]) => weights.reduce((s, w, i) => (mask[i] ? s + w : s), 0n);
      if (!isQuorum(sum(a), total) || !isQuorum(sum(b), total)) return;
      const both = weights.reduce((s, w, i) => (a[i] && b[i] ? s + w : s), 0n);
      assert.ok(both > maxFaultyWeight(total), 'quorum intersection must exceed the faulty weight');
    }),
    { numRuns: 20_000 },
  );
});

test('maxFaultyWeight is the largest F with 3F < W', () => {
  for (let total = 0n; total < 200n; total++) {
    const f = maxFaultyWeight(total);
    if (total > 0n) assert.ok(3n * f < total);
    assert.ok(3n * (f + 1n) >= total);
  }
});

test('WeightTally counts each voter once', () => {
  const tally = new WeightTally<number>();
  assert.equal(tally.add(1, 5n), true);
  assert.equal(tally.add(1, 5n), false);
  assert.equal(tally.add(2, 7n), true);
  assert.equal(tally.weight, 12n);
  assert.equal(tally.size, 2);
});
