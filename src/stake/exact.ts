// Exact distribution of the committee sampler's draws for small validator sets, by dynamic
// programming over subsets: prob[S] is the probability that the first |S| draws are exactly the
// set S (in any order). prob[S + j] += prob[S] * w_j / w(not S). Every committee size comes out of
// one pass, because a committee of size K is the set of the first K draws.
//
// Probabilities are doubles: they are for reporting, never for consensus. Their relative error is
// a few ulps per draw (weights enter as ratios to the largest weight; the remaining weight is a sum
// of positive terms, never a difference, so nothing cancels). Byzantine-share tests are exact:
// they compare bigint sums.
import { StakeError } from './errors.js';
import { ratioToNumber } from './rational.js';

/** 2^20 subsets of doubles is 8 MiB and about 20 M steps: well under a second. */
export const EXACT_MAX_NODES = 20;

export interface DrawSetDistribution {
  readonly nodes: number;
  /** prob[mask]: probability that the first popcount(mask) draws are the set `mask`. */
  readonly prob: Float64Array;
  readonly popcount: Uint8Array;
}

export function drawSetDistribution(weights: readonly bigint[]): DrawSetDistribution {
  const n = weights.length;
  if (n > EXACT_MAX_NODES) {
    throw new StakeError('TOO_LARGE', 'nodes', `exact enumeration is limited to ${EXACT_MAX_NODES} validators (got ${n}); use Monte Carlo`);
  }
  const max = weights.reduce((a, b) => (b > a ? b : a), 0n);
  const w = weights.map((x) => ratioToNumber(x, max));
  const size = 1 << n;
  const full = size - 1;
  const popcount = new Uint8Array(size);
  const sums = new Float64Array(size); // sums[mask] = total relative weight of mask
  for (let mask = 1; mask < size; mask++) {
    const low = 31 - Math.clz32(mask & -mask);
    popcount[mask] = popcount[mask & (mask - 1)]! + 1;
    sums[mask] = sums[mask & (mask - 1)]! + w[low]!;
  }
  const prob = new Float64Array(size);
  prob[0] = 1;
  for (let mask = 0; mask < full; mask++) {
    const p = prob[mask]!;
    if (p === 0) continue;
    const remaining = sums[full ^ mask]!;
    for (let j = 0; j < n; j++) {
      const bit = 1 << j;
      if ((mask & bit) === 0) prob[mask | bit]! += (p * w[j]!) / remaining;
    }
  }
  return { nodes: n, prob, popcount };
}

/** Probability that each node is among the first k draws. */
export function exactInclusion(dist: DrawSetDistribution, k: number): number[] {
  const inclusion = new Array<number>(dist.nodes).fill(0);
  for (let mask = 0; mask < dist.prob.length; mask++) {
    if (dist.popcount[mask] !== k) continue;
    const p = dist.prob[mask]!;
    for (let j = 0; j < dist.nodes; j++) if (mask & (1 << j)) inclusion[j]! += p;
  }
  return inclusion;
}

/**
 * For every committee size k (index k, 1..n), the probability that the committee satisfies each
 * predicate. Predicates see a running sum per predicate of `terms[j]` over the members, visiting
 * subsets in Gray-code order so each step adds or removes one member: O(1) bigint work per subset.
 */
export function exactEventProbabilities(dist: DrawSetDistribution, terms: readonly (readonly bigint[])[]): number[][] {
  const n = dist.nodes;
  const out = terms.map(() => new Array<number>(n + 1).fill(0));
  const sums = terms.map(() => 0n);
  let previous = 0;
  for (let i = 0; i < dist.prob.length; i++) {
    const gray = i ^ (i >> 1);
    const changed = gray ^ previous;
    if (changed !== 0) {
      const j = 31 - Math.clz32(changed);
      const sign = gray & changed ? 1n : -1n;
      terms.forEach((t, e) => (sums[e] = sums[e]! + sign * t[j]!));
    }
    previous = gray;
    const k = dist.popcount[gray]!;
    sums.forEach((s, e) => {
      if (s >= 0n) out[e]![k]! += dist.prob[gray]!;
    });
  }
  return out;
}
