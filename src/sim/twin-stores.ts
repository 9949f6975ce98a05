// In-memory twins of the node's durable stores: the vote journal (part of the chain store) and the
// pending-transaction store. A write is durable when its promise resolves, as on disk; what is
// written survives the node's crashes (the simulator keeps the object and rebuilds the node).
import type { PendingTransactionStore } from '../storage/pending-store.js';
import type { JournalStore } from '../node/node.js';

export class MemoryJournal implements JournalStore {
  private entries: { height: bigint | null; entry: unknown }[] = [];

  async appendJournal(entries: readonly unknown[], height?: bigint): Promise<void> {
    for (const entry of entries) this.entries.push({ height: height ?? null, entry: structuredClone(entry) });
    return Promise.resolve();
  }

  readJournal(): unknown[] {
    return this.entries.map((e) => structuredClone(e.entry));
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
  private readonly kept = new Map<string, Uint8Array>();

  async put(hash: string, raw: Uint8Array): Promise<void> {
    this.kept.set(hash, raw);
    return Promise.resolve();
  }

  async remove(hashes: readonly string[]): Promise<void> {
    for (const hash of hashes) this.kept.delete(hash);
    return Promise.resolve();
  }

  all(): Uint8Array[] {
    return [...this.kept.keys()].sort().map((hash) => this.kept.get(hash)!);
  }

  size(): number {
    return this.kept.size;
  }

  async close(): Promise<void> {
    return Promise.resolve();
  }
}
