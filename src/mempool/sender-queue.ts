// One sender's transactions, keyed by nonce. The nonces from the account nonce up to the first
// gap are pending (proposable in order); the rest are queued until the gap fills. Every
// operation is O(1) amortized, or bounded by the nonce window when a gap has to be found.
import type { Hex } from '../chain/types.js';
import type { DecodedTransaction } from './decode.js';

export type TxOrigin = 'local' | 'peer';

/** A transaction held by the pool. */
export interface PoolTransaction extends DecodedTransaction {
  readonly origin: TxOrigin;
  /** Admission sequence number: earlier arrivals win ties. */
  readonly arrival: number;
  /** When it was admitted (the pool's clock, milliseconds). */
  readonly addedAtMs: number;
}

export class SenderQueue {
  private readonly txs = new Map<bigint, PoolTransaction>();
  /** First nonce at or above the account nonce that the queue does not hold. */
  private pendingEndNonce: bigint;
  private highestNonce = -1n;
  private costSum = 0n;
  private byteSum = 0;
  /** Height at which takeBatch first saw this sender proposable without progress since. */
  stalledSinceHeight: number | undefined;
  /** Cached owner for the last (committee size, epoch seed) asked. */
  ownerKey = '';
  owner = -1;

  constructor(
    readonly sender: Hex,
    private nonce: bigint,
    public balance: bigint,
  ) {
    this.pendingEndNonce = nonce;
  }

  get accountNonce(): bigint {
    return this.nonce;
  }

  /** account nonce + number of gap-free transactions: the next nonce the sender should use. */
  get pendingEnd(): bigint {
    return this.pendingEndNonce;
  }

  get pendingCount(): number {
    return Number(this.pendingEndNonce - this.nonce);
  }

  get size(): number {
    return this.txs.size;
  }

  get totalCost(): bigint {
    return this.costSum;
  }

  get totalBytes(): number {
    return this.byteSum;
  }

  get(nonce: bigint): PoolTransaction | undefined {
    return this.txs.get(nonce);
  }

  /** The highest-nonce transaction: the only one evictable without opening a gap. */
  tail(): PoolTransaction | undefined {
    return this.txs.get(this.highestNonce);
  }

  isPending(tx: PoolTransaction): boolean {
    return tx.nonce >= this.nonce && tx.nonce < this.pendingEndNonce;
  }

  /** Inserts `tx` (nonce >= account nonce); returns the transaction it replaced, if any. */
  put(tx: PoolTransaction): PoolTransaction | undefined {
    const replaced = this.txs.get(tx.nonce);
    if (replaced !== undefined) this.account(replaced, -1);
    this.txs.set(tx.nonce, tx);
    this.account(tx, 1);
    if (tx.nonce > this.highestNonce) this.highestNonce = tx.nonce;
    if (tx.nonce === this.pendingEndNonce) this.extendPending();
    return replaced;
  }

  /** Removes the transaction at `nonce`; the nonces above it become queued. */
  delete(nonce: bigint): PoolTransaction | undefined {
    const tx = this.txs.get(nonce);
    if (tx === undefined) return undefined;
    this.txs.delete(nonce);
    this.account(tx, -1);
    if (nonce >= this.nonce && nonce < this.pendingEndNonce) this.pendingEndNonce = nonce;
    if (nonce === this.highestNonce) this.lowerHighest();
    return tx;
  }

  /**
   * Moves the account nonce forward to `accountNonce` (a block used the nonces below it) and
   * returns the transactions that became stale. Nonces never move back: the chain is final.
   */
  advance(accountNonce: bigint): PoolTransaction[] {
    if (accountNonce <= this.nonce) return [];
    const stale: PoolTransaction[] = [];
    if (accountNonce - this.nonce <= BigInt(this.txs.size)) {
      for (let n = this.nonce; n < accountNonce; n++) this.collect(n, stale);
    } else {
      for (const n of [...this.txs.keys()]) if (n < accountNonce) this.collect(n, stale);
    }
    this.nonce = accountNonce;
    this.stalledSinceHeight = undefined;
    // Survivors all have nonces >= accountNonce, so the highest one stays unless none is left.
    if (this.txs.size === 0) this.highestNonce = -1n;
    this.pendingEndNonce = accountNonce;
    this.extendPending();
    return stale;
  }

  /** Queued transactions (above the first gap), in no particular order. */
  *queued(): IterableIterator<PoolTransaction> {
    for (const tx of this.txs.values()) if (tx.nonce > this.pendingEndNonce) yield tx;
  }

  /** Pending transactions in nonce order. */
  *pending(): IterableIterator<PoolTransaction> {
    for (let n = this.nonce; n < this.pendingEndNonce; n++) yield this.txs.get(n)!;
  }

  /** Every transaction, in insertion order (not nonce order). */
  all(): IterableIterator<PoolTransaction> {
    return this.txs.values();
  }

  private collect(nonce: bigint, into: PoolTransaction[]): void {
    const tx = this.txs.get(nonce);
    if (tx === undefined) return;
    this.txs.delete(nonce);
    this.account(tx, -1);
    into.push(tx);
  }

  private account(tx: PoolTransaction, sign: 1 | -1): void {
    this.costSum += sign === 1 ? tx.cost : -tx.cost;
    this.byteSum += sign * tx.raw.length;
  }

  private extendPending(): void {
    while (this.txs.has(this.pendingEndNonce)) this.pendingEndNonce++;
  }

  /** Walks down from the old highest nonce; the nonce window bounds the walk. */
  private lowerHighest(): void {
    if (this.txs.size === 0) {
      this.highestNonce = -1n;
      return;
    }
    let n = this.highestNonce - 1n;
    while (!this.txs.has(n)) n--;
    this.highestNonce = n;
  }
}
