// Trie node databases for @ethereumjs/mpt over the chain store. Node keys are content hashes,
// so nodes are only ever added: old state roots stay readable (historical state for free) and
// a crash between writes can only leave unreferenced nodes, never a broken trie.
import type { BatchDBOp, DB, EncodingOpts } from '@ethereumjs/util';
import type { ChainStore } from '../chain/store.js';

type NodeValue = string | Uint8Array;

function keyBytes(key: string): Uint8Array {
  return new Uint8Array(Buffer.from(key, 'hex'));
}

/**
 * The block's write buffer: trie writes of one block collect here and go to the store in the
 * block's single atomic transaction (`take`), so the trie is written once per block.
 */
export class PendingNodeDB implements DB<string, NodeValue> {
  private pending = new Map<string, Uint8Array>();

  constructor(private readonly store: ChainStore) {}

  async get(key: string, _opts?: EncodingOpts): Promise<NodeValue | undefined> {
    return this.pending.get(key) ?? this.store.getStateNode(keyBytes(key));
  }

  async put(key: string, value: NodeValue, _opts?: EncodingOpts): Promise<void> {
    this.pending.set(key, typeof value === 'string' ? keyBytes(value) : value);
  }

  /** Never called without node pruning, which we leave off to keep history. */
  async del(_key: string, _opts?: EncodingOpts): Promise<void> {}

  async batch(ops: BatchDBOp<string, NodeValue>[]): Promise<void> {
    for (const op of ops) if (op.type === 'put') await this.put(op.key, op.value);
  }

  /** Storage tries are shallow copies of the account trie: they must share this buffer. */
  shallowCopy(): DB<string, NodeValue> {
    return this;
  }

  async open(): Promise<void> {}

  /** The nodes written since the last take; the buffer keeps them until `clear` (after the commit). */
  snapshot(): ReadonlyMap<string, Uint8Array> {
    return this.pending;
  }

  clear(): void {
    this.pending = new Map();
  }
}

/**
 * A read view for calls, traces and proofs: reads committed nodes, and keeps any writes the EVM
 * makes in a throwaway map so a query can never touch the chain's state.
 */
export class ScratchNodeDB implements DB<string, NodeValue> {
  private readonly scratch = new Map<string, Uint8Array>();

  constructor(private readonly store: ChainStore) {}

  async get(key: string): Promise<NodeValue | undefined> {
    return this.scratch.get(key) ?? this.store.getStateNode(keyBytes(key));
  }

  async put(key: string, value: NodeValue): Promise<void> {
    this.scratch.set(key, typeof value === 'string' ? keyBytes(value) : value);
  }

  async del(): Promise<void> {}

  async batch(ops: BatchDBOp<string, NodeValue>[]): Promise<void> {
    for (const op of ops) if (op.type === 'put') await this.put(op.key, op.value);
  }

  shallowCopy(): DB<string, NodeValue> {
    return this;
  }

  async open(): Promise<void> {}
}
