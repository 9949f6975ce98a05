// The contract between the layer that produces the chain (execution) and the layer that keeps
// it (storage): what a store must hold and the one atomic write per block. Execution codes
// against this interface; storage/ implements it on lmdb.
import type { BlockRecord, FinalityCertificate, Hex, ReceiptRecord, TransactionRecord } from './types.js';

/** What the store knows about the chain it holds. */
export interface ChainMeta {
  readonly chainId: bigint;
  readonly genesisHash: Hex;
  readonly headNumber: bigint;
}

/** Everything one block changes, written in ONE atomic transaction (all of it or none). */
export interface BlockCommit {
  readonly chainId: bigint;
  readonly block: BlockRecord;
  readonly receipts: readonly ReceiptRecord[];
  readonly transactions: readonly TransactionRecord[];
  /** New state trie nodes and contract code, keyed by their hash (content-addressed). */
  readonly stateNodes: ReadonlyMap<string, Uint8Array>; // unprefixed hex key -> bytes
  /** The block's finality certificate when it is known at commit (a synced block): same write. */
  readonly certificate?: FinalityCertificate;
}

export interface ChainStore {
  /** The directory that holds the store. */
  readonly path: string;
  /** Undefined until the genesis block is committed. */
  meta(): ChainMeta | undefined;
  getBlockByNumber(number: bigint): BlockRecord | undefined;
  getBlockByHash(hash: Hex): BlockRecord | undefined;
  getTransaction(hash: Hex): TransactionRecord | undefined;
  getReceipt(hash: Hex): ReceiptRecord | undefined;
  getBlockReceipts(number: bigint): readonly ReceiptRecord[] | undefined;
  getCertificate(height: bigint): FinalityCertificate | undefined;
  /** Durable (fsync'ed) when it resolves. */
  putCertificate(certificate: FinalityCertificate): Promise<void>;
  /** A state trie node or code blob by its key, as written by commitBlock. */
  getStateNode(key: Uint8Array): Uint8Array | undefined;
  /** Writes the block, its receipts, transactions, state nodes and the new head atomically; durable when it resolves. */
  commitBlock(commit: BlockCommit): Promise<void>;
  /** Appends vote-journal entries in one durable transaction: fsync'ed when it resolves. */
  appendJournal(entries: readonly unknown[], height?: bigint): Promise<void>;
  /** Every journal entry still kept, in append order. */
  readJournal(): unknown[];
  /** Removes entries labelled with a height below `keepFromHeight`; resolves to how many were removed. */
  pruneJournal(keepFromHeight: bigint): Promise<number>;
  close(): Promise<void>;
}
