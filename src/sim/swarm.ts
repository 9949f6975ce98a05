// Runs one scenario, or a swarm of scenarios over consecutive seeds, and sums them up in the
// shape `synod sim --json` prints. Every failing run carries the one command that replays it.
import { replayCommand, type Scenario } from './scenario.js';
import { runSimulation, type RunOverrides } from './simulation.js';
import { runNodeSimulation } from './node-simulation.js';
import { judge, median, type RunVerdict } from './verdict.js';
import type { Violation } from './invariants.js';

export interface SwarmSummary {
  readonly runs: number;
  readonly safetyViolations: number;
  readonly livenessViolations: number;
  readonly decidedHeights: number; // summed over runs
  readonly messagesPerHeight: number; // median over runs
  readonly delaysPerHeightP50: number; // median over runs
}

export interface FailedRun {
  readonly seed: number;
  readonly replay: string;
  readonly violations: readonly Violation[];
}

export interface SwarmResult {
  readonly summary: SwarmSummary;
  readonly failures: readonly FailedRun[];
  readonly verdicts: readonly RunVerdict[];
}

export interface SwarmProgress {
  /** Called after each run; `failure` is set when that run broke an invariant. */
  (done: number, total: number, failures: number, failure: FailedRun | undefined): void;
}

export const MAX_FAILURES_KEPT = 20; // a swarm keeps the first failures; the count covers all

export async function runOne(scenario: Scenario, overrides: RunOverrides = {}): Promise<{ verdict: RunVerdict; failure: FailedRun | undefined }> {
  const verdict = judge(scenario.layer === 'node' ? await runNodeSimulation(scenario, overrides) : runSimulation(scenario, overrides));
  const violations = [...verdict.safety, ...verdict.liveness];
  return { verdict, failure: violations.length === 0 ? undefined : { seed: scenario.seed, replay: replayCommand(scenario), violations } };
}

export async function runSwarm(base: Scenario, seeds: number, progress?: SwarmProgress, overrides: RunOverrides = {}): Promise<SwarmResult> {
  const verdicts: RunVerdict[] = [];
  const failures: FailedRun[] = [];
  let failed = 0;
  for (let i = 0; i < seeds; i++) {
    const { verdict, failure } = await runOne({ ...base, seed: base.seed + i }, overrides);
    verdicts.push(verdict);
    if (failure !== undefined) {
      failed++;
      if (failures.length < MAX_FAILURES_KEPT) failures.push(failure);
    }
    progress?.(i + 1, seeds, failed, failure);
  }
  return { summary: summarize(verdicts), failures, verdicts };
}

export function summarize(verdicts: readonly RunVerdict[]): SwarmSummary {
  return {
    runs: verdicts.length,
    safetyViolations: verdicts.reduce((a, v) => a + v.safety.length, 0),
    livenessViolations: verdicts.reduce((a, v) => a + v.liveness.length, 0),
    decidedHeights: verdicts.reduce((a, v) => a + v.decidedHeights, 0),
    messagesPerHeight: round2(median(verdicts.map((v) => v.messagesPerHeight))),
    delaysPerHeightP50: round2(median(verdicts.map((v) => v.delaysPerHeightP50))),
  };
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
