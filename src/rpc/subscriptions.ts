// eth_subscribe over WebSocket: newHeads, logs (address/topics filter) and
// newPendingTransactions (hashes, or full objects with `true`). One hub fans each event out to
// every subscription; a new head is serialized once and sent to all newHeads subscribers.
import { randomBytes } from 'node:crypto';
import type { BlockRecord, Hex, ReceiptRecord } from '../chain/types.js';
import { invalidParam, limitExceeded } from './errors.js';
import { formatBlockHeader, formatLog } from './format.js';
import { parseLogCriteria, logMatches, type LogCriteria } from './logs.js';
import type { MethodContext, SubscriptionSession } from './methods/context.js';
import { describe, parseBool, parseObject } from './params.js';

export const MAX_SUBSCRIPTIONS_PER_CONNECTION = 128;
export const MAX_SUBSCRIPTIONS_TOTAL = 16_384;

type Send = (text: string) => void;

type Subscription =
  | { readonly kind: 'newHeads'; readonly send: Send }
  | { readonly kind: 'logs'; readonly send: Send; readonly criteria: LogCriteria }
  | { readonly kind: 'newPendingTransactions'; readonly send: Send; readonly full: boolean };

function notification(id: Hex, resultJson: string): string {
  return `{"jsonrpc":"2.0","method":"eth_subscription","params":{"subscription":"${id}","result":${resultJson}}}`;
}

export class SubscriptionHub {
  private readonly subscriptions = new Map<Hex, Subscription>();

  constructor(private readonly ctx: MethodContext) {}

  get size(): number {
    return this.subscriptions.size;
  }

  /** The subscription side of one WebSocket connection; call close() when it goes away. */
  connect(send: Send): SubscriptionSession & { close(): void } {
    const own = new Set<Hex>();
    return {
      subscribe: (kind, params) => {
        if (own.size >= MAX_SUBSCRIPTIONS_PER_CONNECTION) {
          throw limitExceeded(`too many subscriptions on this connection: at most ${MAX_SUBSCRIPTIONS_PER_CONNECTION}`);
        }
        const id = this.add(this.parse(kind, params, send));
        own.add(id);
        return id;
      },
      unsubscribe: (id) => {
        const key = id.toLowerCase() as Hex;
        if (!own.delete(key)) return false;
        return this.subscriptions.delete(key);
      },
      close: () => {
        for (const id of own) this.subscriptions.delete(id);
        own.clear();
      },
    };
  }

  publishBlock(block: BlockRecord, receipts: readonly ReceiptRecord[]): void {
    let header: string | undefined;
    for (const [id, sub] of this.subscriptions) {
      if (sub.kind === 'newHeads') {
        header ??= JSON.stringify(formatBlockHeader(block));
        sub.send(notification(id, header));
      } else if (sub.kind === 'logs') {
        for (const receipt of receipts) {
          for (const log of receipt.logs) {
            if (logMatches(log, sub.criteria)) sub.send(notification(id, JSON.stringify(formatLog(log, block.timestamp))));
          }
        }
      }
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

  private add(sub: Subscription): Hex {
    if (this.subscriptions.size >= MAX_SUBSCRIPTIONS_TOTAL) {
      throw limitExceeded(`too many subscriptions on this node: at most ${MAX_SUBSCRIPTIONS_TOTAL}`);
    }
    const id = `0x${randomBytes(16).toString('hex')}` as Hex;
    this.subscriptions.set(id, sub);
    return id;
  }

  private parse(kind: string, params: readonly unknown[], send: Send): Subscription {
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
