// The pool's bounds. Every queue here is bounded by one of these; each is named with its unit.
// Relations (checked by `resolveLimits`): maxPerSender <= nonceWindow, since a sender cannot
// hold more transactions than distinct nonces in its window; maxTxBytes <= maxPoolBytes.

/** Largest encoded transaction accepted, in bytes: geth's txMaxSize (4 slots of 32 KiB). */
export { MAX_TRANSACTION_BYTES as MAX_TX_BYTES } from '../chain/transactions.js';
import { MAX_TRANSACTION_BYTES as MAX_TX_BYTES } from '../chain/transactions.js';

/** Most transactions held at once (pending + queued), over all senders. */
export const MAX_POOL_TRANSACTIONS = 50_000;

/** Most encoded bytes held at once: caps memory even when every transaction is large. */
export const MAX_POOL_BYTES = 128 * 1024 * 1024;

/**
 * Most transactions one sender may hold. Larger than geth's 16 guaranteed account slots
 * because DeFi market makers stream many transactions per block; still small next to the
 * pool so one sender cannot crowd out the others (4% of MAX_POOL_TRANSACTIONS).
 */
export const MAX_PER_SENDER = 2_048;

/**
 * A transaction's nonce must lie in [account nonce, account nonce + NONCE_WINDOW): further
 * ahead it could only wait in the queue, taking room without any prospect of inclusion soon.
 */
export const NONCE_WINDOW = 4_096;

/**
 * Heights a sender's proposable transactions may wait without progress before every member
 * proposes them, not only their owner: a crashed or censoring owner delays a sender by at most
 * this many heights (the seed's "re-initiate verification").
 */
export const TAKEOVER_AFTER_HEIGHTS = 3;

/**
 * A queued (not yet proposable) transaction older than this is dropped when a block commits:
 * its gap has not filled for hours, so it only takes room. geth's default lifetime.
 */
export const QUEUED_LIFETIME_MS = 3 * 60 * 60 * 1000;

/** A replacement for the same (sender, nonce) must raise both fee cap and tip by this much. */
export const PRICE_BUMP_PERCENT = 10;

/**
 * A member's batch may use 1/K of the block's gas, and so may one transaction: the superblock
 * holds every member's batch and runs them in committee order, so with the whole limit each, a
 * loaded committee would propose K blocks' worth per height (the excess skipped at execution,
 * the later members' senders starving until takeover duplicated them). A transaction above the
 * share would fit no batch, so the pool refuses it at admission (decision 0014). With honest
 * batches at most their share, the members before any batch use at most (K-1) shares, so every
 * admitted transaction also finds room in the block at its turn.
 */
export function proposalGasShare(blockGasLimit: bigint, committeeSize: number): bigint {
  return blockGasLimit / BigInt(Math.max(1, committeeSize));
}

export interface MempoolLimits {
  readonly maxTxBytes: number;
  readonly maxPoolTransactions: number;
  readonly maxPoolBytes: number;
  readonly maxPerSender: number;
  readonly nonceWindow: number;
  readonly takeoverAfterHeights: number;
  readonly queuedLifetimeMs: number;
  readonly priceBumpPercent: number;
}

export const DEFAULT_LIMITS: MempoolLimits = {
  maxTxBytes: MAX_TX_BYTES,
  maxPoolTransactions: MAX_POOL_TRANSACTIONS,
  maxPoolBytes: MAX_POOL_BYTES,
  maxPerSender: MAX_PER_SENDER,
  nonceWindow: NONCE_WINDOW,
  takeoverAfterHeights: TAKEOVER_AFTER_HEIGHTS,
  queuedLifetimeMs: QUEUED_LIFETIME_MS,
  priceBumpPercent: PRICE_BUMP_PERCENT,
};

/** Fills in defaults and checks the relations above; throws a RangeError naming the field. */
export function resolveLimits(overrides: Partial<MempoolLimits> = {}): MempoolLimits {
  const limits: MempoolLimits = { ...DEFAULT_LIMITS, ...overrides };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new RangeError(`mempool limit ${name} must be a non-negative integer, got ${String(value)}`);
    }
  }
  if (limits.maxPerSender > limits.nonceWindow) {
    throw new RangeError(`mempool limit maxPerSender (${limits.maxPerSender}) must not exceed nonceWindow (${limits.nonceWindow})`);
  }
  if (limits.maxTxBytes > limits.maxPoolBytes) {
    throw new RangeError(`mempool limit maxTxBytes (${limits.maxTxBytes}) must not exceed maxPoolBytes (${limits.maxPoolBytes})`);
  }
  return limits;
}
