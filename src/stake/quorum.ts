// Weighted thresholds (docs/protocol.md, "Weights, once and for all"). W is the committee's total
// weight; the adversary holds F with 3F < W. Integer comparisons only: never floats, never counts.

/** A weak threshold: weight w with 3w > W. Such a set contains at least one honest member. */
export function isWeakThreshold(weight: bigint, totalWeight: bigint): boolean {
  return 3n * weight > totalWeight;
}

/** A quorum: weight w with 3w > 2W. Honest weight alone reaches it; two quorums share honest weight. */
export function isQuorum(weight: bigint, totalWeight: bigint): boolean {
  return 3n * weight > 2n * totalWeight;
}

/** The smallest quorum weight: floor(2W/3) + 1 (what an RPC reports as the weight a certificate needs). */
export function quorumWeight(totalWeight: bigint): bigint {
  return (2n * totalWeight) / 3n + 1n;
}

/** Largest Byzantine weight the committee tolerates: the largest F with 3F < W. */
export function maxFaultyWeight(totalWeight: bigint): bigint {
  return totalWeight === 0n ? 0n : (totalWeight - 1n) / 3n;
}

/**
 * Sums the weight of distinct voters: each voter is counted once however often it appears.
 * Use it wherever votes are tallied so a member can never be counted twice.
 */
export class WeightTally<Voter> {
  private readonly voters = new Set<Voter>();
  private sum = 0n;

  /** Adds the voter's weight once; returns false if it had already been counted. */
  add(voter: Voter, weight: bigint): boolean {
    if (weight < 0n) throw new Error('WeightTally: negative weight');
    if (this.voters.has(voter)) return false;
    this.voters.add(voter);
    this.sum += weight;
    return true;
  }

  has(voter: Voter): boolean {
    return this.voters.has(voter);
  }

  get weight(): bigint {
    return this.sum;
  }

  get size(): number {
    return this.voters.size;
  }
}
