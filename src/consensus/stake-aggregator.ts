// Votes deduplicated by member and summed by weight, with the two thresholds of docs/protocol.md
// (after Sui's stake_aggregator.rs). Every threshold of the core goes through here and, below it,
// through src/stake/quorum.ts: weights, never counts; integers, never floats.
import { isQuorum, isWeakThreshold, WeightTally } from '../stake/quorum.js';
import type { Committee, ValidatorIndex } from './types.js';

export class StakeAggregator {
  private readonly tally = new WeightTally<ValidatorIndex>();

  constructor(private readonly committee: Committee) {}

  /** Counts the member once; returns false if it was already counted (or is not a member). */
  add(member: ValidatorIndex): boolean {
    const m = this.committee.members[member];
    if (m === undefined) return false;
    return this.tally.add(member, m.weight);
  }

  has(member: ValidatorIndex): boolean {
    return this.tally.has(member);
  }

  get weight(): bigint {
    return this.tally.weight;
  }

  get size(): number {
    return this.tally.size;
  }

  /** More than 2/3 of the committee weight. */
  get reachedQuorum(): boolean {
    return isQuorum(this.tally.weight, this.committee.totalWeight);
  }

  /** More than 1/3 of the committee weight: at least one honest member is in. */
  get reachedWeak(): boolean {
    return isWeakThreshold(this.tally.weight, this.committee.totalWeight);
  }
}

/** Weight of a set of members of the committee (each counted once). */
export function weightOf(committee: Committee, members: Iterable<ValidatorIndex>): bigint {
  const agg = new StakeAggregator(committee);
  for (const m of members) agg.add(m);
  return agg.weight;
}

export function isQuorumOf(committee: Committee, members: Iterable<ValidatorIndex>): boolean {
  return isQuorum(weightOf(committee, members), committee.totalWeight);
}

export function isWeakOf(committee: Committee, members: Iterable<ValidatorIndex>): boolean {
  return isWeakThreshold(weightOf(committee, members), committee.totalWeight);
}
