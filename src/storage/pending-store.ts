// Durable copy of the transactions a validator admitted and has not yet seen in a block, so a
// restart (even after kill -9) re-admits them instead of losing them. Keyed by transaction hash;
// an entry is written before the client is told the transaction was accepted and removed once a
// block includes the transaction.
import { mkdirSync } from 'node:fs';
import { open, type RootDatabase } from 'lmdb';
import { StorageError } from './errors.js';

/** Bound on kept entries: the mempool holds at most this many transactions anyway. */
export const MAX_PENDING_ENTRIES = 100_000;

export interface PendingTransactionStore {
  /** Durable when it resolves. */
  put(hash: string, raw: Uint8Array): Promise<void>;
  remove(hashes: readonly string[]): Promise<void>;
  /** Every kept transaction (in hash order; the mempool re-orders by sender and nonce). */
  all(): Uint8Array[];
  size(): number;
  close(): Promise<void>;
}

export function openPendingTransactionStore(dir: string): PendingTransactionStore {
  mkdirSync(dir, { recursive: true });
  let db: RootDatabase<Uint8Array, string>;
  try {
    db = open<Uint8Array, string>({ path: dir, encoding: 'binary', compression: false });
  } catch (cause) {
    throw new StorageError('CORRUPT_DATA_DIR', `cannot open the pending-transaction store ${dir}: ${(cause as Error).message}; delete that folder (only unconfirmed transactions are lost)`);
  }
  let count = db.getCount();
  return {
    async put(hash, raw) {
      if (count >= MAX_PENDING_ENTRIES) return;
      count++;
      await db.put(hash, raw);
    },
    async remove(hashes) {
      if (hashes.length === 0) return;
      const present = hashes.filter((hash) => db.doesExist(hash));
      count -= present.length;
      // lmdb batches these into one commit.
      await Promise.all(present.map((hash) => db.remove(hash)));
    },
    all() {
      return [...db.getRange()].map(({ value }) => value);
    },
    size: () => count,
    close: () => db.close(),
  };
}
