// Which transaction leaves when the pool is full. Only a sender's highest-nonce transaction (its
// tail) is a candidate, so eviction never opens a nonce gap behind a transaction that stays.
// Lowest priority first: queued (far-future) before pending, then lower fee cap, lower tip,
// gossiped before locally submitted, and the later arrival before the earlier.
import { BinaryHeap } from './heap.js';
import type { PoolTransaction, SenderQueue } from './sender-queue.js';

export interface EvictionCandidate {
  readonly tx: PoolTransaction;
  readonly pending: boolean;
}

/** True when `a` should be evicted before `b`. */
export function evictsBefore(a: EvictionCandidate, b: EvictionCandidate): boolean {
  if (a.pending !== b.pending) return !a.pending;
  if (a.tx.maxFeePerGas !== b.tx.maxFeePerGas) return a.tx.maxFeePerGas < b.tx.maxFeePerGas;
  if (a.tx.maxPriorityFeePerGas !== b.tx.maxPriorityFeePerGas) return a.tx.maxPriorityFeePerGas < b.tx.maxPriorityFeePerGas;
  if (a.tx.origin !== b.tx.origin) return a.tx.origin === 'peer';
  return a.tx.arrival > b.tx.arrival;
}

/**
 * A lazy heap of tails: entries go stale when a tail changes or is removed, and are discarded
 * when they surface. `track` pushes a fresh entry whenever a sender's tail or its pending state
 * changes; `compact` rebuilds the heap once stale entries outnumber live ones, which bounds it.
 */
export class EvictionIndex {
  private readonly heap = new BinaryHeap<EvictionCandidate>(evictsBefore);
  private readonly lastTracked = new WeakMap<SenderQueue, EvictionCandidate>();

  constructor(private readonly queueOf: (tx: PoolTransaction) => SenderQueue | undefined) {}

  get size(): number {
    return this.heap.size;
  }

  track(queue: SenderQueue): void {
    const tail = queue.tail();
    if (tail === undefined) return;
    const pending = queue.isPending(tail);
    const last = this.lastTracked.get(queue);
    if (last !== undefined && last.tx === tail && last.pending === pending) return;
    const entry = { tx: tail, pending };
    this.lastTracked.set(queue, entry);
    this.heap.push(entry);
  }

  /** The current lowest-priority tail, without removing it; stale entries are dropped. */
  peekVictim(): EvictionCandidate | undefined {
    for (let top = this.heap.peek(); top !== undefined; top = this.heap.peek()) {
      if (this.isCurrent(top)) return top;
      this.heap.pop();
    }
    return undefined;
  }

  /** Rebuilds from the live tails when stale entries exceed `liveTails`; O(senders). */
  compactIfNeeded(queues: Iterable<SenderQueue>, liveTails: number): void {
    if (this.heap.size <= 2 * liveTails + COMPACT_SLACK_ENTRIES) return;
    const entries: EvictionCandidate[] = [];
    for (const queue of queues) {
      const tail = queue.tail();
      if (tail === undefined) continue;
      const entry = { tx: tail, pending: queue.isPending(tail) };
      this.lastTracked.set(queue, entry);
      entries.push(entry);
    }
    this.heap.rebuild(entries);
  }

  private isCurrent(entry: EvictionCandidate): boolean {
    const queue = this.queueOf(entry.tx);
    return queue !== undefined && queue.tail() === entry.tx && queue.isPending(entry.tx) === entry.pending;
  }
}

/** Stale entries tolerated beyond twice the live ones before a rebuild, so rebuilds amortize. */
const COMPACT_SLACK_ENTRIES = 1_024;
