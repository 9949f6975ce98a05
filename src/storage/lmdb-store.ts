// The chain store on LMDB (lmdb-js): blocks, transactions, receipts, certificates, state trie
// nodes, the vote journal and the chain metadata, in one memory-mapped environment so a block
// and everything it changes commit in ONE write transaction. Reads are synchronous (LMDB reads
// are memory lookups); writes are batched on lmdb's writer thread and we await `flushed`
// (fsync done) before resolving, so "resolved" means "survives kill -9 and power loss".
// Durability settings and why: docs/decisions/0005-state-storage.md.
import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { open, type Database, type RootDatabase } from 'lmdb';
import { DEFAULT_DURABILITY, lmdbSyncOptions, type Durability } from './durability.js';
import type { BlockCommit, ChainMeta, ChainStore } from '../chain/store.js';
import type { BlockRecord, FinalityCertificate, Hex, ReceiptRecord, TransactionRecord } from '../chain/types.js';
import { decodeValue, encodeValue } from './codec.js';
import { StorageError } from './errors.js';

/** File name of the LMDB environment inside the data directory (lmdb adds `-lock`). */
export const STORE_FILE_NAME = 'chain.mdb';
/** Written once into a new store; a store without it, or with another value, is foreign. */
export const STORE_FORMAT = 'synod-chain-store/1';
/** Decoded receipt lists kept in memory: receipt lookups cluster on recent blocks. */
const RECEIPT_CACHE_BLOCKS_MAX = 64;
const SUB_DATABASES = ['meta', 'blocks', 'blockHashes', 'txs', 'receipts', 'certs', 'state', 'journal'] as const;
/** lmdb asks for a bound on named databases; ours plus headroom for later additions. */
const MAX_NAMED_DATABASES = 32;

type Key = number | string | Buffer;
type SubDatabases = Record<(typeof SUB_DATABASES)[number], Database<any, Key>>;

interface JournalValue {
  readonly h: string | null; // height label (decimal) used by pruneJournal, or null: never pruned
  readonly e: unknown;
}

function heightKey(height: bigint): number {
  if (height < 0n || height > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new StorageError('INVALID_WRITE', `block height ${height} is outside 0..2^53-1`);
  }
  return Number(height);
}

function hashKey(hash: Hex): Buffer {
  return Buffer.from(hash.slice(2), 'hex');
}

/** The height an entry is labelled with: explicit, else the entry's own `height` field. */
function journalHeight(entry: unknown, explicit: bigint | undefined): string | null {
  if (explicit !== undefined) return explicit.toString(10);
  if (entry === null || typeof entry !== 'object' || entry instanceof Uint8Array) return null;
  const h = (entry as { height?: unknown }).height;
  if (typeof h === 'bigint') return h.toString(10);
  if (typeof h === 'number' && Number.isSafeInteger(h)) return String(h);
  if (typeof h === 'string' && /^[0-9]+$/.test(h)) return h;
  return null;
}

class LmdbChainStore implements ChainStore {
  private closed = false;
  private cachedMeta: ChainMeta | undefined;
  private nextJournalSeq: number;
  private readonly receiptCache = new Map<number, readonly ReceiptRecord[]>();

  constructor(
    readonly path: string,
    private readonly root: RootDatabase,
    private readonly dbs: SubDatabases,
    private readonly readOnly = false,
  ) {
    const chain = this.dbs.meta.get('chain') as Buffer | undefined;
    this.cachedMeta = chain === undefined ? undefined : decodeValue<ChainMeta>(chain);
    let last = 0;
    for (const key of this.dbs.journal.getKeys({ reverse: true, limit: 1 })) last = key as number;
    this.nextJournalSeq = last + 1;
  }

  meta(): ChainMeta | undefined {
    return this.cachedMeta;
  }

  /** A reader's next reads see everything committed so far (by any thread). */
  refresh(): void {
    this.assertOpen();
    this.root.resetReadTxn();
    const chain = this.dbs.meta.get('chain') as Buffer | undefined;
    this.cachedMeta = chain === undefined ? undefined : decodeValue<ChainMeta>(chain);
  }

  getBlockByNumber(number: bigint): BlockRecord | undefined {
    if (number < 0n || number > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
    return this.decoded<BlockRecord>(this.dbs.blocks, Number(number));
  }

  getBlockByHash(hash: Hex): BlockRecord | undefined {
    const number = this.dbs.blockHashes.get(hashKey(hash)) as number | undefined;
    return number === undefined ? undefined : this.decoded<BlockRecord>(this.dbs.blocks, number);
  }

  getTransaction(hash: Hex): TransactionRecord | undefined {
    return this.decoded<TransactionRecord>(this.dbs.txs, hashKey(hash));
  }

  getReceipt(hash: Hex): ReceiptRecord | undefined {
    const tx = this.getTransaction(hash);
    if (tx === undefined) return undefined;
    return this.getBlockReceipts(tx.blockNumber)?.[tx.transactionIndex];
  }

  getBlockReceipts(number: bigint): readonly ReceiptRecord[] | undefined {
    if (number < 0n || number > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
    const key = Number(number);
    const cached = this.receiptCache.get(key);
    if (cached !== undefined) return cached;
    const receipts = this.decoded<ReceiptRecord[]>(this.dbs.receipts, key);
    if (receipts !== undefined) {
      if (this.receiptCache.size >= RECEIPT_CACHE_BLOCKS_MAX) {
        this.receiptCache.delete(this.receiptCache.keys().next().value as number);
      }
      this.receiptCache.set(key, receipts);
    }
    return receipts;
  }

  getCertificate(height: bigint): FinalityCertificate | undefined {
    if (height < 0n || height > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
    return this.decoded<FinalityCertificate>(this.dbs.certs, Number(height));
  }

  async putCertificate(certificate: FinalityCertificate): Promise<void> {
    this.assertWritable();
    await this.dbs.certs.put(heightKey(certificate.height), encodeValue(certificate));
    await this.root.flushed;
  }

  getStateNode(key: Uint8Array): Uint8Array | undefined {
    const value = this.dbs.state.get(Buffer.from(key.buffer, key.byteOffset, key.byteLength)) as Buffer | undefined;
    return value === undefined ? undefined : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  }

  async commitBlock(commit: BlockCommit): Promise<void> {
    this.assertWritable();
    const { block } = commit;
    this.checkSuccession(commit);
    const number = heightKey(block.number);
    const meta: ChainMeta = {
      chainId: commit.chainId,
      genesisHash: this.cachedMeta?.genesisHash ?? block.hash,
      headNumber: block.number,
    };
    await this.root.transaction(() => {
      for (const [key, value] of commit.stateNodes) this.dbs.state.putSync(Buffer.from(key, 'hex'), value);
      for (const tx of commit.transactions) this.dbs.txs.putSync(hashKey(tx.hash), encodeValue(tx));
      this.dbs.blocks.putSync(number, encodeValue(block));
      this.dbs.blockHashes.putSync(hashKey(block.hash), number);
      this.dbs.receipts.putSync(number, encodeValue(commit.receipts));
      this.dbs.meta.putSync('chain', encodeValue(meta));
      if (commit.certificate !== undefined) this.dbs.certs.putSync(heightKey(commit.certificate.height), encodeValue(commit.certificate));
    });
    await this.root.flushed;
    this.cachedMeta = meta;
  }

  async appendJournal(entries: readonly unknown[], height?: bigint): Promise<void> {
    this.assertWritable();
    if (entries.length === 0) return;
    const first = this.nextJournalSeq;
    this.nextJournalSeq += entries.length;
    await this.root.transaction(() => {
      entries.forEach((entry, i) => {
        const value: JournalValue = { h: journalHeight(entry, height), e: entry };
        this.dbs.journal.putSync(first + i, encodeValue(value));
      });
    });
    await this.root.flushed;
  }

  readJournal(): unknown[] {
    const out: unknown[] = [];
    for (const { value } of this.dbs.journal.getRange({})) out.push(decodeValue<JournalValue>(value as Buffer).e);
    return out;
  }

  async pruneJournal(keepFromHeight: bigint): Promise<number> {
    this.assertWritable();
    const doomed: number[] = [];
    for (const { key, value } of this.dbs.journal.getRange({})) {
      const { h } = decodeValue<JournalValue>(value as Buffer);
      if (h !== null && BigInt(h) < keepFromHeight) doomed.push(key as number);
    }
    if (doomed.length === 0) return 0;
    await this.root.transaction(() => {
      for (const key of doomed) this.dbs.journal.removeSync(key);
    });
    await this.root.flushed;
    return doomed.length;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.root.close();
  }

  private decoded<T>(db: Database<any, Key>, key: Key): T | undefined {
    this.assertOpen();
    const bytes = db.get(key) as Buffer | undefined;
    return bytes === undefined ? undefined : decodeValue<T>(bytes);
  }

  private checkSuccession(commit: BlockCommit): void {
    const expected = this.cachedMeta === undefined ? 0n : this.cachedMeta.headNumber + 1n;
    if (commit.block.number !== expected) {
      throw new StorageError('INVALID_WRITE', `block ${commit.block.number} does not follow the stored head: expected block ${expected}`);
    }
    if (this.cachedMeta !== undefined && this.cachedMeta.chainId !== commit.chainId) {
      throw new StorageError('INVALID_WRITE', `block for chain id ${commit.chainId} written to a store of chain id ${this.cachedMeta.chainId}`);
    }
  }

  private assertWritable(): void {
    this.assertOpen();
    if (this.readOnly) throw new StorageError('INVALID_WRITE', `chain store at ${this.path} is opened read-only here (a query worker's view); only the node writes`);
  }

  private assertOpen(): void {
    if (this.closed) throw new StorageError('CLOSED', `chain store at ${this.path} is closed; open it again with openChainStore`);
  }
}

function prepareDirectory(dir: string): void {
  if (existsSync(dir) && !statSync(dir).isDirectory()) {
    throw new StorageError('NOT_A_DIRECTORY', `data dir ${dir} exists and is not a directory: pass a directory path`);
  }
  mkdirSync(dir, { recursive: true });
}

/** LMDB's meta-page magic (lmdb.h MDB_MAGIC), after the page header (16 or 24 bytes by build). */
const LMDB_MAGIC = 0xbeefc0de;
const LMDB_MAGIC_OFFSETS = [16, 24];

function corrupt(file: string, why: string, cause?: unknown): StorageError {
  return new StorageError(
    'CORRUPT_DATA_DIR',
    `cannot open the chain store ${file}: ${why}. The data dir is corrupt or not Synod's: move it away (or delete it) and restart to resync from peers`,
    { cause },
  );
}

/**
 * lmdb crashes the process (SIGSEGV) on some garbage files instead of failing, so check the
 * meta page's magic number ourselves before handing the file to it.
 */
function checkLmdbHeader(file: string): void {
  if (!existsSync(file) || statSync(file).size === 0) return;
  const header = Buffer.alloc(32);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, header, 0, header.length, 0);
  } finally {
    closeSync(fd);
  }
  if (!LMDB_MAGIC_OFFSETS.some((offset) => header.readUInt32LE(offset) === LMDB_MAGIC)) throw corrupt(file, 'it is not an LMDB file');
}

function openEnvironment(dir: string, durability: Durability = DEFAULT_DURABILITY): RootDatabase {
  const file = join(dir, STORE_FILE_NAME);
  checkLmdbHeader(file);
  try {
    // Defaults kept on purpose for 'machine': sync on commit, overlappingSync (fsync outside the
    // writer lock; we await `flushed`). 'process' commits without fsync (storage/durability.ts).
    // No compression: state nodes are hashes and do not compress.
    return open({ path: file, maxDbs: MAX_NAMED_DATABASES, compression: false, ...lmdbSyncOptions(durability) });
  } catch (cause) {
    throw corrupt(file, (cause as Error).message, cause);
  }
}

/** Refuses an LMDB file that holds someone else's data: its named databases must be ours. */
function checkOwnership(dir: string, root: RootDatabase): void {
  const ours = new Set<string>(SUB_DATABASES);
  for (const key of root.getKeys({ limit: 100 })) {
    if (typeof key !== 'string' || !ours.has(key)) {
      throw new StorageError('FOREIGN_DATA_DIR', `${join(dir, STORE_FILE_NAME)} is an LMDB file that is not a Synod chain store (found key ${String(key)}): use another --data-dir`);
    }
  }
}

function openSubDatabases(root: RootDatabase): SubDatabases {
  const binary = (name: string, keyEncoding?: 'binary') =>
    root.openDB<any, Key>({ name, encoding: 'binary', ...(keyEncoding ? { keyEncoding } : {}) });
  return {
    meta: root.openDB<any, Key>({ name: 'meta', encoding: 'binary' }),
    blocks: binary('blocks'),
    blockHashes: root.openDB<any, Key>({ name: 'blockHashes', encoding: 'ordered-binary' }),
    txs: binary('txs'),
    receipts: binary('receipts'),
    certs: binary('certs'),
    state: binary('state', 'binary'),
    journal: binary('journal'),
  };
}

function checkFormat(dir: string, meta: Database<any, Key>): void {
  const format = meta.get('format') as Buffer | undefined;
  if (format === undefined) {
    meta.putSync('format', encodeValue(STORE_FORMAT));
    return;
  }
  const found = decodeValue<unknown>(format);
  if (found !== STORE_FORMAT) {
    throw new StorageError('FOREIGN_DATA_DIR', `chain store ${dir} has format ${JSON.stringify(found)}, this node reads ${STORE_FORMAT}: use a data dir written by this version`);
  }
}

/** A chain store opened only to read: a query worker's view of what the node has committed. */
export interface ChainStoreReader extends ChainStore {
  /** Drops the reader's snapshot, so that its next reads see every commit made so far. */
  refresh(): void;
}

/**
 * Opens the chain store in `dir`, which the node has already created, to read only (writes throw).
 * Used by query worker threads; lmdb shares one environment between the threads of a process.
 */
export async function openChainStoreReader(dir: string): Promise<ChainStoreReader> {
  const file = join(dir, STORE_FILE_NAME);
  if (!existsSync(file)) throw new StorageError('CORRUPT_DATA_DIR', `no chain store at ${file} to read: the node creates it when it starts`);
  const root = openEnvironment(dir);
  try {
    const dbs = openSubDatabases(root);
    const format = dbs.meta.get('format') as Buffer | undefined;
    if (format === undefined || decodeValue<unknown>(format) !== STORE_FORMAT) throw new StorageError('FOREIGN_DATA_DIR', `chain store ${dir} is not in format ${STORE_FORMAT}`);
    return new LmdbChainStore(dir, root, dbs, true);
  } catch (error) {
    await root.close();
    throw error;
  }
}

/** Opens (creating if needed) the chain store in `dir`. Fails with a StorageError naming the path and the fix. */
export async function openChainStore(dir: string, options: { readonly durability?: Durability } = {}): Promise<ChainStore> {
  prepareDirectory(dir);
  const root = openEnvironment(dir, options.durability);
  try {
    checkOwnership(dir, root);
    const dbs = openSubDatabases(root);
    checkFormat(dir, dbs.meta);
    return new LmdbChainStore(dir, root, dbs);
  } catch (error) {
    await root.close();
    throw error;
  }
}
