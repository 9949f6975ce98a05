import test from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { sampleCommittee, CommitteeSampler, uniformBelow, type WeightedValidator } from '../../src/stake/sampler.js';
import { drawSetDistribution, exactInclusion } from '../../src/stake/exact.js';
import { StakeError } from '../../src/stake/errors.js';

const validatorsArb = fc
  .uniqueArray(fc.string({ minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 25 })
  .chain((ids) => fc.tuple(fc.constant(ids), fc.array(fc.bigInt({ min: 0n, max: 10n ** 20n }), { minLength: ids.length, maxLength: ids.length })))
  .map(([ids, weights]) => ids.map((id, i) => ({ id, weight: i === 0 ? weights[i]! + 1n : weights[i]! })))
  .chain((vs) => fc.tuple(fc.constant(vs), fc.integer({ min: 1, max: vs.filter((v) => v.weight > 0n).length }), fc.uint8Array({ minLength: 32, maxLength: 32 })));

// An independent, naive reading of docs/decisions/0002-committee-sampler.md: linear scans, no
// Fenwick tree, hashing with node:crypto directly. The production sampler must agree with it.
function referenceCommittee(validators: readonly WeightedValidator[], k: number, seed: Uint8Array): string[] {
  let pool = validators.filter((v) => v.weight > 0n).sort((a, b) => Buffer.compare(Buffer.from(a.id, 'utf8'), Buffer.from(b.id, 'utf8')));
  const out: string[] = [];
  for (let draw = 0; draw < k; draw++) {
    const total = pool.reduce((s, v) => s + v.weight, 0n);
    const blocks = Math.ceil((total.toString(2).length + 64) / 256);
    let r = -1n;
    for (let attempt = 0; r < 0n; attempt++) {
      let x = 0n;
      for (let block = 0; block < blocks; block++) {
        const counters = Buffer.alloc(12);
        counters.writeUInt32BE(draw, 0);
        counters.writeUInt32BE(attempt, 4);
        counters.writeUInt32BE(block, 8);
        const digest = createHash('sha256').update('synod/committee-sampler/v1').update(seed).update(counters).digest('hex');
        x = (x << 256n) | BigInt('0x' + digest);
      }
      const space = 1n << BigInt(256 * blocks);
      if (x < space - (space % total)) r = x % total;
    }
    let acc = 0n;
    const chosen = pool.find((v) => (acc += v.weight) > r)!;
    out.push(chosen.id);
    pool = pool.filter((v) => v !== chosen);
  }
  return out;
}

test('sampler: K distinct members, never a zero-weight one, deterministic, equal to the reference', () => {
  fc.assert(
    fc.property(validatorsArb, ([validators, k, seed]) => {
      const committee = sampleCommittee(validators, k, seed);
      assert.equal(committee.length, k);
      assert.equal(new Set(committee).size, k);
      const weightOf = new Map(validators.map((v) => [v.id, v.weight]));
      for (const id of committee) assert.ok(weightOf.get(id)! > 0n, `zero-weight ${id} drawn`);
      assert.deepEqual(sampleCommittee(validators, k, Uint8Array.from(seed)), committee);
      assert.deepEqual(committee, referenceCommittee(validators, k, seed));
    }),
    { numRuns: 300 },
  );
});

test('sampler: input order does not matter, and committee K is a prefix of committee K + 1', () => {
  fc.assert(
    fc.property(validatorsArb, fc.integer(), ([validators, k, seed], rotation) => {
      const shift = Math.abs(rotation) % validators.length;
      const rotated = [...validators.slice(shift), ...validators.slice(0, shift)].reverse();
      assert.deepEqual(sampleCommittee(rotated, k, seed), sampleCommittee(validators, k, seed));
      const positive = validators.filter((v) => v.weight > 0n).length;
      if (k < positive) assert.deepEqual(sampleCommittee(validators, k + 1, seed).slice(0, k), sampleCommittee(validators, k, seed));
    }),
    { numRuns: 200 },
  );
});

test('sampler: a pinned vector (any change here changes every chain\'s committees)', () => {
  const validators = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'].map((id, i) => ({ id, weight: BigInt(i + 1) * 10n ** 18n }));
  const seed = new Uint8Array(32).map((_, i) => i);
  assert.deepEqual(sampleCommittee(validators, 4, seed), referenceCommittee(validators, 4, seed));
  assert.deepEqual(sampleCommittee(validators, 4, seed), PINNED);
});
const PINNED = ['alice', 'dave', 'frank', 'bob'];

test('sampler: inclusion frequencies over many seeds match the exact probabilities (5 sigma)', () => {
  const validators = [5n, 1n, 3n, 8n, 2n, 0n, 13n].map((weight, i) => ({ id: `v${i}`, weight }));
  const k = 3;
  const seeds = 4000;
  const sampler = new CommitteeSampler(validators);
  const exact = exactInclusion(drawSetDistribution(sampler.weights), k);
  const hits = new Array<number>(sampler.size).fill(0);
  for (let s = 0; s < seeds; s++) {
    const seed = createHash('sha256').update(`inclusion-test-${s}`).digest();
    for (const i of sampler.drawIndices(k, seed)) hits[i]!++;
  }
  sampler.ids.forEach((id, i) => {
    // Binomial standard error of a frequency over `seeds` trials; 5 sigma: a false alarm about
    // once in 1.7 million runs per node, yet a sampler off by a few percent fails.
    const sigma = Math.sqrt((exact[i]! * (1 - exact[i]!)) / seeds);
    assert.ok(Math.abs(hits[i]! / seeds - exact[i]!) <= 5 * sigma, `${id}: frequency ${hits[i]! / seeds} vs exact ${exact[i]}`);
  });
  assert.ok(Math.abs(exact.reduce((a, b) => a + b, 0) - k) < 1e-12, 'inclusion probabilities sum to K');
});

test('sampler: uniformBelow stays in range for tiny and huge bounds', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: 1n, max: 1n << 600n }), fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.nat(1000), (bound, seed, draw) => {
      const r = uniformBelow(bound, seed, draw);
      assert.ok(r >= 0n && r < bound);
    }),
    { numRuns: 500 },
  );
});

test('sampler: bad input is a typed error naming the field', () => {
  const vs = [
    { id: 'a', weight: 1n },
    { id: 'b', weight: 0n },
  ];
  const seed = new Uint8Array(32);
  const expect = (fn: () => unknown, code: string) => assert.throws(fn, (e: unknown) => e instanceof StakeError && e.code === code);
  expect(() => sampleCommittee(vs, 2, seed), 'INVALID_K'); // only one positive weight
  expect(() => sampleCommittee(vs, 0, seed), 'INVALID_K');
  expect(() => sampleCommittee(vs, 1.5, seed), 'INVALID_K');
  expect(() => sampleCommittee(vs, 1, new Uint8Array(31)), 'INVALID_SEED');
  expect(() => sampleCommittee([...vs, { id: 'a', weight: 2n }], 1, seed), 'DUPLICATE_ID');
  expect(() => sampleCommittee([{ id: 'a', weight: -1n }], 1, seed), 'INVALID_WEIGHT');
  expect(() => sampleCommittee([{ id: '', weight: 1n }], 1, seed), 'INVALID_ID');
});
