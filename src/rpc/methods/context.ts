// What every method handler receives: the backend, the shared formatters and caches, the
// filter manager, and the calling session (WebSocket connections can subscribe).
import type { BlockRecord, Hex } from '../../chain/types.js';
import { UnlockedAccounts } from '../accounts.js';
import type { RpcBackend } from '../backend.js';
import type { FilterManager } from '../filters.js';
import { formatBlock, formatLog, formatReceipt, type Json, type JsonObject, TransactionFormatter } from '../format.js';
import { LruCache } from '../lru.js';
import type { LogRecord } from '../../chain/types.js';

/** Formatted transactions kept in memory (each ~1 KB). */
export const MAX_CACHED_TRANSACTIONS = 16_384;

export interface SubscriptionSession {
  subscribe(kind: string, params: readonly unknown[]): Hex;
  unsubscribe(id: Hex): boolean;
}

export interface Session {
  /** Who is calling (client IP), for logs and rate limits. */
  readonly client: string;
  /** Present on WebSocket connections only. */
  readonly subscriptions?: SubscriptionSession;
}

export type Handler = (params: readonly unknown[], ctx: MethodContext, session: Session) => Json | Promise<Json>;

export interface MethodSpec {
  readonly handler: Handler;
  readonly minParams: number;
  readonly maxParams: number;
}

export function method(minParams: number, maxParams: number, handler: Handler): MethodSpec {
  return { handler, minParams, maxParams };
}

export class MethodContext {
  readonly txFormatter: TransactionFormatter;
  private readonly txCache = new LruCache<Hex, JsonObject>(MAX_CACHED_TRANSACTIONS);

  constructor(
    readonly backend: RpcBackend,
    readonly filters: FilterManager,
    /** Keys the node signs with (eth_accounts, eth_sendTransaction, ...); empty unless a devnet unlocked them. */
    readonly accounts: UnlockedAccounts = new UnlockedAccounts(),
  ) {
    this.txFormatter = new TransactionFormatter(backend.chainId);
  }

  /** A mined transaction as geth returns it, or undefined when unknown. */
  minedTransaction(hash: Hex): JsonObject | undefined {
    const cached = this.txCache.get(hash);
    if (cached !== undefined) return cached;
    const record = this.backend.getTransaction(hash);
    if (record === undefined) return undefined;
    const block = this.backend.getBlockByNumber(record.blockNumber);
    const formatted = this.txFormatter.formatMined(record, block?.baseFeePerGas ?? 0n);
    this.txCache.set(hash, formatted);
    return formatted;
  }

  block(block: BlockRecord | undefined, fullTransactions: boolean): Json {
    if (block === undefined) return null;
    if (!fullTransactions) return formatBlock(block, block.transactions);
    const txs = block.transactions.map((hash) => this.minedTransaction(hash) ?? hash);
    return formatBlock(block, txs);
  }

  receipts(blockNumber: bigint): Json {
    const receipts = this.backend.getBlockReceipts(blockNumber);
    if (receipts === undefined) return null;
    const timestamp = this.backend.getBlockByNumber(blockNumber)?.timestamp;
    return receipts.map((r) => formatReceipt(r, timestamp));
  }

  /** Logs with their blocks' timestamps, looking each block up once. */
  logs(logs: readonly LogRecord[]): Json {
    const timestamps = new Map<bigint, bigint | undefined>();
    return logs.map((log) => {
      if (!timestamps.has(log.blockNumber)) {
        timestamps.set(log.blockNumber, this.backend.getBlockByNumber(log.blockNumber)?.timestamp);
      }
      return formatLog(log, timestamps.get(log.blockNumber));
    });
  }
}
