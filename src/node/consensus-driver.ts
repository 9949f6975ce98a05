// Drives the pure consensus core with real time, the transport and the vote journal:
// events go through one queue and the core steps them one at a time; 'persist' actions are made
// durable before any other action of their step leaves the node (persist, then send).
// Group commit: every event already queued is stepped before anything is performed, and the
// journal entries of all those steps go to disk in ONE write, then their actions run in order.
// A burst of peer votes used to cost one fsync per vote, serially, on every height's critical
// path; persisting a vote earlier than needed is always safe (a restart re-sends what was signed).
import { DEFAULT_LIMITS } from '../consensus/limits.js';
import type { ConsensusCore, CoreAction, CoreEvent, Superblock } from '../consensus/types.js';
import { systemClock, type CancelTimer, type Clock } from './clock.js';
import type { Logger } from './logger.js';
import type { NodeMetrics } from './metrics.js';

/** Bound on queued events: beyond it, incoming consensus messages are dropped (peers resend). */
export const MAX_PENDING_EVENTS = 100_000;
/**
 * Bytes of consensus messages queued from one peer and not yet stepped: room for a few full
 * messages (a batch each), far more than an honest member has in flight; beyond it that peer's
 * messages are dropped (its honest votes come back with the resend timer).
 */
export const MAX_QUEUED_BYTES_PER_PEER = 4 * DEFAULT_LIMITS.maxMessageBytes;
/** Bytes queued from all peers together; above it the transport stops reading (backpressure)… */
export const MAX_QUEUED_BYTES_TOTAL = 16 * DEFAULT_LIMITS.maxMessageBytes;
/** …until the queue has drained below this. */
export const RESUME_READING_BELOW_BYTES = MAX_QUEUED_BYTES_TOTAL / 2;
if (!(MAX_QUEUED_BYTES_PER_PEER >= 2 * DEFAULT_LIMITS.maxMessageBytes && MAX_QUEUED_BYTES_TOTAL > MAX_QUEUED_BYTES_PER_PEER)) {
  throw new Error('consensus-driver: per-peer queue must hold two full messages and the total more than one peer');
}
/** Most events stepped before their journal entries are written together (one fsync). */
export const MAX_STEPS_PER_JOURNAL_WRITE = 256;
/**
 * Coalescing window: after a flush, votes gather for at least this long before the next one
 * leaves, so that under a burst the votes of every instance share one envelope (messages per
 * height grow as N², not N³). The first flush after a quiet spell leaves at once: a lone
 * transaction's height pays nothing.
 */
export const DEFAULT_FLUSH_INTERVAL_MS = 1;

export interface DriverHost {
  /** Makes journal entries durable; resolves once fsync'ed. */
  persist(entries: readonly unknown[], height: number): Promise<void>;
  broadcast(bytes: Uint8Array): void;
  send(to: number, bytes: Uint8Array): void;
  /** The core asks for this member's batch of `height`; the host calls `propose` when ready. */
  requestProposal(height: number): void;
  /** A superblock is final: execute and store it before the driver handles the next event. */
  deliver(superblock: Superblock, rounds: readonly number[]): Promise<void>;
  evidence(action: Extract<CoreAction, { kind: 'evidence' }>): void;
  /** The driver hit a failure it cannot vote past (disk full, corrupt store): stop the validator. */
  fatal(error: unknown): void;
  /** Backpressure: stop (true) or resume (false) reading peers' sockets. */
  pauseReading?(paused: boolean): void;
}

type QueuedTask =
  | { readonly kind: 'event'; readonly event: CoreEvent; readonly peer?: string; readonly bytes?: number }
  | { readonly kind: 'task'; readonly run: () => Promise<void> };

export class ConsensusDriver {
  private readonly queue: QueuedTask[] = [];
  private readonly timers = new Map<string, CancelTimer>();
  private readonly queuedBytesOf = new Map<string, number>();
  private queuedBytes = 0;
  private readingPaused = false;
  private draining = false;
  private running: Promise<void> | undefined;
  private flushScheduled = false;
  private lastFlushMs = -Infinity;
  private stopped = false;

  constructor(
    private readonly core: ConsensusCore,
    private readonly host: DriverHost,
    private readonly logger: Logger,
    private readonly metrics: NodeMetrics,
    private readonly clock: Clock = systemClock,
    private readonly flushIntervalMs: number = DEFAULT_FLUSH_INTERVAL_MS,
  ) {}

  get height(): number {
    return this.core.height;
  }

  status(): ReturnType<ConsensusCore['status']> {
    return this.core.status();
  }

  start(): void {
    this.enqueue({ kind: 'event', event: { kind: 'start' } });
  }

  /** Raw consensus bytes from a peer (untrusted: the core checks them). */
  onMessage(bytes: Uint8Array, peer = ''): void {
    const fromPeer = this.queuedBytesOf.get(peer) ?? 0;
    if (this.queue.length >= MAX_PENDING_EVENTS || fromPeer + bytes.length > MAX_QUEUED_BYTES_PER_PEER || this.queuedBytes + bytes.length > MAX_QUEUED_BYTES_TOTAL) {
      this.metrics.dropped.inc({ reason: 'queue-full' });
      return;
    }
    this.queuedBytesOf.set(peer, fromPeer + bytes.length);
    this.queuedBytes += bytes.length;
    if (!this.readingPaused && this.queuedBytes > RESUME_READING_BELOW_BYTES * 1.5) {
      this.readingPaused = true;
      this.host.pauseReading?.(true);
    }
    this.enqueue({ kind: 'event', event: { kind: 'message', bytes }, peer, bytes: bytes.length });
  }

  /** Bytes of peers' messages waiting to be stepped (for tests and metrics). */
  queuedBytesFrom(peer: string): number {
    return this.queuedBytesOf.get(peer) ?? 0;
  }

  propose(height: number, transactions: readonly Uint8Array[], timestampMs: number): void {
    this.enqueue({ kind: 'event', event: { kind: 'proposal', height, transactions, timestampMs } });
  }

  syncedTo(height: number): void {
    this.enqueue({ kind: 'event', event: { kind: 'syncedTo', height } });
  }

  /** The committee of a new epoch is drawn: the core may be waiting for it. */
  committeeKnown(): void {
    this.enqueue({ kind: 'event', event: { kind: 'committeeKnown' } });
  }

  /** Runs `run` in the same queue as consensus events: block execution never interleaves. */
  runExclusive(run: () => Promise<void>): void {
    this.enqueue({ kind: 'task', run });
  }

  stop(): void {
    this.stopped = true;
    for (const cancel of this.timers.values()) cancel();
    this.timers.clear();
    this.queue.length = 0;
    this.queuedBytesOf.clear();
    this.queuedBytes = 0;
  }

  private dequeue(): QueuedTask | undefined {
    const task = this.queue.shift();
    if (task?.kind === 'event' && task.bytes !== undefined) {
      const peer = task.peer ?? '';
      const left = (this.queuedBytesOf.get(peer) ?? 0) - task.bytes;
      if (left <= 0) this.queuedBytesOf.delete(peer);
      else this.queuedBytesOf.set(peer, left);
      this.queuedBytes -= task.bytes;
      if (this.readingPaused && this.queuedBytes < RESUME_READING_BELOW_BYTES) {
        this.readingPaused = false;
        this.host.pauseReading?.(false);
      }
    }
    return task;
  }

  /**
   * Resolves once the task running when the driver was stopped has finished (a block being
   * executed and stored): the node closes its stores only then, or that task would fail on a
   * closed store and stop the validator as if it had broken.
   */
  whenIdle(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  private enqueue(task: QueuedTask): void {
    if (this.stopped) return;
    this.queue.push(task);
    if (!this.draining) this.running = this.drain().catch((error: unknown) => this.logger.fatal({ err: error }, 'consensus driver failed'));
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.queue.length > 0 && !this.stopped) {
        const task = this.dequeue()!;
        if (task.kind === 'task') await task.run();
        else await this.perform(this.stepQueued(task.event));
      }
      this.scheduleFlush();
    } catch (error) {
      // A failure here (disk full, corrupt store) must stop the validator rather than let it vote on.
      this.logger.fatal({ err: error }, 'consensus driver failed; stopping the validator');
      this.stop();
      this.host.fatal(error);
    } finally {
      this.draining = false;
    }
  }

  /**
   * Coalescing: once everything queued has been stepped, the votes of all those steps leave in
   * one envelope per height and destination — after the turn of the event loop, so that frames
   * read in the same turn are stepped first.
   */
  private scheduleFlush(): void {
    if (this.flushScheduled || this.stopped || !this.core.hasPendingSends) return;
    this.flushScheduled = true;
    const run = (): void => {
      this.flushScheduled = false;
      this.lastFlushMs = this.clock.now();
      this.enqueue({ kind: 'event', event: { kind: 'flush' } });
    };
    const waitMs = this.lastFlushMs + this.flushIntervalMs - this.clock.now();
    if (waitMs <= 0) this.clock.defer(run);
    else this.clock.setTimer(run, waitMs);
  }

  /** Signs and sends what waits, now (before a block executes, so votes do not wait behind it). */
  private flushNow(): void {
    if (!this.core.hasPendingSends) return;
    this.lastFlushMs = this.clock.now();
    for (const action of this.core.step({ kind: 'flush' })) {
      if (action.kind === 'broadcast') this.host.broadcast(action.bytes);
      else if (action.kind === 'send') this.host.send(action.to, action.bytes);
    }
  }

  /** Steps `first` and every event queued behind it (up to the bound; a task ends the run). */
  private stepQueued(first: CoreEvent): CoreAction[] {
    const actions = this.core.step(first);
    for (let steps = 1; steps < MAX_STEPS_PER_JOURNAL_WRITE && this.queue[0]?.kind === 'event'; steps++) {
      const next = this.dequeue() as Extract<QueuedTask, { kind: 'event' }>;
      for (const action of this.core.step(next.event)) actions.push(action);
    }
    return actions;
  }

  /** Journal entries first, durable in one write; then every other action in order. */
  private async perform(actions: readonly CoreAction[]): Promise<void> {
    const entries: unknown[] = [];
    let height = 0;
    for (const action of actions) {
      if (action.kind !== 'persist') continue;
      entries.push(action.entry);
      // Labelled with the highest height: pruned no earlier than its latest entry allows.
      height = Math.max(height, action.entry.height);
    }
    if (entries.length > 0) await this.host.persist(entries, height);
    for (const action of actions) {
      if (this.stopped) return;
      switch (action.kind) {
        case 'persist':
          break;
        case 'broadcast':
          this.host.broadcast(action.bytes);
          break;
        case 'send':
          this.host.send(action.to, action.bytes);
          break;
        case 'setTimer':
          this.setTimer(action.timerId, action.delayMs);
          break;
        case 'cancelTimer':
          this.timers.get(action.timerId)?.();
          this.timers.delete(action.timerId);
          break;
        case 'requestProposal':
          this.host.requestProposal(action.height);
          break;
        case 'deliver':
          // Every vote of the steps so far is journaled (above): send them before executing.
          this.flushNow();
          await this.host.deliver(action.superblock, action.rounds ?? []);
          break;
        case 'evidence':
          this.metrics.evidence.inc();
          this.host.evidence(action);
          break;
        case 'dropped':
          this.metrics.dropped.inc({ reason: action.reason });
          if (action.reason !== 'stale-height' && action.reason !== 'duplicate') {
            this.logger.debug({ reason: action.reason, detail: action.detail }, 'consensus message dropped');
          }
          break;
      }
    }
  }

  private setTimer(timerId: string, delayMs: number): void {
    this.timers.get(timerId)?.();
    const cancel = this.clock.setTimer(() => {
      this.timers.delete(timerId);
      this.enqueue({ kind: 'event', event: { kind: 'timer', timerId } });
    }, Math.max(0, delayMs));
    this.timers.set(timerId, cancel);
  }
}
