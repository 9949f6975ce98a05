// Whom block sync asks, and how far it believes the chain goes. Pure bookkeeping over the peers'
// status claims: a claim is a hint, never a fact (the blocks a peer sends are checked against
// their certificates), so one peer can neither set the target nor hold the node's attention.
//
// - The target a node syncs towards is the highest certified height claimed by peers holding a
//   weak threshold of the committee's weight (more than 1/3: at least one honest member among
//   them). A lone higher claim is only followed once the node's own head has stalled.
// - Peers are asked in rotation among those whose claim covers the next block; a peer that times
//   out, answers empty, malformed or forged is penalised: it waits out an exponential backoff
//   before it is asked again, and a good answer clears its record.
import { isWeakThreshold } from '../stake/quorum.js';
import type { HeadStatus } from './wire.js';

/** The first penalty benches a peer this long; each further one doubles it… */
export const SYNC_BACKOFF_BASE_MS = 1_000;
/** …up to this. */
export const SYNC_BACKOFF_MAX_MS = 60_000;

export type SyncFault = 'timeout' | 'empty' | 'malformed' | 'invalid-certificate' | 'forged' | 'out-of-range';

interface PeerRecord {
  claim: HeadStatus;
  failures: number;
  benchedUntilMs: number;
  lastAskedSeq: number;
}

export class SyncPeerBook {
  private readonly peers = new Map<string, PeerRecord>();
  private askSeq = 0;

  constructor(
    /** Committee weight of a peer (0 for observers: they may serve blocks but corroborate nothing). */
    private readonly weightOf: (peer: string) => bigint,
    private readonly totalWeight: () => bigint,
  ) {}

  onStatus(peer: string, claim: HeadStatus): void {
    const record = this.peers.get(peer);
    if (record === undefined) this.peers.set(peer, { claim, failures: 0, benchedUntilMs: 0, lastAskedSeq: 0 });
    else record.claim = claim;
  }

  forget(peer: string): void {
    this.peers.delete(peer);
  }

  /**
   * The highest certified height that peers of more than 1/3 of the weight all claim to have:
   * the weight-quantile of the claims, so no set of Byzantine members can raise it.
   */
  corroboratedHeight(): bigint {
    const claims = [...this.peers].map(([peer, r]) => ({ height: r.claim.certified, weight: this.weightOf(peer) })).filter((c) => c.weight > 0n);
    claims.sort((a, b) => (a.height > b.height ? -1 : a.height < b.height ? 1 : 0));
    let weight = 0n;
    for (const claim of claims) {
      weight += claim.weight;
      if (isWeakThreshold(weight, this.totalWeight())) return claim.height;
    }
    return 0n;
  }

  /** The highest claim of any peer (a hint: followed only when the node has stalled). */
  highestClaim(): bigint {
    let highest = 0n;
    for (const record of this.peers.values()) if (record.claim.certified > highest) highest = record.claim.certified;
    return highest;
  }

  /**
   * The next peer to ask for blocks from `from` up to `target`: not benched, claiming at least
   * `from`; fewest failures first, then the one asked longest ago (rotation), then the id.
   */
  pick(from: bigint, nowMs: number): { peer: string; claim: HeadStatus } | undefined {
    let best: [string, PeerRecord] | undefined;
    for (const entry of this.peers) {
      const [, record] = entry;
      if (record.claim.certified < from || record.benchedUntilMs > nowMs) continue;
      if (best === undefined || better(entry, best)) best = entry;
    }
    if (best === undefined) return undefined;
    best[1].lastAskedSeq = ++this.askSeq;
    return { peer: best[0], claim: best[1].claim };
  }

  penalize(peer: string, nowMs: number): number {
    const record = this.peers.get(peer);
    if (record === undefined) return 0;
    record.failures++;
    const backoff = Math.min(SYNC_BACKOFF_MAX_MS, SYNC_BACKOFF_BASE_MS * 2 ** Math.min(record.failures - 1, 30));
    record.benchedUntilMs = nowMs + backoff;
    return backoff;
  }

  succeeded(peer: string): void {
    const record = this.peers.get(peer);
    if (record === undefined) return;
    record.failures = 0;
    record.benchedUntilMs = 0;
  }

  /** For status pages and tests. */
  failuresOf(peer: string): number {
    return this.peers.get(peer)?.failures ?? 0;
  }
}

function better([aId, a]: [string, PeerRecord], [bId, b]: [string, PeerRecord]): boolean {
  if (a.failures !== b.failures) return a.failures < b.failures;
  if (a.lastAskedSeq !== b.lastAskedSeq) return a.lastAskedSeq < b.lastAskedSeq;
  return aId < bId;
}
