// The simulated network between endpoints (one endpoint per running core; twins are two
// endpoints sharing a validator key). It follows the partial-synchrony model of Dwork, Lynch and
// Stockmeyer: before the global stabilization time (GST) delays are arbitrary, links drop,
// duplicate and reorder, and partitions split the endpoints; every message sent at time t is still
// delivered by max(t, GST) + delta, because the transport below consensus retransmits a lost
// message (after a retransmission timeout) and re-sends what a partition held back once it heals.
// After GST nothing is lost between live endpoints and every delay is at most delta.
import type { Rng } from './random.js';

export const MAX_RETRANSMISSIONS = 64; // a loss streak longer than this is cut by the GST cap anyway

export interface Partition {
  readonly fromMs: number;
  readonly untilMs: number; // heals here; never after GST
  /** Endpoint groups: links between different groups are cut while the partition lasts. */
  readonly groupOf: readonly number[]; // groupOf[endpoint]
}

export interface NetworkProfile {
  readonly gstMs: number;
  /** After GST every delay lies in [minDelayMs, deltaMs]. */
  readonly minDelayMs: number;
  readonly deltaMs: number;
  /** Before GST: mean of the exponential delay, and the chance of a loss or a duplicate. */
  readonly preGstMeanDelayMs: number;
  readonly dropRate: number;
  readonly duplicateRate: number;
  readonly retransmitTimeoutMs: number;
  readonly partitions: readonly Partition[];
  /** Endpoints whose messages the pre-GST scheduler holds back the longest (an adversarial scheduler). */
  readonly slowEndpoints: readonly number[];
}

/** A benign network: fixed delay, no faults, GST at 0. Used by the figures in docs/consensus.md. */
export function synchronousProfile(delayMs: number): NetworkProfile {
  return { gstMs: 0, minDelayMs: delayMs, deltaMs: delayMs, preGstMeanDelayMs: delayMs, dropRate: 0, duplicateRate: 0, retransmitTimeoutMs: delayMs, partitions: [], slowEndpoints: [] };
}

/** Draws a hostile-until-GST profile for `endpoints` endpoints from the run's seed. */
export function drawNetworkProfile(rng: Rng, endpoints: number): NetworkProfile {
  const deltaMs = rng.int(20, 200);
  const minDelayMs = rng.int(1, Math.max(1, Math.floor(deltaMs / 4)));
  const gstMs = rng.chance(0.2) ? 0 : rng.int(500, 8_000);
  const partitions: Partition[] = [];
  const partitionCount = gstMs === 0 ? 0 : rng.int(0, 3);
  for (let i = 0; i < partitionCount; i++) {
    const fromMs = rng.int(0, gstMs - 1);
    const untilMs = Math.min(gstMs, fromMs + rng.int(100, gstMs));
    const groups = rng.int(2, 3);
    partitions.push({ fromMs, untilMs, groupOf: Array.from({ length: endpoints }, () => rng.int(0, groups - 1)) });
  }
  const slowEndpoints = rng.shuffle(Array.from({ length: endpoints }, (_, i) => i)).slice(0, rng.int(0, Math.floor(endpoints / 3)));
  return {
    gstMs,
    minDelayMs,
    deltaMs,
    preGstMeanDelayMs: rng.int(deltaMs, deltaMs * 8),
    dropRate: rng.pick([0, 0.01, 0.05, 0.2]),
    duplicateRate: rng.pick([0, 0.01, 0.05]),
    retransmitTimeoutMs: rng.int(deltaMs, deltaMs * 4),
    partitions,
    slowEndpoints,
  };
}

/** Counters of what the network did, for the run's statistics. */
export interface NetworkStats {
  sent: number;
  bytes: number;
  lost: number; // transmissions lost and retransmitted
  duplicated: number;
  heldByPartition: number;
}

export class SimNetwork {
  readonly stats: NetworkStats = { sent: 0, bytes: 0, lost: 0, duplicated: 0, heldByPartition: 0 };
  private readonly slow: Set<number>;

  constructor(
    readonly profile: NetworkProfile,
    private readonly rng: Rng,
  ) {
    this.slow = new Set(profile.slowEndpoints);
  }

  /**
   * Delivery times (one, or more if duplicated) of a message sent now from `from` to `to`. After
   * GST a scheduler may choose each delay within [minDelayMs, deltaMs] (an adversary that orders
   * messages); by default it is drawn at random.
   */
  route(from: number, to: number, sentMs: number, byteCount: number, postGstDelay?: () => number): number[] {
    this.stats.sent++;
    this.stats.bytes += byteCount;
    const first = this.deliveryTime(from, to, sentMs, postGstDelay);
    if (sentMs >= this.profile.gstMs || !this.rng.chance(this.profile.duplicateRate)) return [first];
    this.stats.duplicated++;
    return [first, this.deliveryTime(from, to, sentMs, postGstDelay)];
  }

  private deliveryTime(from: number, to: number, sentMs: number, postGstDelay?: () => number): number {
    const { gstMs, deltaMs } = this.profile;
    const capMs = Math.max(sentMs, gstMs) + deltaMs; // the partial-synchrony guarantee
    let t = sentMs;
    for (let attempt = 0; attempt < MAX_RETRANSMISSIONS && t < gstMs; attempt++) {
      const healMs = this.cutUntil(from, to, t);
      if (healMs !== undefined) {
        this.stats.heldByPartition++;
        t = healMs; // the transport re-sends once the link is back
        continue;
      }
      if (!this.rng.chance(this.profile.dropRate)) return Math.min(capMs, t + this.preGstDelay(from));
      this.stats.lost++;
      t += this.profile.retransmitTimeoutMs;
    }
    const chosen = postGstDelay === undefined ? this.postGstDelay() : Math.min(this.profile.deltaMs, Math.max(this.profile.minDelayMs, postGstDelay()));
    return Math.min(capMs, Math.max(t, sentMs) + chosen);
  }

  private preGstDelay(from: number): number {
    const mean = this.slow.has(from) ? this.profile.preGstMeanDelayMs * 4 : this.profile.preGstMeanDelayMs;
    return this.profile.minDelayMs + this.rng.exponential(mean);
  }

  private postGstDelay(): number {
    return this.rng.int(this.profile.minDelayMs, this.profile.deltaMs);
  }

  /** If the link is cut at `atMs`, when it heals; otherwise undefined. */
  private cutUntil(from: number, to: number, atMs: number): number | undefined {
    let healMs: number | undefined;
    for (const p of this.profile.partitions) {
      if (atMs < p.fromMs || atMs >= p.untilMs || p.groupOf[from] === p.groupOf[to]) continue;
      healMs = Math.max(healMs ?? 0, p.untilMs);
    }
    return healMs;
  }
}
