import test from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { analyzeCommittee, recommendK, type AnalyzedValidator, type RiskPoint } from '../../src/stake/analysis.js';
import { drawSetDistribution, exactInclusion } from '../../src/stake/exact.js';
import { hypergeometricTail } from '../../src/stake/hypergeometric.js';
import { wilsonInterval, exactEstimate, runMonteCarlo } from '../../src/stake/montecarlo.js';
import { CommitteeSampler } from '../../src/stake/sampler.js';

// ---- independent references, computed here and not by the code under test -----------------

function choose(n: number, k: number): bigint {
  if (k < 0 || k > n) return 0n;
  let r = 1n;
  for (let i = 0; i < k; i++) r = (r * BigInt(n - i)) / BigInt(i + 1);
  return r;
}

/** P(X >= atLeast), X hypergeometric, as an exact bigint ratio converted once. */
function exactHypergeometricTail(population: number, successes: number, draws: number, atLeast: number): number {
  let num = 0n;
  for (let j = Math.max(atLeast, 0); j <= Math.min(successes, draws); j++) num += choose(successes, j) * choose(population - successes, draws - j);
  const den = choose(population, draws);
  // Scale so the integer quotient has about 80 bits, then scale back: exact to double precision.
  const shift = BigInt(Math.max(0, den.toString(2).length - num.toString(2).length + 80));
  return Number((num << shift) / den) / 2 ** Number(shift);
}

/** Every draw sequence of length k with its probability: brute force for tiny sets. */
function bruteForce(weights: readonly number[], k: number): { set: number[]; p: number }[] {
  const out: { set: number[]; p: number }[] = [];
  const walk = (drawn: number[], p: number) => {
    if (drawn.length === k) return void out.push({ set: drawn, p });
    const rest = weights.reduce((s, w, i) => (drawn.includes(i) ? s : s + w), 0);
    weights.forEach((w, i) => {
      if (!drawn.includes(i) && w > 0) walk([...drawn, i], (p * w) / rest);
    });
  };
  walk([], 1);
  return out;
}

const byzantineAtLeast = (weights: readonly number[], byz: readonly boolean[], set: readonly number[], num: number, den: number) => {
  const total = set.reduce((s, i) => s + weights[i]!, 0);
  const bad = set.reduce((s, i) => s + (byz[i] ? weights[i]! : 0), 0);
  return den * bad >= num * total;
};

// ---- tests ------------------------------------------------------------------------------------

test('exact enumeration matches brute force over all draw sequences', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 6 }), fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }), fc.nat(), (weights, byz, kSeed) => {
      const k = 1 + (kSeed % weights.length);
      const validators: AnalyzedValidator[] = weights.map((w, i) => ({ id: `n${i}`, weight: BigInt(w), byzantine: byz[i]! }));
      const analysis = analyzeCommittee(validators, k, { trials: 1, monteCarloSeed: 0 });
      assert.equal(analysis.method, 'exact');
      const sequences = bruteForce(weights, k);
      weights.forEach((_, i) => {
        const expected = sequences.filter((s) => s.set.includes(i)).reduce((a, s) => a + s.p, 0);
        assert.ok(Math.abs(analysis.inclusion.get(`n${i}`)!.value - expected) < 1e-12);
      });
      const oneThird = sequences.filter((s) => byzantineAtLeast(weights, byz, s.set, 1, 3)).reduce((a, s) => a + s.p, 0);
      const twoThirds = sequences.filter((s) => byzantineAtLeast(weights, byz, s.set, 2, 3)).reduce((a, s) => a + s.p, 0);
      assert.ok(Math.abs(analysis.risk[k - 1]!.atLeastOneThird.value - oneThird) < 1e-12);
      assert.ok(Math.abs(analysis.risk[k - 1]!.atLeastTwoThirds.value - twoThirds) < 1e-12);
    }),
    { numRuns: 200 },
  );
});

test('"at least 1/3" includes equality: 1 of 3 equal members is already at risk', () => {
  const validators = ['a', 'b', 'c'].map((id) => ({ id, weight: 7n, byzantine: id === 'a' }));
  const risk = analyzeCommittee(validators, 3, { trials: 1, monteCarloSeed: 0 }).risk;
  assert.equal(risk[2]!.atLeastOneThird.value, 1); // exactly 1/3
  assert.equal(risk[2]!.atLeastTwoThirds.value, 0);
  assert.ok(Math.abs(risk[0]!.atLeastOneThird.value - 1 / 3) < 1e-15);
  assert.ok(Math.abs(risk[0]!.atLeastTwoThirds.value - 1 / 3) < 1e-15);
});

test('equal stakes: risk equals an independently computed hypergeometric, for every K', () => {
  const n = 60;
  const b = 15;
  const validators = Array.from({ length: n }, (_, i) => ({ id: `v${i}`, weight: 5n, byzantine: i < b }));
  const analysis = analyzeCommittee(validators, 10, { trials: 1, monteCarloSeed: 0 });
  assert.equal(analysis.method, 'hypergeometric');
  assert.equal(analysis.risk.length, n);
  for (const point of analysis.risk) {
    const one = exactHypergeometricTail(n, b, point.k, Math.ceil(point.k / 3));
    const two = exactHypergeometricTail(n, b, point.k, Math.ceil((2 * point.k) / 3));
    assert.ok(Math.abs(point.atLeastOneThird.value - one) <= 1e-12 * Math.max(one, 1e-300) + 1e-300, `k=${point.k}: ${point.atLeastOneThird.value} vs ${one}`);
    assert.ok(Math.abs(point.atLeastTwoThirds.value - two) <= 1e-12 * Math.max(two, 1e-300) + 1e-300, `k=${point.k}`);
  }
  for (const v of validators) assert.equal(analysis.inclusion.get(v.id)!.value, 10 / n);
});

test('hypergeometric tail in log space agrees with bigint binomials on deep tails', () => {
  for (const [n, b, k] of [[300, 100, 120], [1000, 250, 400], [90, 30, 45]] as const) {
    const at = Math.ceil(k / 3);
    const exact = exactHypergeometricTail(n, b, k, at);
    assert.ok(Math.abs(hypergeometricTail(n, b, k, at) - exact) <= 1e-10 * exact, `${n},${b},${k}`);
  }
});

test('exact enumeration of up to 20 nodes agrees with the hypergeometric on equal stakes', () => {
  const weights = Array.from({ length: 14 }, () => 3n);
  const dist = drawSetDistribution(weights);
  assert.ok(exactInclusion(dist, 5).every((p) => Math.abs(p - 5 / 14) < 1e-12));
  const validators = weights.map((weight, i) => ({ id: `v${i}`, weight, byzantine: i < 4 }));
  const risk = analyzeCommittee(validators, 5, { trials: 1, monteCarloSeed: 0 }).risk;
  for (const p of risk) assert.ok(Math.abs(p.atLeastOneThird.value - exactHypergeometricTail(14, 4, p.k, Math.ceil(p.k / 3))) < 1e-12);
});

test('Monte Carlo over the real sampler brackets the exact figures (unequal stakes, N > 20)', () => {
  // 24 unequal nodes: too many to enumerate, so the tool uses Monte Carlo. Check what is known
  // exactly: inclusion sums to K in every trial, and at K = N the committee is everyone.
  const validators = Array.from({ length: 24 }, (_, i) => ({ id: `v${String(i).padStart(2, '0')}`, weight: BigInt(1 + (i % 5)), byzantine: i % 4 === 0 }));
  const analysis = analyzeCommittee(validators, 6, { trials: 3000, kMax: 24, monteCarloSeed: 7 });
  assert.equal(analysis.method, 'monte-carlo');
  const sum = [...analysis.inclusion.values()].reduce((a, e) => a + e.value, 0);
  assert.ok(Math.abs(sum - 6) < 1e-9, 'each trial includes exactly K members');
  const total = validators.reduce((s, v) => s + v.weight, 0n);
  const bad = validators.reduce((s, v) => s + (v.byzantine ? v.weight : 0n), 0n);
  assert.equal(analysis.risk[23]!.atLeastOneThird.value, 3n * bad >= total ? 1 : 0);
  for (const e of analysis.inclusion.values()) assert.ok(e.low <= e.value && e.value <= e.high);
  // Deterministic: the same Monte Carlo seed gives the same report.
  assert.deepEqual(analyzeCommittee(validators, 6, { trials: 300, kMax: 24, monteCarloSeed: 7 }), analyzeCommittee(validators, 6, { trials: 300, kMax: 24, monteCarloSeed: 7 }));
});

test('Monte Carlo over the real sampler agrees with exact enumeration (5 sigma), every K', () => {
  const validators = Array.from({ length: 12 }, (_, i) => ({ id: `v${String(i).padStart(2, '0')}`, weight: BigInt(1 + ((i * 7) % 11)), byzantine: i % 3 === 0 }));
  const exact = analyzeCommittee(validators, 5, { trials: 1, monteCarloSeed: 0 });
  const sampler = new CommitteeSampler(validators);
  const byzantine = sampler.ids.map((id) => validators.find((v) => v.id === id)!.byzantine);
  const trials = 4000;
  const counts = runMonteCarlo(sampler, byzantine, 12, 5, trials, 3);
  const near = (hits: number, p: number, what: string) => {
    const sigma = Math.sqrt((p * (1 - p)) / trials);
    assert.ok(Math.abs(hits / trials - p) <= 5 * sigma + 1e-12, `${what}: ${hits / trials} vs exact ${p}`);
  };
  sampler.ids.forEach((id, i) => near(counts.inclusion[i]!, exact.inclusion.get(id)!.value, `inclusion ${id}`));
  for (const point of exact.risk) {
    near(counts.atLeastOneThird[point.k]!, point.atLeastOneThird.value, `>= 1/3 at K=${point.k}`);
    near(counts.atLeastTwoThirds[point.k]!, point.atLeastTwoThirds.value, `>= 2/3 at K=${point.k}`);
  }
});

test('zero-weight nodes do not count toward the enumeration limit and are reported at 0', () => {
  const validators = Array.from({ length: 30 }, (_, i) => ({ id: `v${i}`, weight: i < 10 ? BigInt(i + 1) : 0n, byzantine: false }));
  const analysis = analyzeCommittee(validators, 3, { trials: 1, monteCarloSeed: 0 });
  assert.equal(analysis.method, 'exact');
  assert.equal(analysis.inclusion.get('v29')!.value, 0);
  assert.equal(analysis.risk.length, 10);
});

const point = (k: number, value: number, high = value): RiskPoint => ({ k, atLeastOneThird: { value, low: value, high }, atLeastTwoThirds: exactEstimate(0) });

test('recommendK: smallest K below the target, or the best reachable', () => {
  const curve = [point(1, 0.3), point(2, 1e-3), point(3, 5e-10), point(4, 2e-9), point(5, 1e-12)];
  assert.deepEqual(recommendK(curve, 1e-9), { k: 3, risk: curve[2]!.atLeastOneThird, reachesTarget: true });
  assert.deepEqual(recommendK(curve, 1e-15), { k: 5, risk: curve[4]!.atLeastOneThird, reachesTarget: false });
  // Monte Carlo: only the upper confidence bound may certify the target.
  const mc = [point(1, 0, 4e-4), point(2, 0, 3e-4)];
  assert.equal(recommendK(mc, 1e-9).reachesTarget, false);
  assert.equal(recommendK(mc, 1e-9).k, 2);
});

test('Wilson interval: contains the estimate, 0 hits gives [0, ~3.84/T]', () => {
  const zero = wilsonInterval(0, 10_000);
  assert.equal(zero.low, 0);
  assert.ok(Math.abs(zero.high - 3.84 / 10_000) < 2e-6);
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 100_000 }), fc.nat(), (trials, raw) => {
      const hits = raw % (trials + 1);
      const e = wilsonInterval(hits, trials);
      assert.ok(e.low <= e.value + 1e-15 && e.value <= e.high + 1e-15 && e.low >= 0 && e.high <= 1);
    }),
  );
});
