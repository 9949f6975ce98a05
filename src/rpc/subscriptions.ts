// eth_subscribe over WebSocket: newHeads, logs (address/topics filter) and
// newPendingTransactions (hashes, or full objects with `true`). One hub fans each event out to
// every subscription; a new head is serialized once and sent to all newHeads subscribers.
// New blocks are queued and fanned out after the engine's commit call has returned, in slices
// that let the event loop through: the per-subscriber matching never runs inside block
// execution. A subscriber's own send drops it when it is too slow (server.ts); nobody waits.
import { randomBytes } from 'node:crypto';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { BlockRecord, Hex, ReceiptRecord } from '../chain/types.js';
import { ClientRegistry, criteriaWeight, type Reservation } from './clients.js';
import { invalidParam, limitExceeded } from './errors.js';
import { formatBlockHeader, formatLog } from './format.js';
import { parseLogCriteria, logMatches, type LogCriteria } from './logs.js';
import type { MethodContext, SubscriptionSession } from './methods/context.js';
import { describe, parseBool, parseObject } from './params.js';

export const MAX_SUBSCRIPTIONS_PER_CONNECTION = 128;
export const MAX_SUBSCRIPTIONS_TOTAL = 16_384;
/** Blocks waiting for fan-out; past it the oldest is dropped (its notifications are lost). */
export const MAX_QUEUED_BLOCKS_FOR_FANOUT = 256;
/** Subscription-times-log matches done before the fan-out lets the event loop through. */
export const FANOUT_MATCHES_PER_SLICE = 20_000;

type Send = (text: string) => void;

type SubscriptionKind =
  | { readonly kind: 'newHeads'; readonly send: Send }
  | { readonly kind: 'logs'; readonly send: Send; readonly criteria: LogCriteria }
  | { readonly kind: 'newPendingTransactions'; readonly send: Send; readonly full: boolean };

type Subscription = SubscriptionKind & { readonly owner: Reservation };

interface QueuedBlock {
  readonly block: BlockRecord;
  readonly receipts: readonly ReceiptRecord[];
}

/** Who subscribes when no client is named (direct use in tests and tools). */
const LOCAL_CLIENT = 'local';

function notification(id: Hex, resultJson: string): string {
  return `{"jsonrpc":"2.0","method":"eth_subscription","params":{"subscription":"${id}","result":${resultJson}}}`;
}

export class SubscriptionHub {
  private readonly subscriptions = new Map<Hex, Subscription>();
  private readonly queue: QueuedBlock[] = [];
  private draining = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly ctx: MethodContext,
    private readonly clients: ClientRegistry = new ClientRegistry(),
  ) {}

  get size(): number {
    return this.subscriptions.size;
  }

  /** The subscription side of one WebSocket connection; call close() when it goes away. */
  connect(send: Send, client = LOCAL_CLIENT): SubscriptionSession & { close(): void } {
    const own = new Set<Hex>();
    return {
      subscribe: (kind, params) => {
        if (own.size >= MAX_SUBSCRIPTIONS_PER_CONNECTION) {
          throw limitExceeded(`too many subscriptions on this connection: at most ${MAX_SUBSCRIPTIONS_PER_CONNECTION}`);
        }
        const id = this.add(this.parse(kind, params, send), client);
        own.add(id);
        return id;
      },
      unsubscribe: (id) => {
        const key = id.toLowerCase() as Hex;
        if (!own.delete(key)) return false;
        return this.remove(key);
      },
      close: () => {
        for (const id of own) this.remove(id);
        own.clear();
      },
    };
  }

  /**
   * Queues a new block for its subscribers and returns at once: the engine calls this from its
   * commit path, so the matching and sending happen later, off this call.
   */
  publishBlock(block: BlockRecord, receipts: readonly ReceiptRecord[]): void {
    if (this.queue.length >= MAX_QUEUED_BLOCKS_FOR_FANOUT) this.queue.shift();
    this.queue.push({ block, receipts });
    if (!this.draining) {
      this.draining = true;
      setImmediate(() => {
        this.drain().catch(() => undefined); // a formatting bug must not take the node down
      });
    }
  }

  /** Resolves once every queued block has been fanned out (tests, shutdown). */
  whenIdle(): Promise<void> {
    if (!this.draining) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async drain(): Promise<void> {
    try {
      let matches = 0;
      for (let next = this.queue.shift(); next !== undefined; next = this.queue.shift()) {
        const { block, receipts } = next;
        const logCount = receipts.reduce((n, r) => n + r.logs.length, 0);
        let header: string | undefined;
        for (const [id, sub] of [...this.subscriptions]) {
          if (matches >= FANOUT_MATCHES_PER_SLICE) {
            matches = 0;
            await yieldToEventLoop();
          }
          if (!this.subscriptions.has(id)) continue; // unsubscribed meanwhile
          matches++;
          if (sub.kind === 'newHeads') {
            header ??= JSON.stringify(formatBlockHeader(block));
            sub.send(notification(id, header));
          } else if (sub.kind === 'logs') {
            matches += logCount;
            for (const receipt of receipts) {
              for (const log of receipt.logs) {
                if (logMatches(log, sub.criteria)) sub.send(notification(id, JSON.stringify(formatLog(log, block.timestamp))));
              }
            }
          }
        }
      }
    } finally {
      this.draining = false;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  publishPending(hash: Hex): void {
    let full: string | undefined;
    for (const [id, sub] of this.subscriptions) {
      if (sub.kind !== 'newPendingTransactions') continue;
      if (!sub.full) {
        sub.send(notification(id, `"${hash}"`));
        continue;
      }
      if (full === undefined) {
        const pending = this.ctx.backend.getPendingTransaction?.(hash);
        full = pending === undefined ? `"${hash}"` : JSON.stringify(this.ctx.txFormatter.formatPending(pending));
      }
      sub.send(notification(id, full));
    }
  }

  private add(sub: SubscriptionKind, client: string): Hex {
    if (this.subscriptions.size >= MAX_SUBSCRIPTIONS_TOTAL) {
      throw limitExceeded(`too many subscriptions on this node: at most ${MAX_SUBSCRIPTIONS_TOTAL}`);
    }
    const owner = this.clients.reserve(client, 'subscription', sub.kind === 'logs' ? criteriaWeight(sub.criteria) : 0);
    const id = `0x${randomBytes(16).toString('hex')}` as Hex;
    this.subscriptions.set(id, { ...sub, owner });
    return id;
  }

  private remove(id: Hex): boolean {
    const sub = this.subscriptions.get(id);
    if (sub === undefined) return false;
    this.subscriptions.delete(id);
    this.clients.release(sub.owner);
    return true;
  }

  private parse(kind: string, params: readonly unknown[], send: Send): SubscriptionKind {
    switch (kind) {
      case 'newHeads':
        return { kind, send };
      case 'logs': {
        const criteria = params[0] === undefined || params[0] === null ? {} : parseLogCriteria(parseObject(params[0], 1, 'logs filter'), 1);
        return { kind, send, criteria };
      }
      case 'newPendingTransactions':
        return { kind, send, full: params[0] === undefined || params[0] === null ? false : parseBool(params[0], 1, 'full transactions flag') };
      default:
        throw invalidParam(0, `no "${describe(kind).slice(1, -1)}" subscription: use newHeads, logs or newPendingTransactions`);
    }
  }
}
