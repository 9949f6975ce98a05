// Transaction gossip: transactions this node admitted go to every peer. After a quiet spell the
// first leaves after the current task (with whatever that task admitted: a JSON-RPC batch), since
// its owner may be a peer and a lone transaction's wait is a developer's round trip; after a
// flush, the next ones gather for GOSSIP_FLUSH_MS into one frame. Frames from peers are admitted
// in slices that yield to the event loop, so consensus messages never wait behind a frame's
// sender recoveries. A peer may have at most MAX_GOSSIP_FRAMES_IN_FLIGHT_PER_PEER frames being
// admitted; further frames are dropped.
import type { Mempool } from '../mempool/index.js';
import type { Transport } from '../net/transport.js';
import type { CancelTimer, Clock } from './clock.js';
import type { NodeMetrics } from './metrics.js';
import { CHANNEL, MAX_GOSSIP_TRANSACTIONS_PER_FRAME, decodeTransactions, encodeTransactions } from './wire.js';

/** After a flush, transactions gossiped to peers are gathered for this long into one frame… */
export const GOSSIP_FLUSH_MS = 2;
/** …or until this many are waiting. */
export const MAX_GOSSIP_BATCH = 2_048;
/** Gossiped transactions admitted between two turns of the event loop (consensus must not wait). */
export const GOSSIP_ADMIT_SLICE = 128;
/** Frames from one peer being admitted at once; more are dropped (the sender's pool keeps them). */
export const MAX_GOSSIP_FRAMES_IN_FLIGHT_PER_PEER = 2;
if (MAX_GOSSIP_BATCH > MAX_GOSSIP_TRANSACTIONS_PER_FRAME) throw new Error('gossip: a flushed batch must fit in one frame');

export interface TransactionGossipOptions {
  readonly clock: Clock;
  readonly link: Pick<Transport, 'broadcast'>;
  readonly mempool: Pick<Mempool, 'add'>;
  readonly metrics: NodeMetrics;
}

export class TransactionGossip {
  private queue: Uint8Array[] = [];
  private cancelFlush: CancelTimer | undefined;
  private flushScheduled = false;
  private lastFlushMs = -Infinity;
  private readonly inFlight = new Map<string, number>();
  private stopped = false;

  constructor(private readonly options: TransactionGossipOptions) {}

  /** Sends an admitted transaction to every peer (soon, in one frame with others). */
  gossip(raw: Uint8Array): void {
    if (this.stopped) return;
    this.queue.push(raw);
    if (this.queue.length >= MAX_GOSSIP_BATCH) return this.flush();
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    const { clock } = this.options;
    const waitMs = this.lastFlushMs + GOSSIP_FLUSH_MS - clock.now();
    if (waitMs <= 0) clock.defer(() => this.flush());
    else this.cancelFlush = clock.setTimer(() => this.flush(), waitMs);
  }

  /**
   * Admits a peer's frame. Decoding errors reject (WireError: the caller counts the frame);
   * a transaction that fails admission (known, nonce used, invalid) is simply not kept.
   */
  async onFrame(peer: string, payload: Uint8Array): Promise<void> {
    const running = this.inFlight.get(peer) ?? 0;
    if (running >= MAX_GOSSIP_FRAMES_IN_FLIGHT_PER_PEER) {
      this.options.metrics.dropped.inc({ reason: 'gossip-busy' });
      return;
    }
    const transactions = decodeTransactions(payload);
    this.inFlight.set(peer, running + 1);
    try {
      for (const [index, raw] of transactions.entries()) {
        if (index > 0 && index % GOSSIP_ADMIT_SLICE === 0) await new Promise<void>((resolve) => this.options.clock.defer(resolve));
        if (this.stopped) return;
        await this.options.mempool.add(raw, 'peer').catch(() => undefined);
      }
    } finally {
      const left = (this.inFlight.get(peer) ?? 1) - 1;
      if (left === 0) this.inFlight.delete(peer);
      else this.inFlight.set(peer, left);
    }
  }

  stop(): void {
    this.stopped = true;
    this.cancelFlush?.();
    this.cancelFlush = undefined;
    this.queue = [];
  }

  private flush(): void {
    this.cancelFlush?.();
    this.cancelFlush = undefined;
    this.flushScheduled = false;
    if (this.queue.length === 0 || this.stopped) return;
    this.lastFlushMs = this.options.clock.now();
    const batch = this.queue;
    this.queue = [];
    this.options.metrics.messagesOut.inc({ channel: 'transactions' });
    this.options.link.broadcast(CHANNEL.transactions, encodeTransactions(batch));
  }
}
