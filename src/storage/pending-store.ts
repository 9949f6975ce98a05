// Durable copy of the transactions this validator's clients submitted and its pool still holds,
// so a restart (after kill -9 or power loss too) re-admits them instead of losing them. Keyed by
// transaction hash. An entry is fsync'ed before the client hears "accepted"; it leaves when the
// pool lets the transaction go for any reason (included, replaced, evicted, invalidated,
// expired), so the store never holds more than the pool may: its bounds are the pool's.
import { mkdirSync } from 'node:fs';
import { open as openLmdb, type RootDatabase } from 'lmdb';
import type { Hex } from '../chain/types.js';
import { MempoolError, MempoolErrorCode, type RemovedListener } from '../mempool/index.js';
import { MAX_POOL_BYTES, MAX_POOL_TRANSACTIONS } from '../mempool/limits.js';
import { StorageError } from './errors.js';
import { DEFAULT_DURABILITY, lmdbSyncOptions, type Durability } from './durability.js';

export interface PendingStoreLimits {
  /** Most entries kept; a put beyond it is refused, a larger store is trimmed when opened. */
  readonly maxEntries: number;
  /** Most bytes of transactions kept, likewise. */
  readonly maxBytes: number;
}

/**
 * The pool holds at most MAX_POOL_TRANSACTIONS transactions of MAX_POOL_BYTES in all, and the
 * store only ever holds transactions the pool holds, so the same bounds never refuse a
 * transaction the pool took; they are enforced anyway, and again when a store is reopened.
 */
export const DEFAULT_PENDING_STORE_LIMITS: PendingStoreLimits = { maxEntries: MAX_POOL_TRANSACTIONS, maxBytes: MAX_POOL_BYTES };

export interface PendingStoreOptions {
  readonly limits?: Partial<PendingStoreLimits>;
  /** lmdb's `open` (the default); tests pass a wrapper that observes the database's writes. */
  readonly openDatabase?: typeof openLmdb;
  /** 'machine' (default): a put resolves once fsync'ed; 'process': once the OS has it (storage/durability.ts). */
  readonly durability?: Durability;
}

export interface PendingTransactionStore {
  readonly limits: PendingStoreLimits;
  /** Entries dropped when the store was opened because it held more than `limits`. */
  readonly trimmedAtOpen: number;
  /** Why a put of `bytes` would be refused now, or undefined when it fits. */
  refusal(bytes: number): string | undefined;
  /** Resolves once the entry is on disk (fsync'ed). Rejects with StorageError 'FULL', keeping nothing, past a bound. */
  put(hash: Hex, raw: Uint8Array): Promise<void>;
  /** Forgets entries (not fsync'ed on its own: an entry that comes back after a crash is re-admitted, then dropped). */
  remove(hashes: readonly Hex[]): Promise<void>;
  /** Every kept entry in hash order, read one at a time (at most `limits`). */
  entries(): Iterable<{ readonly hash: Hex; readonly raw: Uint8Array }>;
  size(): number;
  bytes(): number;
  close(): Promise<void>;
}

export function resolvePendingStoreLimits(overrides: Partial<PendingStoreLimits> = {}): PendingStoreLimits {
  const limits = { ...DEFAULT_PENDING_STORE_LIMITS, ...overrides };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`pending store limit ${name} must be a positive integer, got ${String(value)}`);
  }
  return limits;
}

export function openPendingTransactionStore(dir: string, options: PendingStoreOptions = {}): PendingTransactionStore {
  const limits = resolvePendingStoreLimits(options.limits);
  mkdirSync(dir, { recursive: true });
  let db: RootDatabase<Uint8Array, string>;
  try {
    db = (options.openDatabase ?? openLmdb)<Uint8Array, string>({ path: dir, encoding: 'binary', compression: false, ...lmdbSyncOptions(options.durability ?? DEFAULT_DURABILITY) });
  } catch (cause) {
    throw new StorageError('CORRUPT_DATA_DIR', `cannot open the pending-transaction store ${dir}: ${(cause as Error).message}; delete that folder (only unconfirmed transactions are lost)`);
  }
  /** hash -> encoded length of every kept entry: the counts are exact whatever is in flight. */
  const kept = new Map<Hex, number>();
  let keptBytes = 0;
  const excess: string[] = [];
  for (const { key, value } of db.getRange()) {
    if (kept.size < limits.maxEntries && keptBytes + value.length <= limits.maxBytes) {
      kept.set(key as Hex, value.length);
      keptBytes += value.length;
    } else {
      excess.push(key);
    }
  }
  // Written by a run with larger bounds: what the pool could not take back is dropped now, so
  // the store starts within its bounds instead of refusing every new transaction.
  if (excess.length > 0) db.transactionSync(() => excess.forEach((key) => db.removeSync(key)));
  let closed = false;

  const refusal = (bytes: number): string | undefined => {
    if (kept.size < limits.maxEntries && keptBytes + bytes <= limits.maxBytes) return undefined;
    return `the node's durable copy of pending transactions holds ${kept.size} transactions of ${keptBytes} bytes, its bound is ${limits.maxEntries} transactions of ${limits.maxBytes} bytes; retry once blocks have included some`;
  };

  return {
    limits,
    trimmedAtOpen: excess.length,
    refusal,
    async put(hash, raw) {
      if (closed) throw new StorageError('CLOSED', `the pending-transaction store ${dir} is closed`);
      if (!kept.has(hash)) {
        const full = refusal(raw.length);
        if (full !== undefined) throw new StorageError('FULL', full);
        kept.set(hash, raw.length);
        keptBytes += raw.length;
        try {
          await db.put(hash, raw);
        } catch (error) {
          if (kept.delete(hash)) keptBytes -= raw.length;
          throw error;
        }
      }
      // The commit is visible before it is on disk (lmdb's overlappingSync): wait for the fsync.
      await db.flushed;
    },
    async remove(hashes) {
      const present = hashes.filter((hash) => kept.has(hash));
      if (present.length === 0) return;
      for (const hash of present) {
        keptBytes -= kept.get(hash)!;
        kept.delete(hash);
      }
      // lmdb batches these into one commit.
      await Promise.all(present.map((hash) => db.remove(hash)));
    },
    *entries() {
      for (const hash of [...kept.keys()].sort()) {
        const raw = db.get(hash);
        if (raw !== undefined) yield { hash, raw };
      }
    },
    size: () => kept.size,
    bytes: () => keptBytes,
    async close() {
      closed = true;
      await db.close();
    },
  };
}

/** What the store needs of the pool: admission of a client's transaction, membership, removals. */
export interface PendingPool {
  add(raw: Uint8Array, origin: 'local'): Promise<{ readonly hash: Hex }>;
  has(hash: Hex): boolean;
  onRemoved(listener: RemovedListener): () => void;
}

/**
 * Admits a client's transaction and resolves with its hash once it is on disk: "accepted" means
 * it survives a crash. Refused before admission (MempoolError 'txpool is full') when the store
 * has no room, so nothing is admitted that would not be kept. `onAdmitted` runs between
 * admission and the write (the node gossips there: the transaction is public once sent, and the
 * fsync need not delay its proposer).
 */
export async function admitDurably(store: PendingTransactionStore, pool: PendingPool, raw: Uint8Array, onAdmitted: (raw: Uint8Array) => void): Promise<Hex> {
  const full = store.refusal(raw.length);
  if (full !== undefined) throw new MempoolError(MempoolErrorCode.PoolFull, full);
  const { hash } = await pool.add(raw, 'local');
  onAdmitted(raw);
  await store.put(hash, raw);
  // Included or evicted while it was written: the store keeps only what the pool holds.
  if (!pool.has(hash)) await store.remove([hash]);
  return hash;
}

export interface RestoreOutcome {
  /** Re-admitted transactions, in the order they went back in (to gossip again). */
  readonly restored: Uint8Array[];
  /** Entries the pool refused (a block included them meanwhile, the sender can no longer pay…). */
  readonly dropped: number;
  /** Entries beyond the store's bounds, dropped when it was opened. */
  readonly trimmed: number;
}

/**
 * Binds the store to the pool for good and re-admits what it kept: from now on every transaction
 * the pool lets go of leaves the store, so the store holds only transactions the pool holds,
 * within the pool's bounds. Call it once, before any client transaction is admitted.
 */
export async function restorePendingTransactions(store: PendingTransactionStore, pool: PendingPool, onRemoveError: (error: unknown) => void): Promise<RestoreOutcome> {
  // Every removal, not only of 'local' ones: a peer may have gossiped a kept transaction back
  // before it was restored. The store ignores hashes it does not hold.
  pool.onRemoved((removed) => {
    store.remove(removed.map((tx) => tx.hash)).catch(onRemoveError);
  });
  const restored: Uint8Array[] = [];
  const refused: Hex[] = [];
  for (const { hash, raw } of store.entries()) {
    try {
      await pool.add(raw, 'local');
      restored.push(raw);
    } catch (error) {
      // Already in the pool (gossiped back meanwhile): still pending, so still kept.
      if (!(error instanceof MempoolError && error.code === MempoolErrorCode.AlreadyKnown)) refused.push(hash);
    }
  }
  await store.remove(refused);
  return { restored, dropped: refused.length, trimmed: store.trimmedAtOpen };
}
