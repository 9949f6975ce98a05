// The seed's stake model (README.md "The seed", "The math model, exactly as written"):
//   form 1, "product":     V_i = S_i * C_i * (1 - L_i / T)
//   form 2, "normalized":  V_i = (S_i / S) * (1 - L_i / T),  S = total tokens
//   P_j  = V_j / sum_i V_i                 selection probability
//   P_jv = (1 - P_j)^K                      the article's "distributed verification" probability
//   P_j(consensus) = P_jv * P_jc^(K-1)
// V_i is clamped at 0 when L_i >= T (the article's formula would go negative). Everything is exact
// rational arithmetic; callers convert to doubles only to print.
import { StakeError } from './errors.js';
import { type Rational, ZERO, ONE, add, sub, mul, div, pow, compare, fromNumber } from './rational.js';

export type WeightForm = 'product' | 'normalized';

export interface StakeRecord {
  readonly id: string;
  /** Tokens S_i. */
  readonly stake: number;
  /** Lock time L_i, in the same unit as T. */
  readonly lock: number;
  /** Coefficient C_i (form 1 only). */
  readonly coefficient: number;
}

export interface WeightParams {
  /** Maximum lock time T (> 0). */
  readonly maxLock: number;
  readonly form: WeightForm;
}

function checkNonNegative(value: number, field: string): Rational {
  if (!Number.isFinite(value) || value < 0) {
    throw new StakeError('INVALID_NUMBER', field, `${field} must be a finite number >= 0 (got ${value}); fix it in the input`);
  }
  return fromNumber(value);
}

function checkParams(params: WeightParams): Rational {
  if (params.form !== 'product' && params.form !== 'normalized') {
    throw new StakeError('INVALID_FORM', 'form', `form must be "product" or "normalized" (got ${JSON.stringify(params.form)})`);
  }
  const t = checkNonNegative(params.maxLock, 'T');
  if (t.num === 0n) throw new StakeError('INVALID_NUMBER', 'T', 'T (maximum lock time) must be > 0; set it to the longest allowed lock');
  return t;
}

/** (1 - L/T) clamped at 0: the article's lock factor, which falls as the lock grows. */
function lockFactor(lock: Rational, maxLock: Rational): Rational {
  const factor = sub(ONE, div(lock, maxLock));
  return compare(factor, ZERO) < 0 ? ZERO : factor;
}

/** Exact weights V_i of every record, in input order. */
export function stakeWeights(records: readonly StakeRecord[], params: WeightParams): Rational[] {
  const maxLock = checkParams(params);
  const parsed = records.map((r, i) => ({
    stake: checkNonNegative(r.stake, `nodes[${i}].stake`),
    lock: checkNonNegative(r.lock, `nodes[${i}].lock`),
    coefficient: checkNonNegative(r.coefficient, `nodes[${i}].coefficient`),
  }));
  return exactStakeWeights(parsed, { maxLock, form: params.form });
}

/** A stake record in exact rationals (the staking contract's values: wei over 10^18, scaled C_i). */
export interface ExactStakeRecord {
  readonly stake: Rational;
  readonly lock: Rational;
  readonly coefficient: Rational;
}

/** The same weights from exact inputs (non-negative; T > 0). */
export function exactStakeWeights(parsed: readonly ExactStakeRecord[], params: { readonly maxLock: Rational; readonly form: WeightForm }): Rational[] {
  const { maxLock } = params;
  if (maxLock.num <= 0n) throw new StakeError('INVALID_NUMBER', 'T', 'T (maximum lock time) must be > 0; set it to the longest allowed lock');
  if (params.form === 'product') {
    return parsed.map((p) => mul(mul(p.stake, p.coefficient), lockFactor(p.lock, maxLock)));
  }
  const totalStake = parsed.reduce((sum, p) => add(sum, p.stake), ZERO);
  if (totalStake.num === 0n) return parsed.map(() => ZERO);
  return parsed.map((p) => mul(div(p.stake, totalStake), lockFactor(p.lock, maxLock)));
}

/** P_j = V_j / sum V for every j; throws if every weight is zero. */
export function selectionProbabilities(weights: readonly Rational[]): Rational[] {
  const total = weights.reduce(add, ZERO);
  if (total.num === 0n) {
    throw new StakeError('ALL_WEIGHTS_ZERO', 'nodes', 'every weight is zero: give at least one node a positive stake and a lock below T');
  }
  return weights.map((w) => div(w, total));
}

/** The article's P_jv = (1 - P_j)^K: the chance that K independent weighted draws all miss j. */
export function verificationProbability(selection: Rational, k: number): Rational {
  return pow(sub(ONE, selection), k);
}

/** The article's P_j(consensus) = P_jv * P_jc^m, m = K - 1 in the general formula. */
export function consensusProbability(verification: Rational, pairProbability: Rational, factors: number): Rational {
  return mul(verification, pow(pairProbability, factors));
}

/**
 * Integer weights exactly proportional to V_i, for the sampler: the weights' common
 * denominator is cleared and the result divided by its gcd, so no rounding happens anywhere and
 * the sampler's probabilities are exactly the model's. (The scale therefore depends on the input;
 * only ratios matter to the sampler.)
 */
export function weightUnits(weights: readonly Rational[]): bigint[] {
  const lcm = weights.reduce((acc, w) => (acc * w.den) / gcdBig(acc, w.den), 1n);
  const units = weights.map((w) => (w.num * lcm) / w.den);
  const g = units.reduce((acc, u) => gcdBig(acc, u), 0n);
  return g <= 1n ? units : units.map((u) => u / g);
}

function gcdBig(a: bigint, b: bigint): bigint {
  let x = a;
  let y = b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

/**
 * The seed's section 4.3, as its inputs: node 1 of 10 equally staked nodes (20 in all), K = 2.
 * The article evaluates the lock factor 1 - 60/90 as 2/3 (it is 1/3): an arithmetic slip that its
 * V_1 = 66.67 rests on. The case study quotes the article's factor to reproduce its digits and
 * reports the formula's own value beside it; everywhere else the formula is applied as written.
 */
export const CASE_STUDY = {
  stake: 100,
  lock: 60,
  coefficient: 1,
  maxLock: 90,
  stakedNodes: 10,
  totalNodes: 20,
  k: 2,
  /** The lock factor as the article prints it ("100 x 2/3 = 66.67"). */
  articleLockFactor: { num: 2n, den: 3n } as Rational,
  /** The article multiplies P_1c over "the other 2 validators" here, not K - 1 = 1. */
  consensusFactors: 2,
} as const;

export interface CaseStudy {
  /** V_1 as the article computes it: 66.67. */
  readonly weight: Rational;
  /** V_1 by the formula as written, 100 x (1 - 60/90) = 33.33. */
  readonly weightByFormula: Rational;
  readonly selectionProbability: Rational;
  readonly verificationProbability: Rational;
}

/** The case study's 20 nodes: the first 10 staked like node 1, the other 10 with no stake. */
export function caseStudyRecords(): StakeRecord[] {
  const c = CASE_STUDY;
  return Array.from({ length: c.totalNodes }, (_, i) => ({ id: `n${i + 1}`, stake: i < c.stakedNodes ? c.stake : 0, lock: c.lock, coefficient: c.coefficient }));
}

/** Recomputes section 4.3 from its inputs with the functions the tool applies to any file. */
export function caseStudy(): CaseStudy {
  const c = CASE_STUDY;
  const byFormula = stakeWeights(caseStudyRecords(), { maxLock: c.maxLock, form: 'product' });
  const articleWeight = mul(mul(fromNumber(c.stake), fromNumber(c.coefficient)), c.articleLockFactor);
  const weights = byFormula.map((w) => (w.num === 0n ? ZERO : articleWeight));
  const selection = selectionProbabilities(weights)[0]!;
  return { weight: weights[0]!, weightByFormula: byFormula[0]!, selectionProbability: selection, verificationProbability: verificationProbability(selection, c.k) };
}
