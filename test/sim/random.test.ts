import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Rng } from '../../src/sim/random.js';

test('equal seeds give equal streams; different seeds differ', () => {
  const a = new Rng(42);
  const b = new Rng(42);
  const c = new Rng(43);
  const xs = Array.from({ length: 100 }, () => a.nextUint32());
  assert.deepEqual(xs, Array.from({ length: 100 }, () => b.nextUint32()));
  assert.notDeepEqual(xs, Array.from({ length: 100 }, () => c.nextUint32()));
});

test('the stream is pinned: changing the generator would break every recorded replay command', () => {
  const rng = new Rng(1);
  assert.deepEqual(Array.from({ length: 4 }, () => rng.nextUint32()), [2442144158, 3238099751, 3819917871, 2104621829]);
  const wide = new Rng(2 ** 40 + 3);
  assert.deepEqual(Array.from({ length: 3 }, () => wide.int(0, 1000)), [498, 123, 710]);
});

test('int stays in range and covers it', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 2 ** 40 }), fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: 0, max: 50 }), (seed, min, span) => {
      const rng = new Rng(seed);
      for (let i = 0; i < 50; i++) {
        const x = rng.int(min, min + span);
        assert.ok(Number.isInteger(x) && x >= min && x <= min + span);
      }
    }),
  );
  const rng = new Rng(7);
  const seen = new Set(Array.from({ length: 500 }, () => rng.int(0, 9)));
  assert.equal(seen.size, 10);
});

test('float is in [0, 1) and roughly uniform', () => {
  const rng = new Rng(9);
  let sum = 0;
  for (let i = 0; i < 10_000; i++) {
    const x = rng.float();
    assert.ok(x >= 0 && x < 1);
    sum += x;
  }
  assert.ok(Math.abs(sum / 10_000 - 0.5) < 0.02);
});

test('fork gives independent, reproducible streams', () => {
  const a = new Rng(5).fork('network');
  const b = new Rng(5).fork('network');
  const c = new Rng(5).fork('workload');
  const xa = Array.from({ length: 20 }, () => a.nextUint32());
  assert.deepEqual(xa, Array.from({ length: 20 }, () => b.nextUint32()));
  assert.notDeepEqual(xa, Array.from({ length: 20 }, () => c.nextUint32()));
});

test('shuffle is a permutation; bytes has the asked length', () => {
  const rng = new Rng(3);
  const items = Array.from({ length: 30 }, (_, i) => i);
  assert.deepEqual(rng.shuffle(items).sort((x, y) => x - y), items);
  for (const n of [0, 1, 3, 4, 5, 33]) assert.equal(rng.bytes(n).length, n);
});

test('bad seeds and ranges are refused', () => {
  assert.throws(() => new Rng(-1), RangeError);
  assert.throws(() => new Rng(1.5), RangeError);
  assert.throws(() => new Rng(1).int(5, 4), RangeError);
  assert.throws(() => new Rng(1).pick([]), RangeError);
});
