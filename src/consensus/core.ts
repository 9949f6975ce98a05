// The consensus core: a pure, deterministic state machine (docs/design.md, etcd raft's style).
// step(event) -> actions. No sockets, timers, clocks, randomness or files: the simulator and the
// node drive this same code. Heights run one at a time; the last RETAINED_HEIGHTS delivered
// heights are kept to answer laggards; future heights within a window are buffered, bounded.
import { bytesEqual } from '../crypto/bytes.js';
import { HeightState, messageToJournal, timerIds, type HeightSink } from './height.js';
import { ConsensusConfigError, RETAINED_HEIGHTS, resolveLimits, resolveTiming } from './limits.js';
import { coordinatorOf } from './agreement.js';
import { batchBytes, CHAIN_BINDING_BYTES, decodeSignedMessage, MessageDecodeError, type Batch, type ConsensusMessage, type SignedEnvelope } from './messages.js';
import { signingPayload, type ItemProof } from './commitment.js';
import { Outbox } from './outbox.js';
import { StakeAggregator } from './stake-aggregator.js';
import {
  DROP_REASONS,
  type Committee,
  type ConsensusCore,
  type CoreAction,
  type CoreConfig,
  type CoreEvent,
  type CoreLimits,
  type CoreStatus,
  type CoreTiming,
  type DropReason,
  type Height,
  type JournalEntry,
  type ValidatorIndex,
} from './types.js';

/** A host input the core cannot accept (a bug in the host, not in the network). */
export class ConsensusInputError extends Error {
  override readonly name = 'ConsensusInputError';
}

/** Committees cached by height; bounded to the heights the core can touch at once. */
const COMMITTEE_CACHE_MAX_ENTRIES = 64;

interface Buffered {
  readonly envelope: SignedEnvelope;
}

/**
 * While the core waits for the committee of its height (a new epoch's, drawn from the state of the
 * epoch's last block once the host has executed it), messages of that height cannot be verified:
 * they wait, unverified, within this share of the future-height buffer's bytes, and are checked
 * like any other once the committee is known. Beyond it they are dropped; the height's first
 * step asks for them again (stateRequest).
 */
const AWAITING_COMMITTEE_BUFFER_SHARE = 4;

export type { ConsensusCore, CoreStatus } from './types.js';

export function createConsensusCore(config: CoreConfig): ConsensusCore {
  return new Core(config);
}

class Core implements ConsensusCore {
  private readonly timing: CoreTiming;
  private readonly limits: CoreLimits;
  private readonly journal = new Map<Height, JournalEntry[]>();
  private readonly committees = new Map<Height, Committee>();
  private readonly retained = new Map<Height, HeightState>();
  private readonly drops = Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<DropReason, number>;
  private future: Buffered[] = [];
  /** Raw messages of the current height while its committee is unknown (unverified; bounded). */
  private awaitingCommittee: Uint8Array[] = [];
  private awaitingCommitteeBytes = 0;
  private awaitingCommitteeDropped = false;
  private futureBytes = 0;
  private readonly futurePerSender = new Map<ValidatorIndex, number>();
  private readonly futureBytesPerSender = new Map<ValidatorIndex, number>();
  private current: HeightState | null = null;
  private currentHeight: Height;
  private lastDelivered: Height;
  private evidenceCount = 0;
  private askedStateAt: Height = 0;
  private started = false;
  private out: Outbox;
  private readonly coalesce: boolean;

  constructor(private readonly config: CoreConfig) {
    if (!Number.isSafeInteger(config.startHeight) || config.startHeight < 1) {
      throw new ConsensusConfigError(`startHeight must be an integer >= 1, got ${config.startHeight}`);
    }
    if (!(config.chainBinding instanceof Uint8Array) || config.chainBinding.length !== CHAIN_BINDING_BYTES) {
      throw new ConsensusConfigError(`chainBinding must be ${CHAIN_BINDING_BYTES} bytes (chainBinding(chainId, genesisHash))`);
    }
    this.coalesce = config.coalesce ?? false;
    this.timing = resolveTiming(config.timing);
    this.limits = resolveLimits(config.limits);
    this.currentHeight = config.startHeight;
    this.lastDelivered = config.startHeight - 1;
    for (const entry of config.journal ?? []) {
      if (entry.height < config.startHeight) continue; // committed already: never needed again
      const list = this.journal.get(entry.height) ?? [];
      list.push(entry);
      this.journal.set(entry.height, list);
    }
    this.checkSelfIndex();
    this.out = this.newOutbox();
  }

  get height(): Height {
    return this.currentHeight;
  }

  step(event: CoreEvent): CoreAction[] {
    // Coalescing keeps one outbox across steps: messages wait for a 'flush' event, so the items
    // of many steps leave in one envelope per height and destination (one signature).
    if (!this.coalesce) this.out = this.newOutbox();
    // 'start' comes first by contract; a host that delivers something earlier still gets a started core.
    if (event.kind !== 'start' && !this.started) this.onStart();
    switch (event.kind) {
      case 'start':
        this.onStart();
        break;
      case 'message':
        this.onMessage(event.bytes);
        break;
      case 'timer':
        this.onTimer(event.timerId);
        break;
      case 'proposal':
        this.onProposal(event.height, event.transactions, event.timestampMs);
        break;
      case 'syncedTo':
        this.onSyncedTo(event.height);
        break;
      case 'committeeKnown':
        this.onCommitteeKnown();
        break;
      case 'flush':
        break;
    }
    this.advance();
    if (!this.coalesce) return this.out.flush();
    const actions = this.out.flushAllButMessages();
    if (event.kind === 'flush') actions.push(...this.out.messages());
    return actions;
  }

  get hasPendingSends(): boolean {
    return this.coalesce && this.out.hasMessages;
  }

  status(): CoreStatus {
    const hs = this.current;
    const committee = hs?.committee ?? this.tryCommitteeFor(this.currentHeight);
    return {
      height: this.currentHeight,
      epoch: committee?.epoch ?? null,
      selfIndex: hs?.self ?? null,
      lastDelivered: this.lastDelivered,
      proposers: (committee?.members ?? []).map((m) => ({
        index: m.index,
        batchDelivered: hs !== null && hs.rbcs[m.index]!.delivered !== null,
        decision: hs?.agreements[m.index]!.decided ?? null,
        round: hs?.agreements[m.index]!.round ?? 1,
      })),
      drops: { ...this.drops },
      evidenceCount: this.evidenceCount,
      retainedBytes: (committee?.members ?? []).map((m) => hs?.retainedFor(m.index) ?? 0),
      retainedBudgetBytes: hs?.retainedBudgetBytes ?? 0,
    };
  }

  // ------------------------------------------------------------------ events

  private onStart(): void {
    if (this.started) return;
    this.started = true;
    this.enterHeight(this.currentHeight, true);
  }

  private onMessage(bytes: Uint8Array): void {
    if (bytes.length > this.limits.maxMessageBytes) return this.drop('oversize', `${bytes.length} bytes > ${this.limits.maxMessageBytes}`);
    let envelope: SignedEnvelope;
    try {
      envelope = (this.config.decode ?? decodeSignedMessage)(bytes, this.limits);
    } catch (error) {
      if (!(error instanceof MessageDecodeError)) throw error;
      return this.drop(error.reason, error.message);
    }
    const h = envelope.height;
    if (h < this.currentHeight - RETAINED_HEIGHTS) return this.drop('stale-height', `height ${h} < ${this.currentHeight - RETAINED_HEIGHTS}`);
    if (h > this.currentHeight + this.limits.futureHeightWindow) return this.drop('future-height', `height ${h} beyond window`);
    const committee = this.tryCommitteeFor(h);
    if (committee === null) {
      // A new epoch whose committee is drawn once the epoch's last block has executed here.
      if (h >= this.currentHeight) return this.holdUntilCommitteeKnown(bytes);
      return this.drop('future-height', `no committee known for height ${h}`);
    }
    const member = committee.members[envelope.sender];
    if (member === undefined) return this.drop('not-member', `sender ${envelope.sender} not in committee of height ${h}`);
    if (!this.config.verifier.verify(member.publicKey, signingPayload(this.config.chainBinding, { height: envelope.height, sender: envelope.sender, itemCount: envelope.items.length }, envelope.root), envelope.signature)) {
      return this.drop('bad-signature', `sender ${envelope.sender} height ${h}`);
    }
    if (h > this.currentHeight) return this.buffer(envelope);
    this.process(envelope);
  }

  private onTimer(timerId: string): void {
    const round = /^h:(\d+)\/i:(\d+)\/r:(\d+)$/.exec(timerId);
    const grace = /^h:(\d+)\/i:(\d+)\/r:(\d+)\/grace$/.exec(timerId);
    const fetch = /^h:(\d+)\/fetch:(\d+)$/.exec(timerId);
    const resend = /^h:(\d+)\/resend$/.exec(timerId);
    const h = Number((round ?? grace ?? fetch ?? resend)?.[1] ?? -1);
    const hs = this.current;
    if (hs === null || h !== this.currentHeight) return; // a timer of a finished height: nothing to do
    if (round) hs.onRoundTimer(Number(round[2]), Number(round[3]));
    else if (grace) hs.onGraceTimer(Number(grace[2]), Number(grace[3]));
    else if (fetch) hs.onFetchTimer(Number(fetch[2]));
    else if (resend) hs.onResendTimer(this.future.length > 0);
  }

  private onProposal(height: Height, transactions: readonly Uint8Array[], timestampMs: number): void {
    if (!Number.isSafeInteger(timestampMs) || timestampMs < 0) {
      throw new ConsensusInputError(`proposal timestampMs must be a non-negative integer (ms since epoch), got ${timestampMs}`);
    }
    const hs = this.current;
    if (hs === null || height !== this.currentHeight || hs.proposed || hs.self === null) return;
    hs.propose(this.fitBatch(transactions, timestampMs));
  }

  /** The host learnt the committee of the height the core waits at: enter it, then check what waited. */
  private onCommitteeKnown(): void {
    if (!this.started) return;
    const waiting = this.awaitingCommittee;
    const dropped = this.awaitingCommitteeDropped;
    this.awaitingCommittee = [];
    this.awaitingCommitteeBytes = 0;
    this.awaitingCommitteeDropped = false;
    if (this.current === null && this.tryCommitteeFor(this.currentHeight) !== null) {
      this.enterHeight(this.currentHeight, false);
      // Members that entered first sent votes we could not keep: ask for them.
      if (dropped && (this.heightState(this.currentHeight)?.self ?? null) !== null) this.out.broadcast(this.currentHeight, { type: 'stateRequest' });
    } else if (dropped) {
      this.awaitingCommitteeDropped = true;
    }
    for (const bytes of waiting) this.onMessage(bytes);
  }

  private holdUntilCommitteeKnown(bytes: Uint8Array): void {
    if (this.awaitingCommitteeBytes + bytes.length > this.limits.futureBufferMaxBytes / AWAITING_COMMITTEE_BUFFER_SHARE) {
      this.awaitingCommitteeDropped = true;
      return this.drop('queue-full', `height ${this.currentHeight} waits for its committee; its buffer is full`);
    }
    this.awaitingCommittee.push(bytes);
    this.awaitingCommitteeBytes += bytes.length;
  }

  private onSyncedTo(height: Height): void {
    if (!this.started || height < this.currentHeight) return;
    if (this.current !== null) this.out.action({ kind: 'cancelTimer', timerId: timerIds.resend(this.currentHeight) });
    this.retained.clear(); // the sync skipped them: nothing retained is adjacent any more
    this.awaitingCommittee = [];
    this.awaitingCommitteeBytes = 0;
    this.awaitingCommitteeDropped = false;
    this.lastDelivered = height;
    this.enterHeight(height + 1, false);
  }

  // ------------------------------------------------------------------ heights

  private enterHeight(height: Height, starting: boolean): void {
    this.currentHeight = height;
    const committee = this.tryCommitteeFor(height);
    if (committee === null) {
      // A new epoch whose committee the host has yet to draw: wait for 'committeeKnown'.
      this.current = null;
      return;
    }
    const hs = new HeightState(height, committee, this.selfAt(committee), this.timing, this.limits, this.heightSink());
    this.current = hs;
    const journaled = this.journal.get(height) ?? [];
    const proposal = hs.restore(journaled);
    this.journal.delete(height);
    if (hs.self !== null) {
      for (const item of hs.sent) this.out.broadcast(height, item); // re-send exactly what was signed
      // After a restart, ask peers to re-send this height's votes: what we had received was lost.
      // (A fresh start at genesis has lost nothing; peers answer a laggard's votes anyway.)
      if (starting && (journaled.length > 0 || height > 1)) this.out.broadcast(height, { type: 'stateRequest' });
      if (proposal === null) this.out.action({ kind: 'requestProposal', height });
      this.out.action({ kind: 'setTimer', timerId: timerIds.resend(height), delayMs: this.timing.resendIntervalMs });
    }
    this.replayBuffered();
  }

  /** Delivers every finished height in order, then moves on (outside any height's call stack). */
  private advance(): void {
    while (this.current !== null && this.current.output !== null) {
      const done = this.current;
      this.out.action({ kind: 'deliver', superblock: done.output!, rounds: done.agreements.map((a) => a.decidedRound ?? 0) });
      this.lastDelivered = done.height;
      this.retained.set(done.height, done);
      this.retained.delete(done.height - RETAINED_HEIGHTS);
      this.enterHeight(done.height + 1, false);
    }
  }

  private heightSink(): HeightSink {
    return {
      broadcast: (height, item, own) => {
        const self = this.heightState(height)?.self ?? null;
        if (self === null) return;
        const entry = messageToJournal(height, self, item, own ?? false);
        if (entry !== null) this.out.persist(entry);
        this.out.broadcast(height, item);
      },
      rebroadcast: (height, item) => this.out.broadcast(height, item),
      send: (to, height, item) => this.out.send(to, height, item),
      setTimer: (timerId, delayMs) => this.out.action({ kind: 'setTimer', timerId, delayMs }),
      cancelTimer: (timerId) => this.out.action({ kind: 'cancelTimer', timerId }),
      deliver: () => undefined, // `advance` delivers once the height's call stack has unwound
    };
  }

  // ------------------------------------------------------------------ inbound

  private process(envelope: SignedEnvelope): void {
    const hs = this.heightState(envelope.height);
    if (hs === null) return this.drop('stale-height', `height ${envelope.height} no longer held`);
    if (envelope.sender === hs.self) return this.drop('duplicate', 'own message');
    const live = hs === this.current;
    let fresh = false;
    let invalid: { reason: DropReason; detail: string } | null = null;
    const kept = hs.keeper(envelope);
    for (const [index, item] of envelope.items.entries()) {
      const problem = this.validateItem(hs, envelope.sender, item);
      if (problem !== null) {
        invalid ??= problem;
        continue;
      }
      const check = hs.checkSlot(envelope.sender, item, kept, index);
      if (check.kind === 'duplicate') continue;
      if (check.kind === 'over-budget') {
        invalid = { reason: 'over-budget', detail: `sender ${envelope.sender} spent its byte budget at height ${envelope.height}` };
        break;
      }
      if (check.kind === 'conflict-reported') continue;
      if (check.kind === 'conflict') {
        this.reportEquivocation(envelope, check.first, check.second, check.slot);
        continue;
      }
      fresh = true;
      // A delivered height still serves requests and relays EST for members still in its rounds.
      if (live || item.type === 'fetch' || item.type === 'stateRequest' || item.type === 'est') hs.handle(envelope.sender, item, envelope.batchDigests[index] ?? undefined);
    }
    if (invalid !== null) this.drop(invalid.reason, invalid.detail);
    else if (!fresh) this.drop('duplicate', `every item from ${envelope.sender} already seen`);
  }

  private validateItem(hs: HeightState, sender: ValidatorIndex, item: ConsensusMessage): { reason: DropReason; detail: string } | null {
    if (item.type === 'propose' || item.type === 'stateRequest') return null;
    const n = hs.committee.members.length;
    if (item.instance >= n) return { reason: 'invalid', detail: `instance ${item.instance} >= committee size ${n}` };
    if (item.type === 'coord' && sender !== coordinatorOf(item.instance, item.round, n)) {
      return { reason: 'invalid', detail: `coord from ${sender}, not the coordinator of round ${item.round}` };
    }
    if ((item.type === 'est' || item.type === 'coord' || item.type === 'aux') && !hs.agreements[item.instance]!.acceptsRound(item.round, this.limits.roundLookahead)) {
      return { reason: 'future-height', detail: `round ${item.round} beyond the lookahead of instance ${item.instance}` };
    }
    return null;
  }

  private reportEquivocation(envelope: SignedEnvelope, first: ItemProof, second: ItemProof, slot: string): void {
    this.evidenceCount++;
    this.out.action({ kind: 'evidence', evidence: { kind: 'equivocation', offender: envelope.sender, height: envelope.height, first, second, slot } });
  }

  private buffer(envelope: SignedEnvelope): void {
    const count = this.futurePerSender.get(envelope.sender) ?? 0;
    const senderBytes = this.futureBytesPerSender.get(envelope.sender) ?? 0;
    const size = envelope.bytes.length;
    if (
      count >= this.limits.futureBufferMaxMessagesPerSender ||
      senderBytes + size > this.limits.futureBufferMaxBytesPerSender ||
      this.futureBytes + size > this.limits.futureBufferMaxBytes
    ) {
      return this.drop('queue-full', `future-height buffer full (sender ${envelope.sender})`);
    }
    this.futurePerSender.set(envelope.sender, count + 1);
    this.futureBytesPerSender.set(envelope.sender, senderBytes + size);
    this.futureBytes += size;
    this.future.push({ envelope });
    this.maybeAskForState();
  }

  /**
   * Members of weight >= T already sent votes of later heights: an honest one finished ours, so we
   * lag. Ask everyone once per height for what they sent at it (they keep RETAINED_HEIGHTS).
   */
  private maybeAskForState(): void {
    const hs = this.current;
    if (hs === null || hs.self === null || this.askedStateAt === this.currentHeight) return;
    const ahead = new StakeAggregator(hs.committee);
    for (const b of this.future) ahead.add(b.envelope.sender);
    if (!ahead.reachedWeak) return;
    this.askedStateAt = this.currentHeight;
    this.out.broadcast(this.currentHeight, { type: 'stateRequest' });
  }

  /** Processes buffered messages of the current height in arrival order; drops older ones. */
  private replayBuffered(): void {
    const now = this.future.filter((b) => b.envelope.height === this.currentHeight);
    if (now.length === 0 && this.future.every((b) => b.envelope.height > this.currentHeight)) return;
    const keep = this.future.filter((b) => b.envelope.height > this.currentHeight);
    this.future = keep;
    this.futureBytes = 0;
    this.futurePerSender.clear();
    this.futureBytesPerSender.clear();
    for (const b of keep) {
      this.futureBytes += b.envelope.bytes.length;
      this.futurePerSender.set(b.envelope.sender, (this.futurePerSender.get(b.envelope.sender) ?? 0) + 1);
      this.futureBytesPerSender.set(b.envelope.sender, (this.futureBytesPerSender.get(b.envelope.sender) ?? 0) + b.envelope.bytes.length);
    }
    for (const b of now) this.process(b.envelope);
  }

  // ------------------------------------------------------------------ helpers

  /** Keeps the longest prefix of the host's transactions within the batch limits; the rest stays pending. */
  private fitBatch(transactions: readonly Uint8Array[], timestampMs: number): Batch {
    const kept: Uint8Array[] = [];
    let bytes = 0;
    for (const tx of transactions) {
      if (kept.length >= this.limits.maxBatchTransactions || bytes + tx.length > this.limits.maxBatchBytes) break;
      kept.push(tx);
      bytes += tx.length;
    }
    const batch = { timestampMs, transactions: kept };
    if (batchBytes(batch) > this.limits.maxBatchBytes) throw new Error('assertion: fitted batch exceeds maxBatchBytes');
    return batch;
  }

  private heightState(height: Height): HeightState | null {
    if (this.current !== null && height === this.currentHeight) return this.current;
    return this.retained.get(height) ?? null;
  }

  private selfAt(committee: Committee): ValidatorIndex | null {
    if (this.config.selfIndex === null) return null;
    const me = committee.members.find((m) => bytesEqual(m.publicKey, this.config.signer.publicKey));
    return me?.index ?? null;
  }

  private checkSelfIndex(): void {
    const index = this.config.selfIndex;
    if (index === null || index === 'by-key') return;
    const member = this.committeeFor(this.config.startHeight).members[index];
    if (member !== undefined && !bytesEqual(member.publicKey, this.config.signer.publicKey)) {
      throw new ConsensusConfigError(`selfIndex ${index} holds another public key than the signer's: pass the signer of that member`);
    }
  }

  private committeeFor(height: Height): Committee {
    let committee = this.committees.get(height);
    if (committee === undefined) {
      committee = this.config.committeeForHeight(height);
      if (this.committees.size >= COMMITTEE_CACHE_MAX_ENTRIES) this.committees.clear();
      this.committees.set(height, committee);
    }
    return committee;
  }

  private tryCommitteeFor(height: Height): Committee | null {
    try {
      return this.committeeFor(height);
    } catch {
      return null; // the host does not know that epoch yet
    }
  }

  private drop(reason: DropReason, detail?: string): void {
    this.drops[reason]++;
    this.out.action(detail === undefined ? { kind: 'dropped', reason } : { kind: 'dropped', reason, detail });
  }

  private newOutbox(): Outbox {
    return new Outbox(this.config.signer, this.config.chainBinding, this.limits, (height) => this.heightState(height)?.self ?? null);
  }
}
