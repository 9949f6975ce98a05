import test from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { caseStudy, stakeWeights, selectionProbabilities, verificationProbability, consensusProbability, weightUnits, type StakeRecord } from '../../src/stake/weight.js';
import { fromNumber, toNumber, rational, ratioToNumber } from '../../src/stake/rational.js';
import { StakeError } from '../../src/stake/errors.js';

const node = (id: string, stake: number, lock: number, coefficient = 1): StakeRecord => ({ id, stake, lock, coefficient });

test('case study: the article\'s digits V_1 = 66.67, P_1 = 0.1, P_1v = 0.81', () => {
  const study = caseStudy();
  assert.equal(toNumber(study.weight).toFixed(2), '66.67');
  assert.deepEqual(study.weight, rational(200n, 3n)); // 66.666... exactly
  assert.deepEqual(study.selectionProbability, rational(1n, 10n));
  assert.deepEqual(study.verificationProbability, rational(81n, 100n));
  assert.equal(toNumber(study.verificationProbability), 0.81);
  // The formula as written gives 100 * (1 - 60/90) = 33.33: the article's slip, reported beside it.
  assert.deepEqual(study.weightByFormula, rational(100n, 3n));
});

test('product form: V = S * C * (1 - L/T), clamped at 0 from L >= T', () => {
  const weights = stakeWeights([node('a', 100, 60), node('b', 10, 0, 2.5), node('c', 5, 90), node('d', 5, 200)], { maxLock: 90, form: 'product' });
  assert.deepEqual(weights, [rational(100n, 3n), rational(25n), rational(0n), rational(0n)]);
});

test('normalized form: V = (S / S_total) * (1 - L/T), coefficient ignored', () => {
  const weights = stakeWeights([node('a', 30, 45, 7), node('b', 10, 0)], { maxLock: 90, form: 'normalized' });
  assert.deepEqual(weights, [rational(3n, 8n), rational(1n, 4n)]);
});

test('selection, verification and consensus probabilities', () => {
  const p = selectionProbabilities([rational(1n), rational(3n)]);
  assert.deepEqual(p, [rational(1n, 4n), rational(3n, 4n)]);
  assert.deepEqual(verificationProbability(p[0]!, 3), rational(27n, 64n));
  assert.deepEqual(consensusProbability(rational(27n, 64n), rational(1n, 2n), 2), rational(27n, 256n));
  assert.throws(() => selectionProbabilities([rational(0n), rational(0n)]), (e: unknown) => e instanceof StakeError && e.code === 'ALL_WEIGHTS_ZERO');
});

test('negative or non-finite inputs are typed errors naming the field', () => {
  const params = { maxLock: 90, form: 'product' } as const;
  const cases: [StakeRecord[], typeof params | { maxLock: number; form: 'product' }, string][] = [
    [[node('a', -1, 0)], params, 'nodes[0].stake'],
    [[node('a', 1, -1)], params, 'nodes[0].lock'],
    [[node('a', 1, 0, -2)], params, 'nodes[0].coefficient'],
    [[node('a', 1, 0)], { maxLock: -90, form: 'product' }, 'T'],
    [[node('a', 1, 0)], { maxLock: 0, form: 'product' }, 'T'],
    [[node('a', Number.NaN, 0)], params, 'nodes[0].stake'],
  ];
  for (const [records, p, field] of cases) {
    assert.throws(() => stakeWeights(records, p), (e: unknown) => e instanceof StakeError && e.field === field && e.message.includes(field));
  }
});

test('fromNumber is exact and ratioToNumber round-trips every double', () => {
  fc.assert(
    fc.property(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e300, max: 1e300 }), (x) => {
      const r = fromNumber(x);
      assert.equal(ratioToNumber(r.num, r.den), x === 0 ? 0 : x);
    }),
    { numRuns: 2000 },
  );
  assert.deepEqual(fromNumber(0.1), rational(3602879701896397n, 2n ** 55n));
});

test('weight units are integers exactly proportional to the weights', () => {
  fc.assert(
    fc.property(fc.array(fc.record({ stake: fc.double({ min: 0, max: 1e6, noNaN: true }), lock: fc.double({ min: 0, max: 100, noNaN: true }) }), { minLength: 1, maxLength: 12 }), (rows) => {
      const weights = stakeWeights(rows.map((r, i) => node(`n${i}`, r.stake, r.lock)), { maxLock: 90, form: 'product' });
      const units = weightUnits(weights);
      // Proportional: units_i * V_j == units_j * V_i as exact rationals (cross-multiplied).
      for (let i = 0; i < weights.length; i++) {
        for (let j = 0; j < weights.length; j++) {
          assert.equal(units[i]! * weights[j]!.num * weights[i]!.den, units[j]! * weights[i]!.num * weights[j]!.den);
        }
        assert.equal(units[i]! === 0n, weights[i]!.num === 0n);
      }
    }),
    { numRuns: 300 },
  );
  assert.deepEqual(weightUnits([rational(200n, 3n), rational(100n, 3n), rational(0n)]), [2n, 1n, 0n]);
});
