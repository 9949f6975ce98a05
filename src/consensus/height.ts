// One height's common subset (docs/protocol.md "Common subset per height"): a reliable broadcast and a
// binary agreement per proposer, the input-0 threshold, missing-batch fetches, and the superblock.
// Also this height's record of what this member sent (to re-send to laggards) and of what each
// member signed per slot (to turn two conflicting signed messages into evidence).
import { bytesEqual, toHex } from '../crypto/bytes.js';
import { BinaryAgreement } from './agreement.js';
import { batchBytes, batchDigest, itemEncodedBytes, RETAINED_BYTES_PER_ITEM, SIGNATURE_BYTES, type Batch, type ConsensusMessage, type SignedEnvelope } from './messages.js';
import { itemProof, type ItemProof } from './commitment.js';
import { ReliableBroadcast } from './rbc.js';
import { StakeAggregator } from './stake-aggregator.js';
import { assembleSuperblock } from './superblock.js';
import { catchUpGraceMs, MAX_COMMITTEE_SIZE, MAX_ROUND, roundTimeoutMs } from './limits.js';
import type { Committee, CoreLimits, CoreTiming, Height, JournalEntry, Superblock, SuperblockBatch, ValidatorIndex } from './types.js';

export interface HeightSink {
  /** Broadcast one new item of this height (journaled first if it is a vote). */
  broadcast(height: Height, item: ConsensusMessage, ownEstimate?: boolean): void;
  /** Broadcast again an item already sent (and journaled), or a request. */
  rebroadcast(height: Height, item: ConsensusMessage): void;
  send(to: ValidatorIndex, height: Height, item: ConsensusMessage): void;
  setTimer(timerId: string, delayMs: number): void;
  cancelTimer(timerId: string): void;
  deliver(superblock: Superblock): void;
}

export type SlotCheck =
  | { readonly kind: 'new' }
  | { readonly kind: 'duplicate' }
  | { readonly kind: 'over-budget' }
  /** A second value in a slot: proofs of both items the first time (evidence), nothing more after. */
  | { readonly kind: 'conflict'; readonly first: ItemProof; readonly second: ItemProof; readonly slot: string }
  | { readonly kind: 'conflict-reported' };

/**
 * What the evidence registry keeps of an envelope that brought a first vote: its header, its
 * items' leaves and commitments and its signature — enough to prove any one item (commitment.ts),
 * never the envelope's bytes (a batch item would pin megabytes). Charged to its sender's budget
 * once, when the first slot refers to it.
 */
export class KeptEnvelope {
  private charged = false;
  constructor(
    readonly envelope: SignedEnvelope,
    private readonly charge: (bytes: number) => boolean,
  ) {}

  /** False when keeping it would exceed the sender's byte budget at this height. */
  keep(): boolean {
    if (this.charged) return true;
    if (!this.charge(this.envelope.items.length * RETAINED_BYTES_PER_ITEM + SIGNATURE_BYTES)) return false;
    this.charged = true;
    return true;
  }

  proof(index: number): ItemProof {
    const { envelope } = this;
    return itemProof({ height: envelope.height, sender: envelope.sender, itemCount: envelope.items.length }, envelope.leaves, index, envelope.commitments[index]!, envelope.signature);
  }
}

interface SlotRecord {
  readonly value: SlotValue;
  /** A compact record: the leaves and signature of the envelope, not its bytes. */
  readonly from: { readonly height: number; readonly sender: number; readonly leaves: readonly Uint8Array[]; readonly commitment: Uint8Array; readonly signature: Uint8Array };
  readonly index: number;
  reported: boolean;
}

export const timerIds = {
  round: (h: Height, i: ValidatorIndex, r: number) => `h:${h}/i:${i}/r:${r}`,
  grace: (h: Height, i: ValidatorIndex, r: number) => `h:${h}/i:${i}/r:${r}/grace`,
  fetch: (h: Height, i: ValidatorIndex) => `h:${h}/fetch:${i}`,
  resend: (h: Height) => `h:${h}/resend`,
};

export class HeightState {
  readonly rbcs: ReliableBroadcast[];
  readonly agreements: BinaryAgreement[];
  /** Every item this member sent for this height, in order: re-sent to members that lag. */
  readonly sent: ConsensusMessage[] = [];
  /** Each sender's slots (slotKey), one map per sender. */
  private readonly slots: Map<number, SlotRecord>[] = [];
  private readonly fetchAsked = new Map<ValidatorIndex, Set<ValidatorIndex>>();
  private readonly servedTo = new Map<string, number>();
  private readonly servedBytesTo = new Map<ValidatorIndex, number>();
  /** Bytes this height keeps on behalf of each sender (evidence records, its proposal). */
  private readonly retainedBy = new Map<ValidatorIndex, number>();
  /** The most a sender may make this height keep: its proposal plus its votes' evidence records. */
  readonly retainedBudgetBytes: number;
  /** This member's own new items, counted as received from itself once the current call unwinds. */
  private readonly ownQueue: ConsensusMessage[] = [];
  private draining = false;
  private zeroInputsGiven = false;
  proposed = false;
  output: Superblock | null = null;

  constructor(
    readonly height: Height,
    readonly committee: Committee,
    readonly self: ValidatorIndex | null,
    private readonly timing: CoreTiming,
    private readonly limits: CoreLimits,
    private readonly sink: HeightSink,
  ) {
    this.retainedBudgetBytes = limits.maxBatchBytes + committee.members.length * limits.retainedBytesPerInstance;
    this.rbcs = committee.members.map((m) => new ReliableBroadcast(committee, m.index, self, this.rbcSink(m.index)));
    this.agreements = committee.members.map((m) => new BinaryAgreement(committee, m.index, self, this.agreementSink(m.index)));
  }

  // ------------------------------------------------------------------ restart

  /** Re-establishes what this member signed at this height before a crash (its journal). */
  restore(entries: readonly JournalEntry[]): Batch | null {
    let proposal: Batch | null = null;
    for (const rbc of this.rbcs) {
      const echo = entries.find((e) => e.kind === 'echo' && e.instance === rbc.proposer);
      const ready = entries.find((e) => e.kind === 'ready' && e.instance === rbc.proposer);
      rbc.restore(digestOf(echo), digestOf(ready));
    }
    for (const agreement of this.agreements) {
      agreement.restore(entries.filter((e) => e.kind !== 'propose' && e.kind !== 'echo' && e.kind !== 'ready' && e.instance === agreement.instance));
    }
    for (const e of entries) {
      if (e.kind === 'propose') proposal = { timestampMs: e.timestampMs, transactions: e.transactions.map(fromHexNoPrefix) };
      const item = journalToMessage(e, proposal);
      this.sent.push(item);
      // A member counts its own votes itself (peers never echo them back): what it signed before
      // the crash enters its own tallies again, or with one member silent it could reach no quorum.
      if (item.type !== 'propose') this.ownQueue.push(item);
    }
    if (proposal !== null && this.self !== null) {
      this.proposed = true;
      this.rbcs[this.self]!.onPropose(batchDigest(this.height, this.self, proposal), proposal);
    }
    this.maybeInputZeros();
    this.drainOwn();
    return proposal;
  }

  // ------------------------------------------------------------------ inputs

  /** This member's own batch: reliably broadcast it. */
  propose(batch: Batch): void {
    if (this.proposed || this.self === null) return;
    this.proposed = true;
    this.emit({ type: 'propose', batch });
    this.drainOwn();
  }

  /** An item already authenticated, deduplicated and checked for evidence by the core. */
  handle(sender: ValidatorIndex, item: ConsensusMessage, digest?: Uint8Array): void {
    this.dispatch(sender, item, digest);
    this.drainOwn();
  }

  /** Wraps an authenticated envelope for the evidence registry (charged to its sender when kept). */
  keeper(envelope: SignedEnvelope): KeptEnvelope {
    return new KeptEnvelope(envelope, (bytes) => this.charge(envelope.sender, bytes));
  }

  /** Bytes kept on behalf of `sender` (tests and status). */
  retainedFor(sender: ValidatorIndex): number {
    return this.retainedBy.get(sender) ?? 0;
  }

  private charge(sender: ValidatorIndex, bytes: number): boolean {
    const used = this.retainedBy.get(sender) ?? 0;
    if (used + bytes > this.retainedBudgetBytes) return false;
    this.retainedBy.set(sender, used + bytes);
    return true;
  }

  /**
   * A broadcast reaches every OTHER member, so this member counts its own votes itself. Queued
   * rather than recursive: no instance is re-entered while it is still updating its state.
   */
  private drainOwn(): void {
    if (this.draining || this.self === null) return;
    this.draining = true;
    for (let item = this.ownQueue.shift(); item !== undefined; item = this.ownQueue.shift()) this.dispatch(this.self, item);
    this.draining = false;
  }

  private dispatch(sender: ValidatorIndex, item: ConsensusMessage, digest?: Uint8Array): void {
    switch (item.type) {
      case 'propose':
        return this.rbcs[sender]!.onPropose(digest ?? batchDigest(this.height, sender, item.batch), item.batch);
      case 'echo':
        return this.rbcs[item.instance]!.onEcho(sender, item.digest);
      case 'ready':
        return this.rbcs[item.instance]!.onReady(sender, item.digest);
      case 'est':
        return this.agreements[item.instance]!.onEst(sender, item.round, item.value);
      case 'coord':
        return this.agreements[item.instance]!.onCoord(sender, item.round, item.value);
      case 'aux':
        return this.agreements[item.instance]!.onAux(sender, item.round, item.values);
      case 'decided':
        return this.agreements[item.instance]!.onDecided(sender, item.round, item.value);
      case 'fetch':
        return this.serveFetch(sender, item.instance, item.digest);
      case 'batch':
        this.rbcs[item.instance]!.onFetched(digest ?? batchDigest(this.height, item.instance, item.batch), item.batch);
        return;
      case 'stateRequest':
        return this.serveState(sender);
    }
  }

  onRoundTimer(instance: ValidatorIndex, round: number): void {
    this.agreements[instance]?.onTimer(round);
    this.drainOwn();
  }

  onGraceTimer(instance: ValidatorIndex, round: number): void {
    this.agreements[instance]?.onGraceTimer(round);
    this.drainOwn();
  }

  onFetchTimer(instance: ValidatorIndex): void {
    this.askForBatch(instance);
  }

  /**
   * The height has not finished in time: re-send everything this member sent. Ask peers for theirs
   * only when some member is known to be past this height (`othersAhead`: a later height's message
   * is buffered): members still at it re-send their own votes on their own timers, so asking them
   * too only made every one of them answer with all it sent, every interval (on a slow height of a
   * 16-member committee, seven times the votes themselves). Members that moved on re-send nothing
   * of this height by themselves, and their later votes are what tells us they moved on.
   */
  onResendTimer(othersAhead: boolean): void {
    if (this.output !== null || this.self === null) return;
    for (const item of this.sent) this.sink.rebroadcast(this.height, item);
    if (othersAhead) this.sink.rebroadcast(this.height, { type: 'stateRequest' });
    this.sink.setTimer(timerIds.resend(this.height), this.timing.resendIntervalMs);
  }

  // ------------------------------------------------------------------ evidence registry

  /**
   * Records what `sender` signed in the item's slot, as a provable item (not the envelope); reports
   * a conflict with its first signed item. A sender's first votes are kept within its byte budget,
   * and its proposal's payload counts against the same budget.
   */
  checkSlot(sender: ValidatorIndex, item: ConsensusMessage, kept: KeptEnvelope, index: number): SlotCheck {
    const slot = slotOf(this.height, sender, item, kept.envelope.batchDigests[index] ?? undefined);
    if (slot === null) {
      // Requests and replies are not votes. An unsolicited batch is refused by its RBC before it is kept.
      return { kind: 'new' };
    }
    const slots = (this.slots[sender] ??= new Map());
    const record = slots.get(slot.key);
    if (record === undefined) {
      if (!kept.keep()) return { kind: 'over-budget' };
      if (item.type === 'propose' && !this.charge(sender, batchBytes(item.batch))) return { kind: 'over-budget' };
      const { envelope } = kept;
      slots.set(slot.key, {
        value: slot.value,
        from: { height: envelope.height, sender: envelope.sender, leaves: envelope.leaves, commitment: envelope.commitments[index]!, signature: envelope.signature },
        index,
        reported: false,
      });
      return { kind: 'new' };
    }
    if (sameSlotValue(record.value, slot.value)) return { kind: 'duplicate' };
    // Proofs cost a Merkle path each: only the first conflict of a slot is reported, so only it builds them.
    if (record.reported) return { kind: 'conflict-reported' };
    record.reported = true;
    const first = itemProof({ height: record.from.height, sender: record.from.sender, itemCount: record.from.leaves.length }, record.from.leaves, record.index, record.from.commitment, record.from.signature);
    return { kind: 'conflict', first, second: kept.proof(index), slot: slotName(sender, item) };
  }

  // ------------------------------------------------------------------ serving laggards

  private serveFetch(peer: ValidatorIndex, instance: ValidatorIndex, digest: Uint8Array): void {
    const batch = this.rbcs[instance]!.payload(digest);
    if (batch === null || !this.allowReply(peer, `fetch/${peer}/${instance}`, itemEncodedBytes({ type: 'batch', instance, batch }))) return;
    this.sink.send(peer, this.height, { type: 'batch', instance, batch });
  }

  private serveState(peer: ValidatorIndex): void {
    if (this.self === null || this.sent.length === 0) return;
    const bytes = this.sent.reduce((sum, item) => sum + itemEncodedBytes(item), 0);
    if (!this.allowReply(peer, `state/${peer}`, bytes)) return;
    for (const item of this.sent) this.sink.send(peer, this.height, item);
  }

  /** Replies to one peer at one height are bounded in count per kind and in bytes overall. */
  private allowReply(peer: ValidatorIndex, key: string, bytes: number): boolean {
    const served = this.servedTo.get(key) ?? 0;
    const servedBytes = this.servedBytesTo.get(peer) ?? 0;
    if (served >= this.limits.stateRepliesPerPeerHeight || servedBytes + bytes > this.limits.replyBytesPerPeerHeight) return false;
    this.servedTo.set(key, served + 1);
    this.servedBytesTo.set(peer, servedBytes + bytes);
    return true;
  }

  private askForBatch(instance: ValidatorIndex): void {
    const rbc = this.rbcs[instance]!;
    const wanted = rbc.wanted;
    if (wanted === null || this.self === null) return;
    let asked = this.fetchAsked.get(instance);
    if (asked === undefined) this.fetchAsked.set(instance, (asked = new Set()));
    let fresh = rbc.sourcesOf(wanted).filter((m) => m !== this.self && !asked.has(m));
    if (fresh.length === 0) {
      asked.clear(); // everyone was asked once: start over (replies may have been lost)
      fresh = rbc.sourcesOf(wanted).filter((m) => m !== this.self);
    }
    // Start at a member-dependent offset so laggards spread their fetches over the echoers.
    const start = fresh.length === 0 ? 0 : (this.self + this.height) % fresh.length;
    const targets = [...fresh.slice(start), ...fresh.slice(0, start)].slice(0, this.limits.fetchFanout);
    for (const to of targets) {
      asked.add(to);
      this.sink.send(to, this.height, { type: 'fetch', instance, digest: wanted });
    }
    this.sink.setTimer(timerIds.fetch(this.height, instance), this.timing.fetchRetryMs);
  }

  // ------------------------------------------------------------------ common subset

  /** A new vote of this member: remembered for laggards, then journaled and broadcast by the core. */
  private emit(item: ConsensusMessage, ownEstimate = false): void {
    this.sent.push(item);
    this.ownQueue.push(item);
    this.sink.broadcast(this.height, item, ownEstimate);
  }

  private rbcSink(proposer: ValidatorIndex) {
    return {
      broadcast: (item: ConsensusMessage) => this.emit(item),
      delivered: () => {
        this.sink.cancelTimer(timerIds.fetch(this.height, proposer));
        this.agreements[proposer]!.input(1); // step 1: a delivered batch is input 1
        this.maybeFinish();
      },
      missing: () => this.askForBatch(proposer),
    };
  }

  private agreementSink(instance: ValidatorIndex) {
    return {
      broadcast: (item: ConsensusMessage, own?: boolean) => this.emit(item, own),
      setRoundTimer: (round: number) =>
        this.sink.setTimer(timerIds.round(this.height, instance, round), roundTimeoutMs(this.timing, round)),
      cancelRoundTimer: (round: number) => this.sink.cancelTimer(timerIds.round(this.height, instance, round)),
      setGraceTimer: (round: number) => this.sink.setTimer(timerIds.grace(this.height, instance, round), catchUpGraceMs(this.timing, round)),
      cancelGraceTimer: (round: number) => this.sink.cancelTimer(timerIds.grace(this.height, instance, round)),
      decided: () => {
        this.maybeInputZeros();
        this.maybeFinish();
      },
    };
  }

  /** Step 2: once the proposers decided 1 hold a quorum of weight, input 0 everywhere else. */
  private maybeInputZeros(): void {
    if (this.zeroInputsGiven) return;
    const ones = new StakeAggregator(this.committee);
    for (const a of this.agreements) if (a.decided === 1) ones.add(a.instance);
    if (!ones.reachedQuorum) return;
    this.zeroInputsGiven = true;
    for (const a of this.agreements) if (!a.hasInput) a.input(0);
  }

  /** Step 3: every agreement decided and every batch decided 1 held: the superblock. */
  private maybeFinish(): void {
    if (this.output !== null) return;
    const included: SuperblockBatch[] = [];
    for (const a of this.agreements) {
      if (a.decided === null) return;
      if (a.decided === 0) continue;
      const held = this.rbcs[a.instance]!.delivered;
      if (held === null) return; // it arrives: an honest member delivered it (fetch from echoers)
      included.push({ proposer: a.instance, digest: held.digest, timestampMs: held.batch.timestampMs, transactions: held.batch.transactions });
    }
    this.output = assembleSuperblock(this.height, this.committee, included);
    this.sink.cancelTimer(timerIds.resend(this.height));
    this.sink.deliver(this.output);
  }
}

// ------------------------------------------------------------------ helpers

/**
 * A vote's slot among its sender's: what a sender may sign only once per height (an EST also by
 * value, since both values may legitimately be sent), as one number (slotKey). `value` is what a
 * second vote in the slot is compared with.
 */
function slotOf(height: Height, sender: ValidatorIndex, item: ConsensusMessage, digest?: Uint8Array): { key: number; value: SlotValue } | null {
  switch (item.type) {
    case 'propose':
      return { key: slotKey(0, 0, 0, 0), value: digest ?? batchDigest(height, sender, item.batch) };
    case 'echo':
      return { key: slotKey(1, 0, 0, item.instance), value: item.digest };
    case 'ready':
      return { key: slotKey(2, 0, 0, item.instance), value: item.digest };
    case 'est':
      return { key: slotKey(3, item.value, item.round, item.instance), value: 0 };
    case 'coord':
      return { key: slotKey(4, 0, item.round, item.instance), value: item.value };
    case 'aux':
      return { key: slotKey(5, 0, item.round, item.instance), value: auxValueCode(item.values) };
    case 'decided':
      return { key: slotKey(6, 0, 0, item.instance), value: item.value + 2 * item.round };
    default:
      return null; // requests and replies are not votes
  }
}

/**
 * A slot within one sender's: round, then type code (3 bits) and EST value (1 bit), then instance
 * (below SLOT_INSTANCES). Under 2^31 (a small integer, the cheap map key) while rounds stay below
 * 2^11; above, still exact (MAX_ROUND * 2^20 < 2^53).
 */
function slotKey(code: number, v: number, round: number, instance: number): number {
  return (round * 16 + code * 2 + v) * SLOT_INSTANCES + instance;
}

/** Instances are committee indices, below this (limits.ts MAX_COMMITTEE_SIZE). */
const SLOT_INSTANCES = 65_536;
if (MAX_COMMITTEE_SIZE > SLOT_INSTANCES || MAX_ROUND * 16 * SLOT_INSTANCES >= Number.MAX_SAFE_INTEGER) throw new Error('slot keys need instances below 2^16');

/** A digest (proposal, ECHO, READY) or a small number (values, a DECIDED's value and round). */
type SlotValue = Uint8Array | number;

function sameSlotValue(a: SlotValue, b: SlotValue): boolean {
  return typeof a === 'number' || typeof b === 'number' ? a === b : bytesEqual(a, b);
}

/** An AUX's value set as one number: the wire's mask (bit 0 for 0, bit 1 for 1), so order is not part of it. */
function auxValueCode(values: readonly number[]): number {
  let mask = 0;
  for (const v of values) mask |= v === 0 ? 1 : 2;
  return mask;
}

/** The slot's name in evidence and logs (stable across versions; the numeric key is internal). */
function slotName(sender: ValidatorIndex, item: ConsensusMessage): string {
  const who = `s:${sender}`;
  switch (item.type) {
    case 'propose':
      return `propose/${who}`;
    case 'echo':
    case 'ready':
      return `${item.type}/${who}/i:${item.instance}`;
    case 'est':
      return `est/${who}/i:${item.instance}/r:${item.round}/v:${item.value}`;
    case 'coord':
    case 'aux':
      return `${item.type}/${who}/i:${item.instance}/r:${item.round}`;
    default:
      return `${item.type}/${who}/i:${'instance' in item ? item.instance : 0}`;
  }
}

function fromHexNoPrefix(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

function digestOf(entry: JournalEntry | undefined): Uint8Array | null {
  return entry !== undefined && (entry.kind === 'echo' || entry.kind === 'ready') ? fromHexNoPrefix(entry.digest) : null;
}

function journalToMessage(e: JournalEntry, proposal: Batch | null): ConsensusMessage {
  switch (e.kind) {
    case 'propose':
      return { type: 'propose', batch: proposal! };
    case 'echo':
    case 'ready':
      return { type: e.kind, instance: e.instance, digest: fromHexNoPrefix(e.digest) };
    case 'est':
    case 'coord':
    case 'decided':
      return { type: e.kind, instance: e.instance, round: e.round, value: e.value };
    case 'aux':
      return { type: 'aux', instance: e.instance, round: e.round, values: e.values };
  }
}

/** The journal entry recording a vote this member signed, or null for requests and replies. */
export function messageToJournal(height: Height, self: ValidatorIndex, item: ConsensusMessage, ownEstimate: boolean): JournalEntry | null {
  switch (item.type) {
    case 'propose':
      return {
        kind: 'propose',
        height,
        digest: toHex(batchDigest(height, self, item.batch)),
        timestampMs: item.batch.timestampMs,
        transactions: item.batch.transactions.map(toHex),
      };
    case 'echo':
    case 'ready':
      return { kind: item.type, height, instance: item.instance, digest: toHex(item.digest) };
    case 'est':
      return { kind: 'est', height, instance: item.instance, round: item.round, value: item.value, own: ownEstimate };
    case 'coord':
    case 'decided':
      return { kind: item.type, height, instance: item.instance, round: item.round, value: item.value };
    case 'aux':
      return { kind: 'aux', height, instance: item.instance, round: item.round, values: [...item.values] };
    default:
      return null;
  }
}
