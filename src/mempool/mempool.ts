// The transaction pool: admits signed Ethereum transactions against the latest committed state,
// keeps them per sender in nonce order, hands each committee member the batch it should propose,
// and forgets transactions once a committed block includes them or they become invalid.
// Taking a batch does not remove anything: a transaction the superblock left out stays pending
// and is proposed again (the seed's "re-initiate verification").
import { toHex } from '../crypto/bytes.js';
import type { Hex } from '../chain/types.js';
import { buildBatch } from './batch.js';
import { createTxCommon, decodeTransaction, transactionHash } from './decode.js';
import type { DecodeContext, DecodedTransaction } from './decode.js';
import { MempoolError, MempoolErrorCode as Code } from './errors.js';
import { EvictionIndex, evictsBefore } from './eviction.js';
import { proposalGasShare, resolveLimits } from './limits.js';
import type { MempoolLimits } from './limits.js';
import { ownerOf } from './routing.js';
import { SenderQueue } from './sender-queue.js';
import type { PoolTransaction, TxOrigin } from './sender-queue.js';

export interface AccountState {
  readonly nonce: bigint;
  readonly balance: bigint;
}

/** The latest committed state, as the pool reads it. */
export interface MempoolState {
  getAccount(address: Hex): Promise<AccountState> | AccountState;
}

export interface MempoolOptions {
  readonly chainId: bigint;
  readonly state: MempoolState;
  readonly blockGasLimit: bigint;
  /** Base fee of the next block: fee caps below it are refused and not proposed. */
  readonly baseFeePerGas: () => bigint;
  readonly limits?: Partial<MempoolLimits>;
  /** Size of the current committee, for `ownerOfSender`. */
  readonly committeeSize: () => number;
  /** Epoch seed used for routing by `ownerOfSender`; empty when absent. */
  readonly epochSeed?: () => Uint8Array;
  readonly now?: () => number;
  /** Accept legacy transactions without EIP-155 replay protection (default false, as geth). */
  readonly allowUnprotected?: boolean;
  /** Receives what an onAdded listener threw (default: rethrown on a microtask, loudly). */
  readonly onListenerError?: (error: unknown) => void;
  /**
   * The stateless decoder (default decode.ts `decodeTransaction`). A replacement must give the
   * same answer for the same bytes and context: the simulator shares one decode among its nodes.
   */
  readonly decode?: (raw: Uint8Array, context: DecodeContext) => DecodedTransaction;
}

export interface AddResult {
  readonly hash: Hex;
  readonly sender: Hex;
  readonly nonce: bigint;
}

/** A transaction of a committed block (applied, or rejected for good at its turn). */
export interface IncludedTransaction {
  readonly hash: Hex;
  readonly sender: Hex;
  readonly nonce: bigint;
  /** EIP-7702: the accounts its authorizations named, whose nonces moved too (re-read like senders). */
  readonly authorities?: readonly Hex[];
}

export interface TakeBatchOptions {
  /** The proposer's index in committee order. */
  readonly member: number;
  readonly committeeSize: number;
  /** The height being proposed. */
  readonly height: number;
  readonly maxTransactions: number;
  readonly maxBytes: number;
  readonly maxGas: bigint;
  readonly epochSeed?: Uint8Array;
}

export interface MempoolStats {
  readonly transactions: number;
  readonly pending: number;
  readonly queued: number;
  readonly senders: number;
  readonly bytes: number;
  /** The highest height passed to onBlockCommitted. */
  readonly committedHeight: number;
  readonly admitted: number;
  readonly replaced: number;
  readonly evicted: number;
  /** Removed because a committed block included them or used their nonce. */
  readonly included: number;
  /** Removed by revalidation after a block: the sender can no longer pay for them. */
  readonly invalidated: number;
  /** Queued transactions dropped after queuedLifetimeMs without their nonce gap filling. */
  readonly expired: number;
  readonly rejected: Readonly<Partial<Record<Code, number>>>;
}

export type AddedListener = (hash: Hex, tx: PoolTransaction) => void;

/** Why transactions left the pool (the counters of `stats()` by the same names). */
export type RemovalReason = 'included' | 'replaced' | 'evicted' | 'invalidated' | 'expired';
export type RemovedListener = (removed: readonly PoolTransaction[], reason: RemovalReason) => void;

/** Listeners of onAdded (newPendingTransactions fan-out belongs to the RPC server, not here). */
export const MAX_ADDED_LISTENERS = 16;
/** Listeners of onRemoved (the node's durable copy of its clients' transactions is one). */
export const MAX_REMOVED_LISTENERS = 16;
/**
 * State reads retried when a block commits during the read, so a transaction is not judged
 * against a nonce older than a block the pool has already applied. (A sender the pool holds
 * transactions of is safe regardless: its queue's account nonce only moves forward.)
 */
const MAX_STATE_READS = 3;

export class Mempool {
  private readonly limits: MempoolLimits;
  private readonly decodeContext: DecodeContext;
  private readonly senders = new Map<Hex, SenderQueue>();
  private readonly byHash = new Map<Hex, PoolTransaction>();
  private readonly eviction = new EvictionIndex((tx) => this.senders.get(tx.sender));
  private readonly listeners: AddedListener[] = [];
  private readonly removedListeners: RemovedListener[] = [];
  private readonly now: () => number;
  private readonly counters = { admitted: 0, replaced: 0, evicted: 0, included: 0, invalidated: 0, expired: 0 };
  private readonly rejected: Partial<Record<Code, number>> = {};
  private poolBytes = 0;
  private arrivals = 0;
  /** Bumped by every committed block: an admission that read state across one reads again. */
  private stateVersion = 0;
  private committedHeight = 0;

  constructor(private readonly options: MempoolOptions) {
    this.limits = resolveLimits(options.limits);
    this.now = options.now ?? Date.now;
    this.decodeContext = {
      chainId: options.chainId,
      common: createTxCommon(options.chainId),
      maxTxBytes: this.limits.maxTxBytes,
      blockGasLimit: options.blockGasLimit,
      allowUnprotected: options.allowUnprotected ?? false,
    };
  }

  /** Admits a signed transaction or throws MempoolError saying why not. */
  async add(raw: Uint8Array, origin: TxOrigin): Promise<AddResult> {
    try {
      // A private copy: `raw` may be a view into a reused network buffer (size is checked first).
      const owned = raw.length > this.limits.maxTxBytes ? raw : raw.slice();
      // A transaction already held is refused before decoding, as geth does: gossip brings every
      // transaction from several peers, and sender recovery is the costly part of decoding.
      if (owned.length <= this.limits.maxTxBytes) this.checkUnknownHash(transactionHash(owned));
      const decoded = (this.options.decode ?? decodeTransaction)(owned, this.decodeContext);
      this.checkGasShare(decoded);
      this.checkUnknown(decoded);
      this.checkBaseFee(decoded);
      const account = await this.readAccount(decoded.sender);
      const tx = this.admit(decoded, origin, account);
      this.notify(tx);
      return { hash: tx.hash, sender: tx.sender, nonce: tx.nonce };
    } catch (error) {
      if (error instanceof MempoolError) this.rejected[error.code] = (this.rejected[error.code] ?? 0) + 1;
      throw error;
    }
  }

  /**
   * The member's proposable transactions for `height`, plus those of any sender that has been
   * proposable for `takeoverAfterHeights` heights without progress, whoever owns it. Nothing
   * is removed: only a committed block does that.
   */
  takeBatch(options: TakeBatchOptions): Uint8Array[] {
    checkTakeBatchOptions(options);
    const seedKey = routingKey(options.committeeSize, options.epochSeed);
    const chosen: SenderQueue[] = [];
    for (const queue of this.senders.values()) {
      if (queue.pendingCount === 0) {
        queue.stalledSinceHeight = undefined;
        continue;
      }
      queue.stalledSinceHeight ??= options.height;
      const stalled = options.height - queue.stalledSinceHeight >= this.limits.takeoverAfterHeights;
      if (stalled || this.ownerOfQueue(queue, options, seedKey) === options.member) chosen.push(queue);
    }
    return buildBatch(chosen, options, this.options.baseFeePerGas()).map((tx) => tx.raw);
  }

  /**
   * Applies a committed block: its transactions leave the pool at once, then each sender it
   * touched is revalidated against the new state (stale nonces dropped, unaffordable
   * transactions removed), and queued transactions past their lifetime are dropped. Call it
   * for every committed height, in order, after the state has the block; `included` lists
   * every transaction the block applied or rejected for good.
   */
  async onBlockCommitted(included: readonly IncludedTransaction[], height: number): Promise<void> {
    this.stateVersion++;
    if (height > this.committedHeight) this.committedHeight = height;
    const nextNonce = new Map<Hex, bigint>();
    for (const { sender, nonce } of included) {
      const address = normalize(sender);
      const seen = nextNonce.get(address);
      if (seen === undefined || nonce + 1n > seen) nextNonce.set(address, nonce + 1n);
    }
    for (const [sender, nonce] of nextNonce) this.advanceSender(sender, nonce, 'included');
    this.expireQueued();
    const reread = new Set(nextNonce.keys());
    for (const { authorities } of included) for (const authority of authorities ?? []) reread.add(normalize(authority));
    await Promise.all([...reread].map((account) => this.revalidate(account)));
  }

  /** The next nonce `sender` should use: account nonce plus its gap-free pending transactions. */
  async pendingNonce(sender: Hex): Promise<bigint> {
    const address = normalize(sender);
    const account = await this.options.state.getAccount(address);
    const queue = this.senders.get(address);
    if (queue === undefined || queue.pendingEnd < account.nonce) return account.nonce;
    return queue.pendingEnd;
  }

  /** Owner of `sender` in the current committee (for routing a transaction to its proposer). */
  ownerOfSender(sender: Hex): number {
    return ownerOf(normalize(sender), this.options.committeeSize(), this.options.epochSeed?.());
  }

  get(hash: Hex): PoolTransaction | undefined {
    return this.byHash.get(normalize(hash));
  }

  has(hash: Hex): boolean {
    return this.byHash.has(normalize(hash));
  }

  size(): number {
    return this.byHash.size;
  }

  /** Every pending transaction, by sender and in nonce order (for the `pending` block tag). */
  pendingTransactions(): PoolTransaction[] {
    const out: PoolTransaction[] = [];
    for (const queue of this.senders.values()) for (const tx of queue.pending()) out.push(tx);
    return out;
  }

  /** A sender's transactions in nonce order, pending first then queued. */
  senderTransactions(sender: Hex): PoolTransaction[] {
    const queue = this.senders.get(normalize(sender));
    return queue === undefined ? [] : [...queue.all()].sort((a, b) => (a.nonce < b.nonce ? -1 : 1));
  }

  /**
   * What the pool holds, split as geth's txpool_content splits it: pending (gap-free from the
   * account nonce, proposable now) and queued (behind a nonce gap), each by sender in nonce order.
   * One sender's only when `sender` is given.
   */
  content(sender?: Hex): { pending: PoolTransaction[]; queued: PoolTransaction[] } {
    const pending: PoolTransaction[] = [];
    const queued: PoolTransaction[] = [];
    const queues = sender === undefined ? this.senders.values() : [this.senders.get(normalize(sender))].filter((q) => q !== undefined);
    for (const queue of queues) {
      for (const tx of queue.pending()) pending.push(tx);
      for (const tx of [...queue.queued()].sort((a, b) => (a.nonce < b.nonce ? -1 : 1))) queued.push(tx);
    }
    return { pending, queued };
  }

  stats(): MempoolStats {
    let pending = 0;
    for (const queue of this.senders.values()) pending += queue.pendingCount;
    return {
      transactions: this.byHash.size,
      pending,
      queued: this.byHash.size - pending,
      senders: this.senders.size,
      bytes: this.poolBytes,
      committedHeight: this.committedHeight,
      ...this.counters,
      rejected: { ...this.rejected },
    };
  }

  /** Calls `listener(hash, tx)` after each admission; returns the function that unsubscribes. */
  onAdded(listener: AddedListener): () => void {
    return subscribe(this.listeners, listener, MAX_ADDED_LISTENERS, 'onAdded');
  }

  /**
   * Calls `listener(removed, reason)` whenever transactions leave the pool, for whatever reason
   * (a replaced transaction is reported after its replacement is in); returns the function that
   * unsubscribes. Whoever keeps a copy of pool transactions stays in step through it.
   */
  onRemoved(listener: RemovedListener): () => void {
    return subscribe(this.removedListeners, listener, MAX_REMOVED_LISTENERS, 'onRemoved');
  }

  // --- admission -------------------------------------------------------------------------

  /** The most gas one transaction may ask for: a proposer's share of the block, so a batch can carry it. */
  maxTransactionGas(): bigint {
    return proposalGasShare(this.options.blockGasLimit, this.options.committeeSize());
  }

  private checkGasShare(decoded: DecodedTransaction): void {
    const share = this.maxTransactionGas();
    if (decoded.gasLimit <= share) return;
    const size = this.options.committeeSize();
    throw new MempoolError(
      Code.TxGasLimitTooHigh,
      `gas ${decoded.gasLimit}, at most ${share}: a transaction must fit one proposer's share of the block (block gas limit ${this.options.blockGasLimit} / ${size} proposers); lower the gas limit`,
    );
  }

  private checkUnknown(decoded: DecodedTransaction): void {
    this.checkUnknownHash(decoded.hash);
  }

  private checkUnknownHash(hash: Hex): void {
    if (this.byHash.has(hash)) throw new MempoolError(Code.AlreadyKnown, hash);
  }

  private checkBaseFee(decoded: DecodedTransaction): void {
    const baseFee = this.options.baseFeePerGas();
    if (decoded.maxFeePerGas < baseFee) {
      throw new MempoolError(Code.FeeCapTooLow, `address ${decoded.sender}, maxFeePerGas: ${decoded.maxFeePerGas}, baseFee: ${baseFee}`);
    }
  }

  private async readAccount(sender: Hex): Promise<AccountState> {
    for (let read = 1; ; read++) {
      const version = this.stateVersion;
      const account = await this.options.state.getAccount(sender);
      if (version === this.stateVersion || read >= MAX_STATE_READS) return account;
    }
  }

  /** Everything that depends on the pool's contents: synchronous, so no block can interleave. */
  private admit(decoded: DecodedTransaction, origin: TxOrigin, account: AccountState): PoolTransaction {
    this.checkUnknown(decoded);
    const queue = this.queueFor(decoded.sender, account);
    this.checkNonce(decoded, queue);
    const existing = queue.get(decoded.nonce);
    if (existing !== undefined) this.checkReplacement(decoded, existing);
    else this.checkSenderRoom(queue);
    this.checkFunds(decoded, queue, existing);
    const tx: PoolTransaction = { ...decoded, origin, arrival: this.arrivals++, addedAtMs: this.now() };
    this.makeRoom(tx, queue, existing);
    this.insert(tx, queue);
    return tx;
  }

  private queueFor(sender: Hex, account: AccountState): SenderQueue {
    let queue = this.senders.get(sender);
    if (queue === undefined) {
      queue = new SenderQueue(sender, account.nonce, account.balance);
      this.senders.set(sender, queue);
      return queue;
    }
    queue.balance = account.balance;
    if (account.nonce > queue.accountNonce) this.advanceSender(sender, account.nonce, 'included');
    return queue;
  }

  private checkNonce(decoded: DecodedTransaction, queue: SenderQueue): void {
    const next = queue.accountNonce;
    if (decoded.nonce < next) {
      throw new MempoolError(Code.NonceTooLow, `next nonce ${next}, tx nonce ${decoded.nonce}`);
    }
    const window = BigInt(this.limits.nonceWindow);
    if (decoded.nonce >= next + window) {
      throw new MempoolError(Code.NonceTooHigh, `next nonce ${next}, tx nonce ${decoded.nonce}; the pool holds nonces below ${next + window}`);
    }
  }

  private checkReplacement(decoded: DecodedTransaction, existing: PoolTransaction): void {
    const bump = BigInt(100 + this.limits.priceBumpPercent);
    const minFeeCap = ceilDiv(existing.maxFeePerGas * bump, 100n);
    const minTip = ceilDiv(existing.maxPriorityFeePerGas * bump, 100n);
    if (decoded.maxFeePerGas < minFeeCap || decoded.maxPriorityFeePerGas < minTip) {
      throw new MempoolError(
        Code.ReplaceUnderpriced,
        `nonce ${existing.nonce} is taken by ${existing.hash}; a replacement needs maxFeePerGas >= ${minFeeCap} and maxPriorityFeePerGas >= ${minTip} (+${this.limits.priceBumpPercent}%)`,
      );
    }
  }

  private checkSenderRoom(queue: SenderQueue): void {
    if (queue.size >= this.limits.maxPerSender) {
      throw new MempoolError(Code.AccountLimitExceeded, `sender ${queue.sender} already has ${queue.size} transactions in the pool, the most allowed; wait for some to be included`);
    }
  }

  /** The sender must afford this transaction on top of all its others in the pool. */
  private checkFunds(decoded: DecodedTransaction, queue: SenderQueue, existing: PoolTransaction | undefined): void {
    const others = queue.totalCost - (existing?.cost ?? 0n);
    if (others + decoded.cost <= queue.balance) return;
    const overshot = others + decoded.cost - queue.balance;
    const queued = others === 0n ? '' : `, queued cost ${others}`;
    throw new MempoolError(Code.InsufficientFunds, `balance ${queue.balance}${queued}, tx cost ${decoded.cost}, overshot ${overshot}`);
  }

  /**
   * Evicts lower-priority tails until `tx` fits. A victim must rank strictly below `tx` and
   * belong to another sender; otherwise the pool is full for this transaction.
   */
  private makeRoom(tx: PoolTransaction, queue: SenderQueue, existing: PoolTransaction | undefined): void {
    const addedCount = existing === undefined ? 1 : 0;
    const addedBytes = tx.raw.length - (existing?.raw.length ?? 0);
    const candidate = { tx, pending: tx.nonce <= queue.pendingEnd };
    while (this.byHash.size + addedCount > this.limits.maxPoolTransactions || this.poolBytes + addedBytes > this.limits.maxPoolBytes) {
      const victim = this.eviction.peekVictim();
      if (victim === undefined || victim.tx.sender === tx.sender || !evictsBefore(victim, candidate)) {
        throw new MempoolError(Code.PoolFull, `${this.byHash.size} transactions, ${this.poolBytes} bytes; raise the fee to displace others`);
      }
      this.removeTail(victim.tx);
      this.counters.evicted++;
    }
  }

  private insert(tx: PoolTransaction, queue: SenderQueue): void {
    const replaced = queue.put(tx);
    if (replaced !== undefined) {
      this.byHash.delete(replaced.hash);
      this.poolBytes -= replaced.raw.length;
      this.counters.replaced++;
    }
    this.byHash.set(tx.hash, tx);
    this.poolBytes += tx.raw.length;
    this.counters.admitted++;
    this.eviction.track(queue);
    this.eviction.compactIfNeeded(this.senders.values(), this.senders.size);
    if (replaced !== undefined) this.notifyRemoved([replaced], 'replaced');
  }

  private notify(tx: PoolTransaction): void {
    for (const listener of [...this.listeners]) this.callListener(() => listener(tx.hash, tx));
  }

  private notifyRemoved(removed: readonly PoolTransaction[], reason: RemovalReason): void {
    if (removed.length === 0) return;
    for (const listener of [...this.removedListeners]) this.callListener(() => listener(removed, reason));
  }

  /** The pool's state is settled whatever a listener does; its error goes where it is seen. */
  private callListener(call: () => void): void {
    try {
      call();
    } catch (error) {
      if (this.options.onListenerError !== undefined) this.options.onListenerError(error);
      else
        queueMicrotask(() => {
          throw error;
        });
    }
  }

  // --- removal ---------------------------------------------------------------------------

  private removeTail(tx: PoolTransaction): void {
    const queue = this.senders.get(tx.sender)!;
    queue.delete(tx.nonce);
    this.forget([tx], queue, 'evicted');
  }

  private advanceSender(sender: Hex, accountNonce: bigint, reason: 'included'): void {
    const queue = this.senders.get(sender);
    if (queue === undefined) return;
    const stale = queue.advance(accountNonce);
    this.counters[reason] += stale.length;
    this.forget(stale, queue, reason);
  }

  /** Re-reads the sender's account; drops stale nonces and transactions it cannot pay for. */
  private async revalidate(sender: Hex): Promise<void> {
    const account = await this.options.state.getAccount(sender);
    const queue = this.senders.get(sender);
    if (queue === undefined) return;
    queue.balance = account.balance;
    this.advanceSender(sender, account.nonce, 'included');
    const unaffordable = [...queue.all()].filter((tx) => tx.cost > account.balance);
    for (const tx of unaffordable) queue.delete(tx.nonce);
    this.counters.invalidated += unaffordable.length;
    this.forget(unaffordable, queue, 'invalidated');
  }

  /** O(pool size) per block; queued transactions are rare next to pending ones. */
  private expireQueued(): void {
    const cutoffMs = this.now() - this.limits.queuedLifetimeMs;
    for (const queue of [...this.senders.values()]) {
      if (queue.size === queue.pendingCount) continue;
      const expired = [...queue.queued()].filter((tx) => tx.addedAtMs < cutoffMs);
      for (const tx of expired) queue.delete(tx.nonce);
      this.counters.expired += expired.length;
      this.forget(expired, queue, 'expired');
    }
  }

  private forget(removed: readonly PoolTransaction[], queue: SenderQueue, reason: RemovalReason): void {
    for (const tx of removed) {
      this.byHash.delete(tx.hash);
      this.poolBytes -= tx.raw.length;
    }
    if (queue.size === 0) this.senders.delete(queue.sender);
    else this.eviction.track(queue);
    this.notifyRemoved(removed, reason);
  }

  private ownerOfQueue(queue: SenderQueue, options: TakeBatchOptions, seedKey: string): number {
    if (queue.ownerKey !== seedKey) {
      queue.owner = ownerOf(queue.sender, options.committeeSize, options.epochSeed);
      queue.ownerKey = seedKey;
    }
    return queue.owner;
  }
}

function subscribe<L>(listeners: L[], listener: L, max: number, what: string): () => void {
  if (listeners.length >= max) throw new RangeError(`Mempool.${what}: at most ${max} listeners; fan out from one listener instead`);
  listeners.push(listener);
  return () => {
    const index = listeners.indexOf(listener);
    if (index !== -1) listeners.splice(index, 1);
  };
}

function checkTakeBatchOptions(options: TakeBatchOptions): void {
  const { member, committeeSize, height, maxTransactions, maxBytes, maxGas } = options;
  if (!Number.isSafeInteger(committeeSize) || committeeSize < 1) {
    throw new RangeError(`takeBatch: committeeSize must be a positive integer, got ${committeeSize}`);
  }
  if (!Number.isSafeInteger(member) || member < 0 || member >= committeeSize) {
    throw new RangeError(`takeBatch: member must be in [0, ${committeeSize - 1}], got ${member}`);
  }
  if (!Number.isSafeInteger(height) || height < 0) throw new RangeError(`takeBatch: height must be a non-negative integer, got ${height}`);
  if (!Number.isSafeInteger(maxTransactions) || maxTransactions < 0 || !Number.isSafeInteger(maxBytes) || maxBytes < 0 || maxGas < 0n) {
    throw new RangeError('takeBatch: maxTransactions, maxBytes and maxGas must be non-negative');
  }
}

function routingKey(committeeSize: number, epochSeed: Uint8Array | undefined): string {
  return `${committeeSize}:${epochSeed === undefined ? '' : toHex(epochSeed)}`;
}

function normalize(hex: Hex): Hex {
  return hex.toLowerCase() as Hex;
}

function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}
