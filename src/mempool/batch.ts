// Builds one proposer's batch from the senders it carries: nonce order within a sender, best
// effective tip first across senders (the "price and nonce" order of geth's miner), so the
// batch is fair to every sender and pays the most for its space.
import { BinaryHeap } from './heap.js';
import type { PoolTransaction, SenderQueue } from './sender-queue.js';

export interface BatchLimits {
  readonly maxTransactions: number;
  readonly maxBytes: number;
  readonly maxGas: bigint;
}

/** Gas of the cheapest possible transaction: below this, no further transaction can fit. */
const MIN_TX_GAS = 21_000n;

/** What the transaction pays per gas beyond the base fee: min(tip cap, fee cap - base fee). */
export function effectiveTip(tx: PoolTransaction, baseFeePerGas: bigint): bigint {
  const headroom = tx.maxFeePerGas - baseFeePerGas;
  return headroom < tx.maxPriorityFeePerGas ? headroom : tx.maxPriorityFeePerGas;
}

interface Cursor {
  readonly rest: Iterator<PoolTransaction>;
  head: PoolTransaction;
  tip: bigint;
}

/**
 * Takes pending transactions from `queues` within `limits`. A sender whose next transaction does
 * not fit, or cannot pay the base fee, contributes nothing more: its later nonces would fail.
 */
export function buildBatch(queues: Iterable<SenderQueue>, limits: BatchLimits, baseFeePerGas: bigint): PoolTransaction[] {
  const cursors = new BinaryHeap<Cursor>((a, b) => (a.tip !== b.tip ? a.tip > b.tip : a.head.arrival < b.head.arrival));
  for (const queue of queues) {
    const rest = queue.pending();
    const first = rest.next();
    if (!first.done) cursors.push({ rest, head: first.value, tip: effectiveTip(first.value, baseFeePerGas) });
  }
  const batch: PoolTransaction[] = [];
  let bytes = 0;
  let gas = 0n;
  while (batch.length < limits.maxTransactions && limits.maxGas - gas >= MIN_TX_GAS) {
    const cursor = cursors.pop();
    if (cursor === undefined) break;
    const tx = cursor.head;
    if (cursor.tip < 0n || bytes + tx.raw.length > limits.maxBytes || gas + tx.gasLimit > limits.maxGas) continue;
    batch.push(tx);
    bytes += tx.raw.length;
    gas += tx.gasLimit;
    const next = cursor.rest.next();
    if (next.done) continue;
    cursor.head = next.value;
    cursor.tip = effectiveTip(next.value, baseFeePerGas);
    cursors.push(cursor);
  }
  return batch;
}
