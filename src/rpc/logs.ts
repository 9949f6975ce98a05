// Log queries: parsing geth's FilterCriteria, resolving its block range against the head, and
// matching logs in memory (for subscriptions). Ranges and result counts are bounded so one
// query can never make the node scan or return an unbounded amount. A scan runs in slices of
// LOG_SCAN_BLOCKS_PER_SLICE blocks with the event loop let through between them: the server
// shares its thread with consensus, which must keep voting while a wide query runs.
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Hex, LogRecord } from '../chain/types.js';
import type { RpcBackend } from './backend.js';
import { parseBlockSelector, selectBlockNumber, type BlockSelector } from './block-tags.js';
import { invalidParam, limitExceeded, serverError } from './errors.js';
import { describe, parseAddress, parseHash, parseObject } from './params.js';

export const MAX_LOG_BLOCK_RANGE = 10_000n;
export const MAX_LOG_RESULTS = 10_000;
/** Topic positions in a log (LOG0..LOG4), as geth bounds them. */
export const MAX_LOG_TOPICS = 4;
/** Alternatives in one address or topic position (geth 1.16: 1000). */
export const MAX_LOG_ALTERNATIVES = 1_000;
/** Blocks the backend scans in one synchronous step of an eth_getLogs query. */
export const LOG_SCAN_BLOCKS_PER_SLICE = 500n;

export type TopicFilter = readonly (Hex | readonly Hex[] | null)[];

export interface LogCriteria {
  readonly addresses?: readonly Hex[];
  readonly topics?: TopicFilter;
}

export interface LogFilter extends LogCriteria {
  readonly from: BlockSelector;
  readonly to: BlockSelector;
  readonly blockHash?: Hex;
}

export function parseLogCriteria(o: Record<string, unknown>, index: number): LogCriteria {
  let addresses: Hex[] | undefined;
  if (o.address !== undefined && o.address !== null) {
    const list = Array.isArray(o.address) ? o.address : [o.address];
    if (list.length > MAX_LOG_ALTERNATIVES) throw invalidParam(index, `more than ${MAX_LOG_ALTERNATIVES} addresses`);
    addresses = list.map((a) => parseAddress(a, index, 'address'));
  }
  let topics: (Hex | Hex[] | null)[] | undefined;
  if (o.topics !== undefined && o.topics !== null) {
    if (!Array.isArray(o.topics)) throw invalidParam(index, `topics must be an array, got ${describe(o.topics)}`);
    if (o.topics.length > MAX_LOG_TOPICS) throw invalidParam(index, `exceed max topics: at most ${MAX_LOG_TOPICS} positions`);
    topics = o.topics.map((t) => parseTopicPosition(t, index));
  }
  return { addresses, topics };
}

function parseTopicPosition(value: unknown, index: number): Hex | Hex[] | null {
  if (value === null) return null;
  if (!Array.isArray(value)) return parseHash(value, index, 'topic');
  if (value.length > MAX_LOG_ALTERNATIVES) throw invalidParam(index, `more than ${MAX_LOG_ALTERNATIVES} alternatives in a topic position`);
  // [] and [null] both match anything in that position, as in geth.
  if (value.length === 0 || value.includes(null)) return null;
  return value.map((t) => parseHash(t, index, 'topic'));
}

export function parseLogFilter(value: unknown, index: number): LogFilter {
  const o = parseObject(value, index, 'filter');
  const criteria = parseLogCriteria(o, index);
  if (o.blockHash !== undefined && o.blockHash !== null) {
    if (o.fromBlock != null || o.toBlock != null) {
      throw invalidParam(index, 'cannot specify both blockHash and fromBlock/toBlock, choose one or the other');
    }
    const blockHash = parseHash(o.blockHash, index, 'blockHash');
    return { ...criteria, from: { kind: 'hash', hash: blockHash }, to: { kind: 'hash', hash: blockHash }, blockHash };
  }
  return {
    ...criteria,
    from: parseBlockSelector(o.fromBlock, index, false),
    to: parseBlockSelector(o.toBlock, index, false),
  };
}

/** The inclusive range a filter covers now, or undefined when it covers no existing block. */
export function resolveLogRange(backend: RpcBackend, filter: LogFilter): { from: bigint; to: bigint } | undefined {
  if (filter.blockHash !== undefined) {
    const number = backend.getBlockByHash(filter.blockHash)?.number;
    if (number === undefined) throw serverError('unknown block');
    return { from: number, to: number };
  }
  const head = backend.headNumber();
  const from = filter.from.kind === 'number' ? filter.from.number : selectBlockNumber(backend, filter.from) ?? head;
  const to = filter.to.kind === 'number' ? filter.to.number : selectBlockNumber(backend, filter.to) ?? head;
  if (from > to) throw serverError('invalid block range params: fromBlock is after toBlock');
  if (from > head) return undefined;
  return { from, to: to < head ? to : head };
}

/**
 * Runs a log query with the range and result limits; throws -32005 past either. The range is
 * scanned LOG_SCAN_BLOCKS_PER_SLICE blocks at a time, yielding to the event loop in between.
 */
export async function queryLogs(backend: RpcBackend, criteria: LogCriteria, from: bigint, to: bigint): Promise<readonly LogRecord[]> {
  if (to - from + 1n > MAX_LOG_BLOCK_RANGE) {
    throw limitExceeded(`query exceeds max block range ${MAX_LOG_BLOCK_RANGE}: narrow fromBlock..toBlock`);
  }
  const found: LogRecord[] = [];
  for (let start = from; start <= to; start += LOG_SCAN_BLOCKS_PER_SLICE) {
    if (start > from) await yieldToEventLoop();
    const end = start + LOG_SCAN_BLOCKS_PER_SLICE - 1n < to ? start + LOG_SCAN_BLOCKS_PER_SLICE - 1n : to;
    const limit = MAX_LOG_RESULTS + 1 - found.length;
    let logs: readonly LogRecord[];
    try {
      logs = backend.getLogs({ fromBlock: start, toBlock: end, addresses: criteria.addresses, topics: criteria.topics, limit });
    } catch (error) {
      // The node's engine refuses a query past `limit` (its TOO_MANY_LOGS) rather than stopping.
      if ((error as { code?: unknown } | null)?.code === 'TOO_MANY_LOGS') throw tooManyResults();
      throw error;
    }
    for (const log of logs) found.push(log);
    if (found.length > MAX_LOG_RESULTS) throw tooManyResults();
  }
  return found;
}

function tooManyResults() {
  return limitExceeded(`query returned more than ${MAX_LOG_RESULTS} results: narrow the block range or the filter`);
}

/** In-memory match, the same semantics as the backend's indexed query. */
export function logMatches(log: LogRecord, criteria: LogCriteria): boolean {
  if (criteria.addresses !== undefined && criteria.addresses.length > 0 && !criteria.addresses.includes(log.address)) {
    return false;
  }
  const topics = criteria.topics ?? [];
  for (let i = 0; i < topics.length; i++) {
    const want = topics[i];
    if (want === null || want === undefined) continue;
    const have = log.topics[i];
    if (have === undefined) return false;
    if (typeof want === 'string' ? want !== have : !want.includes(have)) return false;
  }
  return true;
}
