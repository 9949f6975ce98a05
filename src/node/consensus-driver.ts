// Drives the pure consensus core with real time, the transport and the vote journal:
// events go through one queue and the core steps them one at a time; 'persist' actions are made
// durable before any other action of their step leaves the node (persist, then send).
// Group commit: every event already queued is stepped before anything is performed, and the
// journal entries of all those steps go to disk in ONE write, then their actions run in order.
// A burst of peer votes used to cost one fsync per vote, serially, on every height's critical
// path; persisting a vote earlier than needed is always safe (a restart re-sends what was signed).
import type { ConsensusCore, CoreAction, CoreEvent, Superblock } from '../consensus/types.js';
import type { Logger } from './logger.js';
import type { NodeMetrics } from './metrics.js';

/** Bound on queued events: beyond it, incoming consensus messages are dropped (peers resend). */
export const MAX_PENDING_EVENTS = 100_000;
/** Most events stepped before their journal entries are written together (one fsync). */
export const MAX_STEPS_PER_JOURNAL_WRITE = 256;

export interface DriverHost {
  /** Makes journal entries durable; resolves once fsync'ed. */
  persist(entries: readonly unknown[], height: number): Promise<void>;
  broadcast(bytes: Uint8Array): void;
  send(to: number, bytes: Uint8Array): void;
  /** The core asks for this member's batch of `height`; the host calls `propose` when ready. */
  requestProposal(height: number): void;
  /** A superblock is final: execute and store it before the driver handles the next event. */
  deliver(superblock: Superblock): Promise<void>;
  evidence(action: Extract<CoreAction, { kind: 'evidence' }>): void;
}

type QueuedTask = { readonly kind: 'event'; readonly event: CoreEvent } | { readonly kind: 'task'; readonly run: () => Promise<void> };

export class ConsensusDriver {
  private readonly queue: QueuedTask[] = [];
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private draining = false;
  private stopped = false;

  constructor(
    private readonly core: ConsensusCore,
    private readonly host: DriverHost,
    private readonly logger: Logger,
    private readonly metrics: NodeMetrics,
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
  onMessage(bytes: Uint8Array): void {
    if (this.queue.length >= MAX_PENDING_EVENTS) {
      this.metrics.dropped.inc({ reason: 'queue-full' });
      return;
    }
    this.enqueue({ kind: 'event', event: { kind: 'message', bytes } });
  }

  propose(height: number, transactions: readonly Uint8Array[], timestampMs: number): void {
    this.enqueue({ kind: 'event', event: { kind: 'proposal', height, transactions, timestampMs } });
  }

  syncedTo(height: number): void {
    this.enqueue({ kind: 'event', event: { kind: 'syncedTo', height } });
  }

  /** Runs `run` in the same queue as consensus events: block execution never interleaves. */
  runExclusive(run: () => Promise<void>): void {
    this.enqueue({ kind: 'task', run });
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.queue.length = 0;
  }

  private enqueue(task: QueuedTask): void {
    if (this.stopped) return;
    this.queue.push(task);
    if (!this.draining) this.drain().catch((error: unknown) => this.logger.fatal({ err: error }, 'consensus driver failed'));
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.queue.length > 0 && !this.stopped) {
        const task = this.queue.shift()!;
        if (task.kind === 'task') await task.run();
        else await this.perform(this.stepQueued(task.event));
      }
    } catch (error) {
      // A failure here (disk full, corrupt store) must stop the validator rather than let it vote on.
      this.logger.fatal({ err: error }, 'consensus driver failed; stopping the validator');
      this.stop();
      process.exitCode = 1;
      process.kill(process.pid, 'SIGTERM');
    } finally {
      this.draining = false;
    }
  }

  /** Steps `first` and every event queued behind it (up to the bound; a task ends the run). */
  private stepQueued(first: CoreEvent): CoreAction[] {
    const actions = this.core.step(first);
    for (let steps = 1; steps < MAX_STEPS_PER_JOURNAL_WRITE && this.queue[0]?.kind === 'event'; steps++) {
      const next = this.queue.shift() as Extract<QueuedTask, { kind: 'event' }>;
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
          clearTimeout(this.timers.get(action.timerId));
          this.timers.delete(action.timerId);
          break;
        case 'requestProposal':
          this.host.requestProposal(action.height);
          break;
        case 'deliver':
          await this.host.deliver(action.superblock);
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
    clearTimeout(this.timers.get(timerId));
    const timer = setTimeout(() => {
      this.timers.delete(timerId);
      this.enqueue({ kind: 'event', event: { kind: 'timer', timerId } });
    }, Math.max(0, delayMs));
    timer.unref?.();
    this.timers.set(timerId, timer);
  }
}
