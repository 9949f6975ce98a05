// Turns a run's outcome into a verdict: the invariants (sim/invariants.ts) over the correct
// members' deliveries, the simulator's own accountability check (no evidence against an honest
// member), and the run's figures.
import {
  checkAgreement,
  checkAppliedOnce,
  checkCertifiedHeads,
  checkChainAgreement,
  checkIntegrity,
  checkLiveness,
  checkSupply,
  checkValidity,
  type ChainViolation,
  type MemberDeliveries,
  type Violation,
} from './invariants.js';
import type { NodeRunOutcome } from './node-simulation.js';
import type { RunOutcome } from './simulation.js';

/** Heights at the top of the chain whose certificates may still be on their way when a run stops. */
export const CERTIFICATE_LAG_HEIGHTS = 2n;

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

export function judge(outcome: RunOutcome | NodeRunOutcome): RunVerdict {
  if ('layer' in outcome && outcome.layer === 'node') return judgeNode(outcome);
  return judgeConsensus(outcome);
}

/**
 * A node-level run: consensus agreement and validity over what each node's core delivered, and the
 * chain's own invariants over what each node made durable (by consensus or by sync); liveness
 * over each honest node's chain, per height, and the bound on agreement rounds of decision 0010.
 */
function judgeNode(outcome: NodeRunOutcome): RunVerdict {
  const correct = outcome.endpoints.filter((ep) => ep.correct);
  const asDeliveries = (ep: RunOutcome['endpoints'][number]): MemberDeliveries => ({ member: ep.label, superblocks: ep.delivered, deliveredAtMs: ep.deliveredAtMs });
  const weights = outcome.committee.committee.members.map((m) => m.weight);
  const proposedBy = new Map<number, RunOutcome['endpoints'][number]>();
  for (const ep of correct) proposedBy.set(ep.index, ep);
  const chains = outcome.chains.filter((c) => c.correct).map((c) => ({ member: c.label, blocks: c.blocks, certificates: c.certificates, supply: c.supply }));
  const honestChains = outcome.chains.filter((c) => c.honest);
  const minHead = honestChains.reduce((m, c) => (BigInt(c.blocks.length) < m ? BigInt(c.blocks.length) : m), BigInt(Number.MAX_SAFE_INTEGER));
  const chainViolation = (v: ChainViolation): Violation => ({ invariant: v.invariant === 'chain-agreement' ? 'agreement' : 'integrity', member: v.member, height: v.height === undefined ? undefined : Number(v.height), message: `[${v.invariant}] ${v.message}` });
  const safety: Violation[] = [
    ...checkAgreement(correct.map(asDeliveries)),
    ...checkValidity(correct.map(asDeliveries), {
      weightsAt: () => weights,
      isHonest: (_h, proposer) => outcome.committee.members[proposer]?.behaviour === null,
      proposedBy: (height, proposer) => proposedBy.get(proposer)?.proposed.get(height),
    }),
    ...falseEvidence(outcome),
    ...[...checkChainAgreement(chains), ...checkCertifiedHeads(chains, minHead + 1n - CERTIFICATE_LAG_HEIGHTS), ...checkAppliedOnce(chains), ...checkSupply(chains, outcome.expectedSupply)].map(chainViolation),
    ...outcome.budgetViolations.map((message) => ({ invariant: 'integrity' as const, message: `[byte-budget] ${message}` })),
    ...outcome.fatal.filter((f) => correct.some((ep) => f.startsWith(`${ep.label}:`))).map((message) => ({ invariant: 'integrity' as const, message: `[halted] ${message}` })),
  ];
  const liveness: Violation[] = [];
  const target = outcome.scenario.heights;
  for (const chain of honestChains) {
    if (chain.blocks.length < target) {
      liveness.push({ invariant: 'liveness', member: chain.label, height: chain.blocks.length + 1, message: `${chain.label} stopped at height ${chain.blocks.length}, never reached ${chain.blocks.length + 1} (target ${target})` });
      continue;
    }
    if (chain.crashed) continue; // its downtime is not the protocol's
    let previousMs = 0;
    for (let i = 0; i < target; i++) {
      const atMs = chain.blockAtMs[i] ?? Infinity;
      const fromMs = Math.max(outcome.profile.gstMs, previousMs);
      if (atMs > fromMs + outcome.perHeightBoundMs) liveness.push({ invariant: 'liveness', member: chain.label, height: i + 1, message: `${chain.label} made height ${i + 1} durable ${Math.round(atMs - fromMs)} ms after max(GST, previous height) > bound ${outcome.perHeightBoundMs} ms` });
      previousMs = atMs;
    }
    for (const r of chain.rounds) {
      if (r.startedMs >= outcome.profile.gstMs && r.maxRound > outcome.roundBound) liveness.push({ invariant: 'liveness', member: chain.label, height: r.height, message: `${chain.label}: an agreement of height ${r.height} (started after GST) decided in round ${r.maxRound} > bound ${outcome.roundBound} (decision 0010)` });
    }
  }
  if (outcome.stoppedBy === 'event-budget') liveness.unshift({ invariant: 'liveness', message: `run stopped at ${Math.round(outcome.endMs)} ms after ${outcome.events} events: the event budget overflowed (a message storm)` });
  const decidedHeights = honestChains.length === 0 ? 0 : Math.min(...honestChains.map((c) => Math.min(c.blocks.length, target)));
  return {
    safety,
    liveness,
    decidedHeights,
    messagesPerHeight: decidedHeights === 0 ? 0 : outcome.messages / decidedHeights,
    bytesPerHeight: decidedHeights === 0 ? 0 : outcome.bytes / decidedHeights,
    delaysPerHeightP50: heightDelaysP50(outcome),
  };
}

function judgeConsensus(outcome: RunOutcome): RunVerdict {
  const correct = outcome.endpoints.filter((ep) => ep.correct);
  const honest = outcome.endpoints.filter((ep) => ep.honest);
  const asDeliveries = (ep: RunOutcome['endpoints'][number]): MemberDeliveries => ({ member: ep.label, superblocks: ep.delivered, deliveredAtMs: ep.deliveredAtMs });
  const weights = outcome.committee.committee.members.map((m) => m.weight);
  const proposedBy = new Map<number, RunOutcome['endpoints'][number]>();
  for (const ep of correct) proposedBy.set(ep.index, ep);
  // With epochs, a proposer index names a seat of its height's committee: its pool member.
  const epochs = outcome.epochs;
  const poolOf = (height: number, proposer: number): number | undefined => (epochs === undefined ? proposer : epochs.poolIndex(epochs.epochOf(height), proposer));
  const safety = [
    ...checkAgreement(correct.map(asDeliveries)),
    ...checkIntegrity(correct.map(asDeliveries)),
    ...checkValidity(correct.map(asDeliveries), {
      weightsAt: (height) => (epochs === undefined ? weights : epochs.committee(epochs.epochOf(height)).members.map((m) => m.weight)),
      isHonest: (height, proposer) => outcome.committee.members[poolOf(height, proposer) ?? -1]?.behaviour === null,
      proposedBy: (height, proposer) => proposedBy.get(poolOf(height, proposer) ?? -1)?.proposed.get(height),
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
