// Monte Carlo estimates from the real sampler, for validator sets too large to enumerate.
// Deterministic: trial t uses seed SHA-256(domain || base || t), so a report can be reproduced.
// One trial draws kMax members; because a committee of size K is the first K draws, the same
// trial scores every committee size at once.
import { sha256 } from '../crypto/hash.js';
import { uintToBytes, utf8 } from '../crypto/bytes.js';
import { maxFaultyWeight, isWeakThreshold } from './quorum.js';
import type { CommitteeSampler } from './sampler.js';

export const MONTE_CARLO_DOMAIN = utf8('synod/analyze/monte-carlo/v1');
/** Two-sided 95% normal quantile, for Wilson score intervals. */
export const Z_95 = 1.959963984540054;

export interface Estimate {
  readonly value: number;
  /** Confidence bounds; equal to value when the figure is exact. */
  readonly low: number;
  readonly high: number;
}

export const exactEstimate = (value: number): Estimate => ({ value, low: value, high: value });

/**
 * Wilson score interval for a binomial proportion: unlike value ± z·se it stays inside [0, 1]
 * and is honest when nothing was observed (0 hits in T trials gives an upper bound ≈ 3.84 / T).
 */
export function wilsonInterval(hits: number, trials: number, z = Z_95): Estimate {
  const p = hits / trials;
  const z2 = z * z;
  const centre = (p + z2 / (2 * trials)) / (1 + z2 / trials);
  const half = (z / (1 + z2 / trials)) * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials));
  // At 0 (or all) hits the bound is 0 (or 1) exactly; the formula leaves rounding dust there.
  const low = hits === 0 ? 0 : Math.max(0, centre - half);
  const high = hits === trials ? 1 : Math.min(1, centre + half);
  return { value: p, low, high };
}

export interface MonteCarloCounts {
  readonly trials: number;
  /** inclusion[i]: trials in which node i was among the first inclusionK draws. */
  readonly inclusion: number[];
  /** atLeastOneThird[k], atLeastTwoThirds[k]: trials whose first k draws gave the adversary that share. */
  readonly atLeastOneThird: number[];
  readonly atLeastTwoThirds: number[];
}

export function trialSeed(base: number, trial: number): Uint8Array {
  return sha256(MONTE_CARLO_DOMAIN, uintToBytes(base, 8), uintToBytes(trial, 8));
}

export function runMonteCarlo(sampler: CommitteeSampler, byzantine: readonly boolean[], kMax: number, inclusionK: number, trials: number, base: number): MonteCarloCounts {
  const counts: MonteCarloCounts = {
    trials,
    inclusion: new Array<number>(sampler.size).fill(0),
    atLeastOneThird: new Array<number>(kMax + 1).fill(0),
    atLeastTwoThirds: new Array<number>(kMax + 1).fill(0),
  };
  for (let t = 0; t < trials; t++) scoreTrial(sampler.drawIndices(kMax, trialSeed(base, t)), sampler, byzantine, inclusionK, counts);
  return counts;
}

function scoreTrial(drawn: readonly number[], sampler: CommitteeSampler, byzantine: readonly boolean[], inclusionK: number, counts: MonteCarloCounts): void {
  let total = 0n;
  let faulty = 0n;
  drawn.forEach((index, d) => {
    const weight = sampler.weights[index]!;
    total += weight;
    if (byzantine[index]) faulty += weight;
    if (d < inclusionK) counts.inclusion[index]!++;
    // Safety at risk: the adversary holds more than the tolerated F (3F < W), i.e. 3B >= W.
    if (faulty > maxFaultyWeight(total)) counts.atLeastOneThird[d + 1]!++;
    // The honest rest is no longer a weak threshold (3H <= W), i.e. 3B >= 2W.
    if (!isWeakThreshold(total - faulty, total)) counts.atLeastTwoThirds[d + 1]!++;
  });
}
