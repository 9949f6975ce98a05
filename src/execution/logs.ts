// eth_getLogs over stored receipts. Each block's logsBloom is checked first so blocks that
// cannot hold a match are skipped without decoding their receipts.
import type { Common } from '@ethereumjs/common';
import { Bloom } from '@ethereumjs/vm';
import { hexToBytes } from '@ethereumjs/util';
import type { ChainStore } from '../chain/store.js';
import type { BlockRecord, Hex, LogRecord } from '../chain/types.js';
import { ExecutionError } from './errors.js';
import { DEFAULT_MAX_LOGS_PER_QUERY, MAX_LOG_BLOCK_RANGE } from './limits.js';

export interface LogFilter {
  readonly fromBlock: bigint;
  readonly toBlock: bigint; // inclusive
  readonly addresses?: readonly Hex[]; // any of
  readonly topics?: readonly (Hex | readonly Hex[] | null)[]; // per position: one, any of, or any
  readonly blockHash?: Hex; // when set, only this block (fromBlock/toBlock ignored)
  /** Most logs returned; more matches is an error (TOO_MANY_LOGS). Default DEFAULT_MAX_LOGS_PER_QUERY. */
  readonly limit?: number;
}

interface NormalizedFilter {
  readonly addresses: readonly string[] | undefined;
  readonly topics: readonly (readonly string[] | null)[];
}

function normalize(filter: LogFilter): NormalizedFilter {
  const addresses = filter.addresses !== undefined && filter.addresses.length > 0 ? filter.addresses.map((a) => a.toLowerCase()) : undefined;
  const topics = (filter.topics ?? []).map((t) => (t === null ? null : (typeof t === 'string' ? [t] : t).map((x) => x.toLowerCase())));
  return { addresses, topics: topics.map((t) => (t !== null && t.length === 0 ? null : t)) };
}

function bloomMayMatch(block: BlockRecord, filter: NormalizedFilter, common: Common): boolean {
  const bloom = new Bloom(hexToBytes(block.logsBloom), common);
  if (filter.addresses !== undefined && !filter.addresses.some((a) => bloom.check(hexToBytes(a as Hex)))) return false;
  return filter.topics.every((options) => options === null || options.some((t) => bloom.check(hexToBytes(t as Hex))));
}

function logMatches(log: LogRecord, filter: NormalizedFilter): boolean {
  if (filter.addresses !== undefined && !filter.addresses.includes(log.address.toLowerCase())) return false;
  return filter.topics.every((options, i) => options === null || (i < log.topics.length && options.includes(log.topics[i].toLowerCase())));
}

function blocksOf(store: ChainStore, filter: LogFilter, head: bigint): BlockRecord[] | Iterable<BlockRecord> {
  if (filter.blockHash !== undefined) {
    const block = store.getBlockByHash(filter.blockHash);
    if (block === undefined) throw new ExecutionError('UNKNOWN_BLOCK', `no block with hash ${filter.blockHash}`);
    return [block];
  }
  const to = filter.toBlock > head ? head : filter.toBlock;
  if (to - filter.fromBlock + 1n > MAX_LOG_BLOCK_RANGE) {
    throw new ExecutionError('LOG_RANGE_TOO_LARGE', `log query spans ${to - filter.fromBlock + 1n} blocks, limit ${MAX_LOG_BLOCK_RANGE}: narrow fromBlock..toBlock`);
  }
  return (function* () {
    for (let n = filter.fromBlock < 0n ? 0n : filter.fromBlock; n <= to; n++) {
      const block = store.getBlockByNumber(n);
      if (block !== undefined) yield block;
    }
  })();
}

export function findLogs(store: ChainStore, common: Common, filter: LogFilter, head: bigint): LogRecord[] {
  const limit = filter.limit ?? DEFAULT_MAX_LOGS_PER_QUERY;
  const normalized = normalize(filter);
  const out: LogRecord[] = [];
  for (const block of blocksOf(store, filter, head)) {
    if (!bloomMayMatch(block, normalized, common)) continue;
    for (const receipt of store.getBlockReceipts(block.number) ?? []) {
      for (const log of receipt.logs) {
        if (!logMatches(log, normalized)) continue;
        if (out.length >= limit) {
          throw new ExecutionError('TOO_MANY_LOGS', `log query matches more than ${limit} logs: narrow the block range or add address/topic filters`);
        }
        out.push(log);
      }
    }
  }
  return out;
}
