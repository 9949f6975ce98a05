// What `synod analyze` reports about the real sampler, choosing the best method the input
// allows: exact enumeration (up to EXACT_MAX_NODES validators), the hypergeometric law (equal
// weights, any size), or seeded Monte Carlo with 95% Wilson intervals otherwise.
import { StakeError } from './errors.js';
import { CommitteeSampler } from './sampler.js';
import { EXACT_MAX_NODES, drawSetDistribution, exactEventProbabilities, exactInclusion } from './exact.js';
import { LogFactorials, hypergeometricTail } from './hypergeometric.js';
import { type Estimate, exactEstimate, runMonteCarlo, wilsonInterval } from './montecarlo.js';

export type Method = 'exact' | 'hypergeometric' | 'monte-carlo';

export interface AnalyzedValidator {
  readonly id: string;
  readonly weight: bigint;
  readonly byzantine: boolean;
}

export interface AnalysisOptions {
  /** Monte Carlo trials (used only when no exact method applies). */
  readonly trials: number;
  /** Largest committee size to scan for the risk curve; defaults per method (see DEFAULT_K_MAX). */
  readonly kMax?: number;
  /** Base of the Monte Carlo trial seeds. */
  readonly monteCarloSeed: number;
}

/** Default scan limits: exact methods are cheap; Monte Carlo pays kMax draws per trial. */
export const DEFAULT_K_MAX = { exact: EXACT_MAX_NODES, hypergeometric: 1000, 'monte-carlo': 100 } as const;
export const DEFAULT_TRIALS = 10_000;
export const MAX_TRIALS = 10_000_000;

export interface RiskPoint {
  readonly k: number;
  /** P(adversary weight >= 1/3 of the committee's): safety at risk. */
  readonly atLeastOneThird: Estimate;
  /** P(adversary weight >= 2/3): it could finalize alone. */
  readonly atLeastTwoThirds: Estimate;
}

export interface CommitteeAnalysis {
  readonly method: Method;
  /** Monte Carlo only: trials run and the confidence level of every interval. */
  readonly trials?: number;
  readonly confidence?: number;
  /** Inclusion probability at the requested k, by id (zero-weight ids included, at 0). */
  readonly inclusion: ReadonlyMap<string, Estimate>;
  /** Risk for k = 1..kMax. */
  readonly risk: readonly RiskPoint[];
}

export function chooseMethod(weights: readonly bigint[]): Method {
  if (weights.length <= EXACT_MAX_NODES) return 'exact';
  return weights.every((w) => w === weights[0]) ? 'hypergeometric' : 'monte-carlo';
}

export function analyzeCommittee(validators: readonly AnalyzedValidator[], k: number, options: AnalysisOptions): CommitteeAnalysis {
  const sampler = new CommitteeSampler(validators);
  const byId = new Map(validators.map((v) => [v.id, v]));
  const byzantine = sampler.ids.map((id) => byId.get(id)!.byzantine);
  const method = chooseMethod(sampler.weights);
  const kMax = resolveKMax(options.kMax, DEFAULT_K_MAX[method], k, sampler.size);
  const core = method === 'exact' ? analyzeExact(sampler, byzantine, k, kMax) : method === 'hypergeometric' ? analyzeEqual(sampler, byzantine, k, kMax) : analyzeMonteCarlo(sampler, byzantine, k, kMax, options);
  const inclusion = new Map<string, Estimate>(validators.map((v) => [v.id, exactEstimate(0)]));
  sampler.ids.forEach((id, i) => inclusion.set(id, core.inclusion[i]!));
  return { ...core, method, inclusion };
}

function resolveKMax(requested: number | undefined, byDefault: number, k: number, positive: number): number {
  if (requested !== undefined && (!Number.isInteger(requested) || requested < k || requested > positive)) {
    throw new StakeError('INVALID_K', 'k-max', `k-max must be an integer from k (${k}) to ${positive} (the validators with positive weight); got ${requested}`);
  }
  return requested ?? Math.min(positive, Math.max(k, byDefault));
}

interface CoreAnalysis {
  readonly trials?: number;
  readonly confidence?: number;
  readonly inclusion: readonly Estimate[];
  readonly risk: readonly RiskPoint[];
}

function analyzeExact(sampler: CommitteeSampler, byzantine: readonly boolean[], k: number, kMax: number): CoreAnalysis {
  const dist = drawSetDistribution(sampler.weights);
  // 3B >= W  <=>  sum(byzantine ? 2w : -w) >= 0;   3B >= 2W  <=>  sum(byzantine ? w : -2w) >= 0.
  const oneThird = sampler.weights.map((w, i) => (byzantine[i] ? 2n * w : -w));
  const twoThirds = sampler.weights.map((w, i) => (byzantine[i] ? w : -2n * w));
  const [p1, p2] = exactEventProbabilities(dist, [oneThird, twoThirds]) as [number[], number[]];
  const risk = range(1, kMax).map((size) => ({ k: size, atLeastOneThird: exactEstimate(clamp01(p1[size]!)), atLeastTwoThirds: exactEstimate(clamp01(p2[size]!)) }));
  return { inclusion: exactInclusion(dist, k).map((p) => exactEstimate(clamp01(p))), risk };
}

function analyzeEqual(sampler: CommitteeSampler, byzantine: readonly boolean[], k: number, kMax: number): CoreAnalysis {
  const n = sampler.size;
  const b = byzantine.filter(Boolean).length;
  const logs = new LogFactorials(n);
  const risk = range(1, kMax).map((size) => ({
    k: size,
    atLeastOneThird: exactEstimate(hypergeometricTail(n, b, size, Math.ceil(size / 3), logs)),
    atLeastTwoThirds: exactEstimate(hypergeometricTail(n, b, size, Math.ceil((2 * size) / 3), logs)),
  }));
  // Equal weights: every node is equally likely, and exactly k are drawn.
  return { inclusion: sampler.ids.map(() => exactEstimate(k / n)), risk };
}

function analyzeMonteCarlo(sampler: CommitteeSampler, byzantine: readonly boolean[], k: number, kMax: number, options: AnalysisOptions): CoreAnalysis {
  if (!Number.isInteger(options.trials) || options.trials < 1 || options.trials > MAX_TRIALS) {
    throw new StakeError('INVALID_NUMBER', 'trials', `trials must be an integer from 1 to ${MAX_TRIALS}; got ${options.trials}`);
  }
  const counts = runMonteCarlo(sampler, byzantine, kMax, k, options.trials, options.monteCarloSeed);
  const risk = range(1, kMax).map((size) => ({
    k: size,
    atLeastOneThird: wilsonInterval(counts.atLeastOneThird[size]!, counts.trials),
    atLeastTwoThirds: wilsonInterval(counts.atLeastTwoThirds[size]!, counts.trials),
  }));
  return { trials: counts.trials, confidence: 0.95, inclusion: counts.inclusion.map((hits) => wilsonInterval(hits, counts.trials)), risk };
}

export interface Recommendation {
  readonly k: number;
  readonly risk: Estimate;
  /** False when no k up to kMax keeps the risk below the target: k is then the best reachable. */
  readonly reachesTarget: boolean;
}

/**
 * The smallest k whose risk of an adversary share >= 1/3 is below the target. A Monte Carlo
 * figure counts only if its upper confidence bound is below the target. The risk is not monotone
 * in k (thresholds round up to whole members), so larger k can be worse: the plot shows it.
 */
export function recommendK(risk: readonly RiskPoint[], target: number): Recommendation {
  const bound = (p: RiskPoint) => p.atLeastOneThird.high;
  const first = risk.find((p) => bound(p) < target);
  if (first !== undefined) return { k: first.k, risk: first.atLeastOneThird, reachesTarget: true };
  const best = risk.reduce((a, b) => (bound(b) < bound(a) ? b : a));
  return { k: best.k, risk: best.atLeastOneThird, reachesTarget: false };
}

const range = (from: number, to: number): number[] => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
// Summed doubles can overshoot 1 by an ulp; probabilities are reported inside [0, 1].
const clamp01 = (p: number): number => Math.min(1, Math.max(0, p));
