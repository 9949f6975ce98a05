// Turns a run's outcome into a verdict: the invariants (sim/invariants.ts) over the correct
// members' deliveries, the simulator's own accountability check (no evidence against an honest
// member), and the run's figures.
import { checkAgreement, checkIntegrity, checkLiveness, checkValidity, type MemberDeliveries, type Violation } from './invariants.js';
import type { RunOutcome } from './simulation.js';

export interface RunVerdict {
  readonly safety: readonly Violation[];
  readonly liveness: readonly Violation[];
  /** Heights every honest member delivered (the smallest last height among them). */
  readonly decidedHeights: number;
  readonly messagesPerHeight: number;
  readonly bytesPerHeight: number;
  /** Median, over honest members and heights, of the wait for each height, in mean message delays. */
  readonly delaysPerHeightP50: number;
}

export function judge(outcome: RunOutcome): RunVerdict {
  const correct = outcome.endpoints.filter((ep) => ep.correct);
  const honest = outcome.endpoints.filter((ep) => ep.honest);
  const asDeliveries = (ep: RunOutcome['endpoints'][number]): MemberDeliveries => ({ member: ep.label, superblocks: ep.delivered, deliveredAtMs: ep.deliveredAtMs });
  const weights = outcome.committee.committee.members.map((m) => m.weight);
  const proposedBy = new Map<number, RunOutcome['endpoints'][number]>();
  for (const ep of correct) proposedBy.set(ep.index, ep);
  const safety = [
    ...checkAgreement(correct.map(asDeliveries)),
    ...checkIntegrity(correct.map(asDeliveries)),
    ...checkValidity(correct.map(asDeliveries), {
      weightsAt: () => weights,
      isHonest: (_h, proposer) => outcome.committee.members[proposer]?.behaviour === null,
      proposedBy: (height, proposer) => proposedBy.get(proposer)?.proposed.get(height),
    }),
    ...falseEvidence(outcome),
  ];
  const liveness = checkLiveness(honest.map(asDeliveries), { targetHeight: outcome.scenario.heights, gstMs: outcome.profile.gstMs, perHeightMs: outcome.perHeightBoundMs });
  if (outcome.stoppedBy === 'event-budget') {
    liveness.unshift({ invariant: 'liveness', message: `run stopped at ${Math.round(outcome.endMs)} ms after ${outcome.events} events: the event queue or budget overflowed (a message storm)` });
  }
  const decidedHeights = Math.min(...honest.map((ep) => ep.delivered.at(-1)?.height ?? 0));
  return {
    safety,
    liveness,
    decidedHeights,
    messagesPerHeight: decidedHeights === 0 ? 0 : outcome.messages / decidedHeights,
    bytesPerHeight: decidedHeights === 0 ? 0 : outcome.bytes / decidedHeights,
    delaysPerHeightP50: heightDelaysP50(outcome),
  };
}

function falseEvidence(outcome: RunOutcome): Violation[] {
  return outcome.evidence
    .filter((e) => outcome.committee.members[e.offender]?.behaviour === null)
    .map((e) => ({ invariant: 'integrity' as const, member: e.reporter, height: e.height, message: `${e.reporter} reported equivocation evidence against honest member v${e.offender} at height ${e.height}` }));
}

function heightDelaysP50(outcome: RunOutcome): number {
  if (outcome.meanDelayMs === 0) return 0;
  const waits: number[] = [];
  for (const ep of outcome.endpoints) {
    if (!ep.honest) continue;
    let previousMs = 0;
    for (const atMs of ep.deliveredAtMs) {
      waits.push((atMs - previousMs) / outcome.meanDelayMs);
      previousMs = atMs;
    }
  }
  return median(waits);
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = values.slice().sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
