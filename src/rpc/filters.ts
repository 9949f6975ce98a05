// Polling filters (eth_newFilter, eth_newBlockFilter, eth_newPendingTransactionFilter) with
// geth's expiry: a filter not polled for FILTER_TIMEOUT_MS is removed. Block and log filters keep
// a cursor (the next block to report) and read finalized history on poll, so they hold no data;
// pending-transaction filters read one shared bounded ring by sequence number, so a transaction
// costs O(1) however many filters exist. Each filter counts against its creator's per-client
// budget (clients.ts) until it is uninstalled or expires.
import { randomBytes } from 'node:crypto';
import type { Hex, LogRecord } from '../chain/types.js';
import type { RpcBackend } from './backend.js';
import { ClientRegistry, criteriaWeight, type Reservation } from './clients.js';
import { limitExceeded, serverError } from './errors.js';
import { queryLogs, resolveLogRange, type LogFilter } from './logs.js';

export const FILTER_TIMEOUT_MS = 5 * 60_000;
export const MAX_FILTERS = 10_000;
/** Pending hashes remembered for filters; a filter polled less often loses the oldest. */
export const MAX_PENDING_HASHES_RETAINED = 16_384;
/** Block hashes returned by one poll of a block filter; the rest come on the next poll. */
export const MAX_BLOCK_HASHES_PER_POLL = 10_000n;

export interface Clock {
  nowMs(): number;
}

export const systemClock: Clock = { nowMs: () => Date.now() };

export type FilterChanges =
  | { readonly kind: 'hashes'; readonly hashes: readonly Hex[] }
  | { readonly kind: 'logs'; readonly logs: readonly LogRecord[] };

type FilterState =
  | { readonly kind: 'blocks'; nextBlock: bigint; lastPollMs: number }
  | { readonly kind: 'logs'; readonly filter: LogFilter; nextBlock: bigint; lastPollMs: number }
  | { readonly kind: 'pending'; nextSeq: number; lastPollMs: number };

type Filter = FilterState & { readonly owner: Reservation };

/** Who installs a filter when no client is named (direct use in tests and tools). */
const LOCAL_CLIENT = 'local';

export class FilterManager {
  private readonly filters = new Map<string, Filter>();
  private readonly pendingRing: Hex[] = new Array<Hex>(MAX_PENDING_HASHES_RETAINED);
  private pendingSeq = 0; // sequence number of the next pending hash

  constructor(
    private readonly backend: RpcBackend,
    private readonly clock: Clock,
    private readonly clients: ClientRegistry = new ClientRegistry(),
  ) {}

  get size(): number {
    return this.filters.size;
  }

  newBlockFilter(client = LOCAL_CLIENT): Hex {
    return this.install({ kind: 'blocks', nextBlock: this.backend.headNumber() + 1n, lastPollMs: this.clock.nowMs() }, client, 0);
  }

  newLogFilter(filter: LogFilter, client = LOCAL_CLIENT): Hex {
    if (filter.blockHash !== undefined) throw serverError('blockHash is not supported by eth_newFilter: use eth_getLogs');
    return this.install({ kind: 'logs', filter, nextBlock: this.backend.headNumber() + 1n, lastPollMs: this.clock.nowMs() }, client, criteriaWeight(filter));
  }

  newPendingTransactionFilter(client = LOCAL_CLIENT): Hex {
    return this.install({ kind: 'pending', nextSeq: this.pendingSeq, lastPollMs: this.clock.nowMs() }, client, 0);
  }

  uninstall(id: Hex): boolean {
    return this.remove(id.toLowerCase());
  }

  /** Called for every transaction admitted to the mempool. */
  addPendingTransaction(hash: Hex): void {
    this.pendingRing[this.pendingSeq % MAX_PENDING_HASHES_RETAINED] = hash;
    this.pendingSeq++;
  }

  /** What happened since the last poll: block or transaction hashes, or logs to format. */
  async changes(id: Hex): Promise<FilterChanges> {
    const filter = this.get(id);
    filter.lastPollMs = this.clock.nowMs();
    switch (filter.kind) {
      case 'blocks':
        return { kind: 'hashes', hashes: this.blockChanges(filter) };
      case 'pending':
        return { kind: 'hashes', hashes: this.pendingChanges(filter) };
      case 'logs':
        return { kind: 'logs', logs: await this.logChanges(filter) };
    }
  }

  /** eth_getFilterLogs: every log the filter's criteria match, regardless of polling. */
  logs(id: Hex): { filter: LogFilter; range?: { from: bigint; to: bigint } } {
    const filter = this.get(id);
    filter.lastPollMs = this.clock.nowMs();
    if (filter.kind !== 'logs') throw serverError('filter not found: eth_getFilterLogs needs a log filter (eth_newFilter)');
    return { filter: filter.filter, range: resolveLogRange(this.backend, filter.filter) };
  }

  /** Removes filters not polled within FILTER_TIMEOUT_MS. Called on a timer and on each access. */
  expire(): number {
    const deadline = this.clock.nowMs() - FILTER_TIMEOUT_MS;
    let removed = 0;
    for (const [id, filter] of this.filters) {
      if (filter.lastPollMs <= deadline) {
        this.remove(id);
        removed++;
      }
    }
    return removed;
  }

  private install(state: FilterState, client: string, criteria: number): Hex {
    this.expire();
    if (this.filters.size >= MAX_FILTERS) {
      throw limitExceeded(`too many filters: at most ${MAX_FILTERS}; uninstall unused ones with eth_uninstallFilter`);
    }
    const owner = this.clients.reserve(client, 'filter', criteria);
    const id = `0x${randomBytes(16).toString('hex')}` as Hex;
    this.filters.set(id, { ...state, owner });
    return id;
  }

  private remove(id: string): boolean {
    const filter = this.filters.get(id);
    if (filter === undefined) return false;
    this.filters.delete(id);
    this.clients.release(filter.owner);
    return true;
  }

  private get(id: Hex): Filter {
    const filter = this.filters.get(id.toLowerCase());
    if (filter === undefined || filter.lastPollMs <= this.clock.nowMs() - FILTER_TIMEOUT_MS) {
      this.remove(id.toLowerCase());
      throw serverError('filter not found');
    }
    return filter;
  }

  private blockChanges(filter: { nextBlock: bigint }): Hex[] {
    const head = this.backend.headNumber();
    let last = head;
    if (last - filter.nextBlock + 1n > MAX_BLOCK_HASHES_PER_POLL) last = filter.nextBlock + MAX_BLOCK_HASHES_PER_POLL - 1n;
    const hashes: Hex[] = [];
    for (let n = filter.nextBlock; n <= last; n++) {
      const block = this.backend.getBlockByNumber(n);
      if (block !== undefined) hashes.push(block.hash);
    }
    if (last >= filter.nextBlock) filter.nextBlock = last + 1n;
    return hashes;
  }

  private pendingChanges(filter: { nextSeq: number }): Hex[] {
    const oldest = Math.max(filter.nextSeq, this.pendingSeq - MAX_PENDING_HASHES_RETAINED);
    const hashes: Hex[] = [];
    for (let seq = oldest; seq < this.pendingSeq; seq++) hashes.push(this.pendingRing[seq % MAX_PENDING_HASHES_RETAINED]!);
    filter.nextSeq = this.pendingSeq;
    return hashes;
  }

  private async logChanges(filter: { filter: LogFilter; nextBlock: bigint }): Promise<readonly LogRecord[]> {
    const range = resolveLogRange(this.backend, filter.filter);
    const head = this.backend.headNumber();
    if (range === undefined) {
      filter.nextBlock = head + 1n;
      return [];
    }
    const from = range.from > filter.nextBlock ? range.from : filter.nextBlock;
    filter.nextBlock = head + 1n;
    if (from > range.to) return [];
    return queryLogs(this.backend, filter.filter, from, range.to);
  }
}
