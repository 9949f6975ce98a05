// In-memory twins of the node's durable stores: the vote journal (part of the chain store) and the
// pending-transaction store. A write is durable when its promise resolves, as on disk; what is
// written survives the node's crashes (the simulator keeps the object and rebuilds the node).
import type { Hex } from '../chain/types.js';
import { DEFAULT_PENDING_STORE_LIMITS, type PendingStoreLimits, type PendingTransactionStore } from '../storage/pending-store.js';
import { StorageError } from '../storage/errors.js';
import type { JournalStore } from '../node/node.js';

export class MemoryJournal implements JournalStore {
  // Entries are kept as the journal file keeps them, as JSON text: what cannot be written fails here too.
  private entries: { height: bigint | null; entry: string }[] = [];

  async appendJournal(entries: readonly unknown[], height?: bigint): Promise<void> {
    for (const entry of entries) this.entries.push({ height: height ?? null, entry: JSON.stringify(entry) });
    return Promise.resolve();
  }

  readJournal(): unknown[] {
    return this.entries.map((e) => JSON.parse(e.entry) as unknown);
  }

  async pruneJournal(keepFromHeight: bigint): Promise<number> {
    const before = this.entries.length;
    this.entries = this.entries.filter((e) => e.height === null || e.height >= keepFromHeight);
    return Promise.resolve(before - this.entries.length);
  }

  get size(): number {
    return this.entries.length;
  }
}

export class MemoryPendingStore implements PendingTransactionStore {
  readonly limits: PendingStoreLimits = DEFAULT_PENDING_STORE_LIMITS;
  readonly trimmedAtOpen = 0;
  private readonly kept = new Map<Hex, Uint8Array>();
  private keptBytes = 0;

  refusal(bytes: number): string | undefined {
    if (this.kept.size < this.limits.maxEntries && this.keptBytes + bytes <= this.limits.maxBytes) return undefined;
    return `the pending store holds ${this.kept.size} transactions of ${this.keptBytes} bytes, its bound is ${this.limits.maxEntries} of ${this.limits.maxBytes}`;
  }

  async put(hash: Hex, raw: Uint8Array): Promise<void> {
    if (!this.kept.has(hash)) {
      const full = this.refusal(raw.length);
      if (full !== undefined) throw new StorageError('FULL', full);
      this.kept.set(hash, raw);
      this.keptBytes += raw.length;
    }
    return Promise.resolve();
  }

  async remove(hashes: readonly Hex[]): Promise<void> {
    for (const hash of hashes) {
      const raw = this.kept.get(hash);
      if (raw === undefined) continue;
      this.kept.delete(hash);
      this.keptBytes -= raw.length;
    }
    return Promise.resolve();
  }

  *entries(): Iterable<{ readonly hash: Hex; readonly raw: Uint8Array }> {
    for (const hash of [...this.kept.keys()].sort()) yield { hash, raw: this.kept.get(hash)! };
  }

  size(): number {
    return this.kept.size;
  }

  bytes(): number {
    return this.keptBytes;
  }

  async close(): Promise<void> {
    return Promise.resolve();
  }
}
