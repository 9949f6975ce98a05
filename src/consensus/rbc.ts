// Bracha's reliable broadcast of one proposer's batch, weighted (docs/protocol.md "Reliable broadcast"):
// ECHO(digest) on the first PROPOSE; READY on an ECHO quorum or a weak threshold of READY;
// deliver on a READY quorum while holding the batch; a missing batch is fetched from its echoers.
import { bytesEqual, toHex } from '../crypto/bytes.js';
import type { Batch, ConsensusMessage } from './messages.js';
import { StakeAggregator } from './stake-aggregator.js';
import type { Committee, ValidatorIndex } from './types.js';

/** Payloads held per proposer: the first one proposed to us and the one a READY quorum names. */
export const MAX_PAYLOADS_PER_PROPOSER = 2;

export interface RbcSink {
  broadcast(message: ConsensusMessage): void;
  delivered(digest: Uint8Array, batch: Batch): void;
  /** A READY quorum names a batch this member does not hold: fetch it. */
  missing(digest: Uint8Array): void;
}

export interface DeliveredBatch {
  readonly digest: Uint8Array;
  readonly batch: Batch;
}

export class ReliableBroadcast {
  private readonly echoes = new Map<string, StakeAggregator>();
  private readonly readies = new Map<string, StakeAggregator>();
  private readonly echoedBy = new Set<ValidatorIndex>();
  private readonly readiedBy = new Set<ValidatorIndex>();
  private readonly payloads = new Map<string, DeliveredBatch>();
  private echoSent: string | null = null;
  private readySent: string | null = null;
  private readyQuorum: { readonly key: string; readonly digest: Uint8Array } | null = null;
  private output: DeliveredBatch | null = null;
  private lastDigest: Uint8Array | null = null;
  private lastKey = '';

  constructor(
    private readonly committee: Committee,
    readonly proposer: ValidatorIndex,
    private readonly self: ValidatorIndex | null,
    private readonly sink: RbcSink,
  ) {}

  get delivered(): DeliveredBatch | null {
    return this.output;
  }

  /** Digest a READY quorum named but whose batch is not held yet, if any. */
  get wanted(): Uint8Array | null {
    return this.output === null && this.readyQuorum !== null ? this.readyQuorum.digest : null;
  }

  /** Members that echoed or readied `digest`, in committee order: who to ask for the batch. */
  sourcesOf(digest: Uint8Array): ValidatorIndex[] {
    const key = toHex(digest);
    const out = new Set<ValidatorIndex>();
    for (const m of this.committee.members) {
      if (this.echoes.get(key)?.has(m.index) || this.readies.get(key)?.has(m.index)) out.add(m.index);
    }
    return [...out];
  }

  /** The batch with this digest, if this member holds it (to answer a fetch). */
  payload(digest: Uint8Array): Batch | null {
    return this.payloads.get(toHex(digest))?.batch ?? null;
  }

  /** Re-establishes the ECHO and READY this member signed before a crash. */
  restore(echo: Uint8Array | null, ready: Uint8Array | null): void {
    if (echo !== null) this.echoSent = toHex(echo);
    if (ready !== null) this.readySent = toHex(ready);
  }

  /** The proposer's own PROPOSE (the caller checked it came from the proposer). */
  onPropose(digest: Uint8Array, batch: Batch): void {
    const key = toHex(digest);
    this.holdPayload(key, digest, batch);
    if (this.echoSent === null && this.self !== null) {
      this.echoSent = key;
      this.sink.broadcast({ type: 'echo', instance: this.proposer, digest });
    }
    this.progress();
  }

  /** A batch answering our fetch: accepted only if it is the one a READY quorum names. */
  onFetched(digest: Uint8Array, batch: Batch): boolean {
    const wanted = this.wanted;
    if (wanted === null || toHex(wanted) !== toHex(digest)) return false;
    this.payloads.set(toHex(digest), { digest, batch }); // the one wanted digest: beyond the cap, once
    this.progress();
    return true;
  }

  /** The map key of a digest; nearly every vote names the same digest, so the last one is remembered. */
  private keyOf(digest: Uint8Array): string {
    const last = this.lastDigest;
    if (last !== null && bytesEqual(last, digest)) return this.lastKey;
    this.lastDigest = digest.slice(); // a copy: nothing outside can change what the key stands for
    this.lastKey = toHex(digest);
    return this.lastKey;
  }

  onEcho(sender: ValidatorIndex, digest: Uint8Array): void {
    if (this.echoedBy.has(sender)) return; // one ECHO per member counts (a second is evidence)
    this.echoedBy.add(sender);
    const key = this.keyOf(digest);
    this.tally(this.echoes, key).add(sender);
    this.progress(digest, key);
  }

  onReady(sender: ValidatorIndex, digest: Uint8Array): void {
    if (this.readiedBy.has(sender)) return;
    this.readiedBy.add(sender);
    const key = this.keyOf(digest);
    this.tally(this.readies, key).add(sender);
    this.progress(digest, key);
  }

  private progress(digest?: Uint8Array, key?: string): void {
    if (digest !== undefined) this.maybeReady(digest, key ?? toHex(digest));
    if (this.output !== null || this.readyQuorum === null) return;
    const held = this.payloads.get(this.readyQuorum.key);
    if (held !== undefined) {
      this.output = held;
      this.sink.delivered(held.digest, held.batch);
    }
  }

  private maybeReady(digest: Uint8Array, key: string): void {
    const echoes = this.echoes.get(key);
    const readies = this.readies.get(key);
    const enough = (echoes?.reachedQuorum ?? false) || (readies?.reachedWeak ?? false);
    if (enough && this.readySent === null && this.self !== null) {
      this.readySent = key;
      this.sink.broadcast({ type: 'ready', instance: this.proposer, digest });
    }
    if (readies?.reachedQuorum && this.readyQuorum === null) {
      this.readyQuorum = { key, digest };
      if (!this.payloads.has(key)) this.sink.missing(digest);
    }
  }

  private holdPayload(key: string, digest: Uint8Array, batch: Batch): void {
    if (this.payloads.has(key) || this.payloads.size >= MAX_PAYLOADS_PER_PROPOSER) return;
    this.payloads.set(key, { digest, batch });
  }

  private tally(map: Map<string, StakeAggregator>, key: string): StakeAggregator {
    let agg = map.get(key);
    if (agg === undefined) {
      agg = new StakeAggregator(this.committee);
      map.set(key, agg);
    }
    return agg;
  }
}
