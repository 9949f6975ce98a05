// The execution engine: runs each superblock in the EVM (@ethereumjs/vm, Prague) against the
// durable state, builds the Ethereum-shaped block, and commits block, receipts, transactions,
// state nodes and the new head in one atomic store transaction.
// Performance: state changes of a block stay in the state manager's caches under one outer
// checkpoint (per-tx checkpoints inside runTx revert a failed tx), and the trie is written once
// per block into a write buffer that the store commits with the block.
import { createBlock, type Block } from '@ethereumjs/block';
import { Hardfork, Mainnet, createCustomCommon, type Common } from '@ethereumjs/common';
import { Caches, MerkleStateManager, getMerkleStateProof } from '@ethereumjs/statemanager';
import { KECCAK256_NULL, bytesToBigInt, bytesToHex, createAddressFromString, eoaCode7702AuthorizationHashedMessageToSign, hexToBytes, setLengthLeft, type Account, type EOACode7702AuthorizationListBytesItem } from '@ethereumjs/util';
import type { TypedTransaction } from '@ethereumjs/tx';
import { Bloom, createVM, runTx, type VM } from '@ethereumjs/vm';
import { SYNOD_PRECOMPILES } from './precompiles.js';
import type { ChainStore } from '../chain/store.js';
import type { BlockRecord, FinalityCertificate, Hex, LogRecord, ReceiptRecord, SkippedTransaction, TransactionRecord } from '../chain/types.js';
import { ecrecover, nativeCustomCrypto, publicKeyToAddress } from '../crypto/secp256k1.js';
import { decodeTransaction, rejectionAtTurn, transactionHash } from './admission.js';
import { ExecutionError } from './errors.js';
import { applyAlloc, type GenesisSpec } from './genesis.js';
import { blockSize, buildHeader, headerToRecord } from './header.js';
import { DEFAULT_RPC_GAS_CAP, LATEST_ACCOUNT_CACHE_MAX, MAX_BLOCK_TRANSACTIONS, MAX_EXTRA_DATA_BYTES, MIN_TRANSFER_GAS, YIELD_EVERY_TRANSACTIONS } from './limits.js';
import { findLogs, type LogFilter } from './logs.js';
import { PendingNodeDB } from './node-db.js';
import type { AccessListResult, CallParams, CallResult } from './queries.js';
import type { CallFrame } from './call-tracer.js';
import type { TraceOptions } from './tracers.js';
import { runQuery, type TraceTarget } from './query-jobs.js';
import type { StructLoggerOptions, TransactionTrace } from './trace.js';
import { effectiveGasPrice, encodedReceipts, orderedTrieRoot, toReceiptRecords, type ExecutedTransaction } from './receipts.js';
import { readViewAt, stateManagerAt, storeBlockchain } from './state-view.js';
import { createTxCommon } from './tx-common.js';

export interface BlockInput {
  readonly height: bigint;
  readonly timestampMs: number;
  readonly transactions: readonly Uint8Array[];
  readonly extraData: Hex;
  readonly consensus: { readonly epoch: number; readonly proposers: readonly number[] };
  /**
   * The block's finality certificate, when the block comes from a peer (sync): executeBlock
   * commits only a block with exactly the certified hash and state root, with its certificate in
   * the same atomic write, and otherwise throws CERTIFIED_MISMATCH with nothing stored. The
   * caller has verified the certificate's signatures against the committee.
   */
  readonly certificate?: FinalityCertificate;
  /**
   * Senders the node already recovered, by transaction hash (its mempool admitted the same bytes,
   * which the hash binds), so the block does not recover them a second time. Only ever the node's
   * own findings, never a peer's claim: a sender given here is taken as is.
   */
  readonly senders?: ReadonlyMap<Hex, Hex>;
}

export interface BlockResult {
  readonly block: BlockRecord;
  readonly receipts: ReceiptRecord[];
  readonly skipped: SkippedTransaction[];
  /** The applied transactions in block order, with sender and nonce (what a mempool needs). */
  readonly included: IncludedTransaction[];
}

export interface IncludedTransaction {
  readonly hash: Hex;
  readonly sender: Hex;
  readonly nonce: bigint;
  /** EIP-7702: the accounts its valid authorizations named; their nonces moved too. */
  readonly authorities?: readonly Hex[];
}

export interface AccountInfo {
  readonly nonce: bigint;
  readonly balance: bigint;
  readonly codeHash: Hex;
}

export interface AccountProof {
  readonly address: Hex;
  readonly accountProof: Hex[];
  readonly balance: bigint;
  readonly codeHash: Hex;
  readonly nonce: bigint;
  readonly storageHash: Hex;
  readonly storageProof: { key: Hex; value: bigint; proof: Hex[] }[];
}

export type { TraceOptions } from './tracers.js';

export type BlockListener = (block: BlockRecord, receipts: readonly ReceiptRecord[]) => void;

export interface ExecutionEngineOptions {
  readonly store: ChainStore;
  readonly chainId: bigint;
  readonly genesis: GenesisSpec;
  /** Where an exception thrown by an onBlock listener goes; default: a process warning. */
  readonly onListenerError?: (error: unknown) => void;
}

export interface ExecutionEngine {
  readonly chainId: bigint;
  readonly common: Common;
  head(): BlockRecord;
  getBlockByNumber(number: bigint): BlockRecord | undefined;
  getBlockByHash(hash: Hex): BlockRecord | undefined;
  getTransaction(hash: Hex): TransactionRecord | undefined;
  getReceipt(hash: Hex): ReceiptRecord | undefined;
  getBlockReceipts(number: bigint): readonly ReceiptRecord[] | undefined;
  getLogs(filter: LogFilter): LogRecord[];
  getCertificate(height: bigint): FinalityCertificate | undefined;
  putCertificate(certificate: FinalityCertificate): Promise<void>;
  executeBlock(input: BlockInput): Promise<BlockResult>;
  getAccount(address: Hex, blockNumber?: bigint): Promise<AccountInfo>;
  getCode(address: Hex, blockNumber?: bigint): Promise<Hex>;
  getStorageAt(address: Hex, slot: Hex, blockNumber?: bigint): Promise<Hex>;
  call(params: CallParams, blockNumber?: bigint): Promise<CallResult>;
  estimateGas(params: CallParams, blockNumber?: bigint): Promise<bigint>;
  /** geth's eth_createAccessList; throws EstimateGasError when the sender cannot pay. */
  createAccessList(params: CallParams, blockNumber?: bigint): Promise<AccessListResult>;
  getProof(address: Hex, slots: readonly Hex[], blockNumber?: bigint): Promise<AccountProof>;
  /** The committed block a query "at" `blockNumber` runs on (the head when undefined); throws when unknown. */
  queryBlock(blockNumber?: bigint): BlockRecord;
  /** Where debug_traceTransaction replays `hash`; throws ExecutionError UNKNOWN_TRANSACTION when in no block. */
  traceTarget(hash: Hex): TraceTarget;
  /** geth's struct logger by default; geth's callTracer when `tracer` says so. */
  traceTransaction(hash: Hex, options?: StructLoggerOptions): Promise<TransactionTrace>;
  traceTransaction(hash: Hex, options: TraceOptions): Promise<TransactionTrace | CallFrame>;
  onBlock(listener: BlockListener): () => void;
}

/** Prague on our chain id, with native secp256k1 recovery and keccak for every transaction. */
export function createChainCommon(chainId: bigint): Common {
  return createCustomCommon({ chainId: Number(chainId) }, Mainnet, { hardfork: Hardfork.Prague, customCrypto: nativeCustomCrypto });
}

const EMPTY_ROOT = hexToBytes('0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421');

class Engine implements ExecutionEngine {
  readonly common: Common;
  private readonly nodes: PendingNodeDB;
  private readonly txCommon: Common;
  private state!: MerkleStateManager;
  private vm!: VM;
  private headBlock!: BlockRecord;
  private headView!: MerkleStateManager;
  private readonly latestAccounts = new Map<string, AccountInfo>();
  private readonly listeners = new Set<BlockListener>();
  private queue: Promise<unknown> = Promise.resolve();
  private failure: Error | undefined;

  constructor(
    private readonly store: ChainStore,
    readonly chainId: bigint,
    private readonly onListenerError: (error: unknown) => void,
  ) {
    this.common = createChainCommon(chainId);
    this.txCommon = createTxCommon(chainId);
    this.nodes = new PendingNodeDB(store);
  }

  /** Rebuilds the live state over the stored head: at open, and after a failed block. */
  async resetToHead(head: BlockRecord): Promise<void> {
    this.nodes.clear();
    this.headBlock = head;
    this.state = stateManagerAt(this.nodes, hexToBytes(head.stateRoot), this.common, new Caches());
    this.vm = await createVM({ common: this.common, stateManager: this.state, blockchain: storeBlockchain(this.store), evmOpts: { customPrecompiles: SYNOD_PRECOMPILES } });
    this.headView = readViewAt(this.store, head, this.common);
    this.latestAccounts.clear();
  }

  async createGenesis(spec: GenesisSpec): Promise<BlockRecord> {
    this.state = stateManagerAt(this.nodes, EMPTY_ROOT, this.common, new Caches());
    await this.state.checkpoint();
    await applyAlloc(this.state, spec.alloc);
    await this.state.commit();
    const header = buildHeader(
      {
        number: 0n,
        parentHash: bytesToHex(new Uint8Array(32)) as Hex,
        timestamp: spec.timestamp,
        gasLimit: spec.gasLimit,
        baseFeePerGas: spec.baseFeePerGas,
        extraData: spec.extraData ?? '0x',
        stateRoot: await this.state.getStateRoot(),
      },
      this.common,
    );
    const block = headerToRecord(header, { size: blockSize(header, []), transactions: [], consensus: { epoch: 0, proposers: [] } });
    await this.store.commitBlock({ chainId: this.chainId, block, receipts: [], transactions: [], stateNodes: this.nodes.snapshot() });
    return block;
  }

  head(): BlockRecord {
    return this.headBlock;
  }
  // Reads show nothing above the head. The store makes a block readable as soon as it commits,
  // a moment before the head advances; without this a client could get a receipt whose block is
  // above eth_blockNumber and whose effects eth_call at "latest" does not see yet.
  private visible<T extends { readonly number?: bigint; readonly blockNumber?: bigint }>(record: T | undefined): T | undefined {
    if (record === undefined) return undefined;
    const number = record.number ?? record.blockNumber!;
    return number <= this.headBlock.number ? record : undefined;
  }
  getBlockByNumber(number: bigint): BlockRecord | undefined {
    return number <= this.headBlock.number ? this.store.getBlockByNumber(number) : undefined;
  }
  getBlockByHash(hash: Hex): BlockRecord | undefined {
    return this.visible(this.store.getBlockByHash(hash.toLowerCase() as Hex));
  }
  getTransaction(hash: Hex): TransactionRecord | undefined {
    return this.visible(this.store.getTransaction(hash.toLowerCase() as Hex));
  }
  getReceipt(hash: Hex): ReceiptRecord | undefined {
    return this.visible(this.store.getReceipt(hash.toLowerCase() as Hex));
  }
  getBlockReceipts(number: bigint): readonly ReceiptRecord[] | undefined {
    return number <= this.headBlock.number ? this.store.getBlockReceipts(number) : undefined;
  }
  getLogs(filter: LogFilter): LogRecord[] {
    return findLogs(this.store, this.common, filter, this.headBlock.number);
  }
  getCertificate(height: bigint): FinalityCertificate | undefined {
    return this.store.getCertificate(height);
  }
  putCertificate(certificate: FinalityCertificate): Promise<void> {
    return this.store.putCertificate(certificate);
  }

  onBlock(listener: BlockListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Blocks execute one at a time, in order: each call waits for the previous one. */
  executeBlock(input: BlockInput): Promise<BlockResult> {
    const run = this.queue.then(() => this.executeNow(input));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private checkInput(input: BlockInput): void {
    if (this.failure !== undefined) {
      throw new ExecutionError('ENGINE_FAILED', `execution engine stopped after an earlier failure (${this.failure.message}): restart the node`);
    }
    if (input.height !== this.headBlock.number + 1n) {
      throw new ExecutionError('WRONG_HEIGHT', `cannot execute height ${input.height}: the head is ${this.headBlock.number}, execute ${this.headBlock.number + 1n} next`);
    }
    if (!/^0x([0-9a-fA-F]{2})*$/.test(input.extraData) || (input.extraData.length - 2) / 2 > MAX_EXTRA_DATA_BYTES) {
      throw new ExecutionError('INVALID_INPUT', `extraData must be 0x-hex of at most ${MAX_EXTRA_DATA_BYTES} bytes`);
    }
    if (input.transactions.length > MAX_BLOCK_TRANSACTIONS) {
      throw new ExecutionError('INVALID_INPUT', `block has ${input.transactions.length} transactions, limit ${MAX_BLOCK_TRANSACTIONS}`);
    }
    if (!Number.isFinite(input.timestampMs) || input.timestampMs < 0) {
      throw new ExecutionError('INVALID_INPUT', `timestampMs must be a non-negative number, got ${input.timestampMs}`);
    }
  }

  private async executeNow(input: BlockInput): Promise<BlockResult> {
    this.checkInput(input);
    const parent = this.headBlock;
    const seconds = BigInt(Math.floor(input.timestampMs / 1000));
    const timestamp = seconds > parent.timestamp ? seconds : parent.timestamp;
    const fields = { number: input.height, parentHash: parent.hash, timestamp, gasLimit: parent.gasLimit, baseFeePerGas: parent.baseFeePerGas, extraData: input.extraData.toLowerCase() as Hex };
    const context = createBlock({ header: buildHeader(fields, this.common) }, { common: this.common });
    try {
      await this.state.checkpoint();
      const run = await this.runTransactions(input.transactions, context, input.senders);
      await this.state.commit();
      const stateRoot = await this.state.getStateRoot();
      const result = await this.seal(fields, stateRoot, run, input.consensus);
      const { certificate } = input;
      if (certificate !== undefined && (certificate.height !== input.height || result.block.hash !== certificate.blockHash.toLowerCase() || result.block.stateRoot !== certificate.stateRoot.toLowerCase())) {
        throw new ExecutionError('CERTIFIED_MISMATCH', `block ${input.height} executes to ${result.block.hash} (state ${result.block.stateRoot}), but its certificate names ${certificate.blockHash} (state ${certificate.stateRoot}) at height ${certificate.height}; not committed`);
      }
      await this.store.commitBlock({ chainId: this.chainId, block: result.block, receipts: result.receipts, transactions: result.transactions, stateNodes: this.nodes.snapshot(), certificate });
      this.nodes.clear();
      this.advanceHead(result.block);
      await this.rememberSenders(run.executed);
      this.notify(result.block, result.receipts);
      const included = run.executed.map((e) => ({ hash: e.hash, sender: e.from, nonce: e.tx.nonce, ...authoritiesOf(e.tx) }));
      return { block: result.block, receipts: result.receipts, skipped: run.skipped, included };
    } catch (error) {
      await this.recover();
      throw error;
    }
  }

  /**
   * After a failed block the live state may hold half a block: rebuild it from the store's head
   * (the store holds the whole block or none of it). If even that fails, refuse further blocks.
   */
  private async recover(): Promise<void> {
    try {
      const stored = this.store.meta();
      const head = stored === undefined ? undefined : this.store.getBlockByNumber(stored.headNumber);
      await this.resetToHead(head ?? this.headBlock);
    } catch (error) {
      this.failure = error as Error;
    }
  }

  private async runTransactions(raws: readonly Uint8Array[], context: Block, senders: ReadonlyMap<Hex, Hex> | undefined) {
    const executed: ExecutedTransaction[] = [];
    const skipped: SkippedTransaction[] = [];
    const seen = new Set<Hex>();
    const bloom = new Bloom(undefined, this.common);
    const baseFee = context.header.baseFeePerGas ?? 0n;
    let gasUsed = 0n;
    for (const [index, raw] of raws.entries()) {
      if (index > 0 && index % YIELD_EVERY_TRANSACTIONS === 0) await yieldToEventLoop();
      // Checks that need only the bytes come first: a duplicate or a transaction that cannot fit
      // costs a hash, not a decode and a sender recovery.
      const hash = transactionHash(raw);
      const early = cheapRejection(hash, seen, context.header.gasLimit - gasUsed);
      if (early !== undefined) {
        skipped.push({ hash, reason: early });
        continue;
      }
      const decoded = decodeTransaction(raw, this.txCommon, { hash, knownSender: senders?.get(hash) });
      if (!decoded.ok) {
        skipped.push({ hash: decoded.hash, reason: decoded.reason });
        continue;
      }
      const account = (await this.state.getAccount(decoded.sender)) ?? { nonce: 0n, balance: 0n };
      const reason = rejectionAtTurn(decoded.tx, account, { baseFeePerGas: baseFee, gasRemaining: context.header.gasLimit - gasUsed });
      if (reason !== undefined) {
        skipped.push({ hash: decoded.hash, reason });
        continue;
      }
      try {
        const result = await runTx(this.vm, { tx: decoded.tx, block: context, blockGasUsed: gasUsed, skipBlockGasLimitValidation: true, skipHardForkValidation: true });
        gasUsed += result.totalGasSpent;
        bloom.or(result.bloom);
        seen.add(decoded.hash);
        executed.push({ tx: decoded.tx, hash: decoded.hash, raw, from: decoded.sender.toString() as Hex, result, effectiveGasPrice: effectiveGasPrice(decoded.tx, baseFee) });
      } catch (error) {
        // runTx reverted its own checkpoint: nothing of this transaction was applied.
        skipped.push({ hash: decoded.hash, reason: (error as Error).message.split(' -> ')[0] });
      }
    }
    return { executed, skipped, gasUsed, bloom };
  }

  private async seal(
    fields: Parameters<typeof buildHeader>[0],
    stateRoot: Uint8Array,
    run: Awaited<ReturnType<Engine['runTransactions']>>,
    consensus: BlockInput['consensus'],
  ): Promise<{ block: BlockRecord; receipts: ReceiptRecord[]; transactions: TransactionRecord[] }> {
    const header = buildHeader(
      {
        ...fields,
        stateRoot,
        transactionsRoot: await orderedTrieRoot(run.executed.map((e) => e.raw)),
        receiptsRoot: await orderedTrieRoot(encodedReceipts(run.executed)),
        logsBloom: run.bloom.bitvector,
        gasUsed: run.gasUsed,
      },
      this.common,
    );
    const body = run.executed.map((e) => (e.tx.type === 0 ? (e.tx.raw() as Uint8Array[]) : e.raw));
    const block = headerToRecord(header, { size: blockSize(header, body), transactions: run.executed.map((e) => e.hash), consensus });
    const receipts = toReceiptRecords(run.executed, block.number, block.hash);
    const transactions = run.executed.map((e, transactionIndex) => ({
      hash: e.hash,
      raw: bytesToHex(e.raw) as Hex,
      from: e.from,
      blockNumber: block.number,
      blockHash: block.hash,
      transactionIndex,
    }));
    return { block, receipts, transactions };
  }

  /**
   * Caches the block's senders as the new head has them, read from the live state's cache (the
   * live state now equals the head): the mempool re-reads every one of them right after a block,
   * and from the head's view each read is a walk down the trie.
   */
  private async rememberSenders(executed: readonly ExecutedTransaction[]): Promise<void> {
    const head = this.headBlock;
    for (const { from } of executed) {
      if (this.latestAccounts.size >= LATEST_ACCOUNT_CACHE_MAX) return;
      if (this.latestAccounts.has(from)) continue;
      const account = await this.state.getAccount(createAddressFromString(from));
      if (this.headBlock !== head) return;
      this.latestAccounts.set(from, accountInfo(account));
    }
  }

  private advanceHead(block: BlockRecord): void {
    this.headBlock = block;
    this.headView = readViewAt(this.store, block, this.common);
    this.latestAccounts.clear();
  }

  private notify(block: BlockRecord, receipts: readonly ReceiptRecord[]): void {
    for (const listener of this.listeners) {
      try {
        listener(block, receipts);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }

  private viewAt(blockNumber: bigint | undefined): { view: MerkleStateManager; block: BlockRecord } {
    const block = this.blockAt(blockNumber);
    return { view: block === this.headBlock ? this.headView : readViewAt(this.store, block, this.common), block };
  }

  /** The committed block at `blockNumber` (the head when undefined); nothing above the head is visible. */
  private blockAt(blockNumber: bigint | undefined): BlockRecord {
    if (blockNumber === undefined || blockNumber === this.headBlock.number) return this.headBlock;
    const block = blockNumber < this.headBlock.number ? this.store.getBlockByNumber(blockNumber) : undefined;
    if (block === undefined) throw new ExecutionError('UNKNOWN_BLOCK', `block ${blockNumber} does not exist: the head is ${this.headBlock.number}`);
    return block;
  }

  async getAccount(address: Hex, blockNumber?: bigint): Promise<AccountInfo> {
    const latest = blockNumber === undefined || blockNumber === this.headBlock.number;
    const key = address.toLowerCase();
    const cached = latest ? this.latestAccounts.get(key) : undefined;
    if (cached !== undefined) return cached;
    const { view, block } = this.viewAt(blockNumber);
    const info = accountInfo(await view.getAccount(createAddressFromString(address)));
    // Only cache if the head did not move while we read.
    if (latest && block === this.headBlock) {
      if (this.latestAccounts.size >= LATEST_ACCOUNT_CACHE_MAX) this.latestAccounts.clear();
      this.latestAccounts.set(key, info);
    }
    return info;
  }

  async getCode(address: Hex, blockNumber?: bigint): Promise<Hex> {
    return bytesToHex(await this.viewAt(blockNumber).view.getCode(createAddressFromString(address))) as Hex;
  }

  async getStorageAt(address: Hex, slot: Hex, blockNumber?: bigint): Promise<Hex> {
    const value = await this.viewAt(blockNumber).view.getStorage(createAddressFromString(address), setLengthLeft(hexToBytes(slot), 32));
    return bytesToHex(setLengthLeft(value, 32)) as Hex;
  }

  call(params: CallParams, blockNumber?: bigint): Promise<CallResult> {
    return runQuery(this.store, this.common, { kind: 'call', at: this.blockAt(blockNumber), params, gasCap: DEFAULT_RPC_GAS_CAP }) as Promise<CallResult>;
  }

  estimateGas(params: CallParams, blockNumber?: bigint): Promise<bigint> {
    return runQuery(this.store, this.common, { kind: 'estimateGas', at: this.blockAt(blockNumber), params, gasCap: DEFAULT_RPC_GAS_CAP }) as Promise<bigint>;
  }

  createAccessList(params: CallParams, blockNumber?: bigint): Promise<AccessListResult> {
    return runQuery(this.store, this.common, { kind: 'createAccessList', at: this.blockAt(blockNumber), params, gasCap: DEFAULT_RPC_GAS_CAP }) as Promise<AccessListResult>;
  }

  queryBlock(blockNumber?: bigint): BlockRecord {
    return this.blockAt(blockNumber);
  }

  traceTarget(hash: Hex): TraceTarget {
    const record = this.getTransaction(hash);
    if (record === undefined) throw new ExecutionError('UNKNOWN_TRANSACTION', `transaction ${hash} is not in any block`);
    const block = this.store.getBlockByNumber(record.blockNumber);
    const parent = this.store.getBlockByNumber(record.blockNumber - 1n);
    if (block === undefined || parent === undefined) throw new ExecutionError('UNKNOWN_BLOCK', `block ${record.blockNumber} or its parent is missing from the store`);
    return { parent, block, index: record.transactionIndex };
  }

  async getProof(address: Hex, slots: readonly Hex[], blockNumber?: bigint): Promise<AccountProof> {
    const block = this.blockAt(blockNumber);
    const proof = await getMerkleStateProof(readViewAt(this.store, block, this.common), createAddressFromString(address), slots.map((s) => setLengthLeft(hexToBytes(s), 32)));
    return {
      address: address.toLowerCase() as Hex,
      accountProof: proof.accountProof as Hex[],
      balance: BigInt(proof.balance),
      codeHash: proof.codeHash as Hex,
      nonce: BigInt(proof.nonce),
      storageHash: proof.storageHash as Hex,
      storageProof: proof.storageProof.map((p) => ({ key: p.key as Hex, value: BigInt(p.value), proof: p.proof as Hex[] })),
    };
  }

  traceTransaction(hash: Hex, options?: StructLoggerOptions): Promise<TransactionTrace>;
  traceTransaction(hash: Hex, options: TraceOptions): Promise<TransactionTrace | CallFrame>;
  async traceTransaction(hash: Hex, options: TraceOptions = {}): Promise<TransactionTrace | CallFrame> {
    return runQuery(this.store, this.common, { kind: 'trace', target: this.traceTarget(hash), options }) as Promise<TransactionTrace | CallFrame>;
  }
}

function accountInfo(account: Account | undefined): AccountInfo {
  return { nonce: account?.nonce ?? 0n, balance: account?.balance ?? 0n, codeHash: bytesToHex(account?.codeHash ?? KECCAK256_NULL) as Hex };
}

/** Lets sockets, timers and RPC run during a long block (their state is the committed head's). */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * The reason a transaction is skipped before it is decoded: an applied duplicate (the first
 * occurrence stays, docs/design.md "Superblock"), or a block too full for even a plain transfer.
 */
function cheapRejection(hash: Hex, applied: ReadonlySet<Hex>, gasRemaining: bigint): string | undefined {
  if (applied.has(hash)) return 'already known: duplicate of an earlier transaction in this block';
  if (gasRemaining < MIN_TRANSFER_GAS) return `gas limit reached: the block's remaining ${gasRemaining} gas is below the ${MIN_TRANSFER_GAS} any transaction needs`;
  return undefined;
}

/**
 * Opens the engine over `store`: creates the genesis block on first open, or checks that the
 * stored chain is the one `genesis` and `chainId` describe.
 */
export async function createExecutionEngine(options: ExecutionEngineOptions): Promise<ExecutionEngine> {
  const onListenerError = options.onListenerError ?? ((error: unknown) => process.emitWarning(`onBlock listener failed: ${String(error)}`));
  const engine = new Engine(options.store, options.chainId, onListenerError);
  const meta = options.store.meta();
  const genesis = meta === undefined ? await engine.createGenesis(options.genesis) : undefined;
  if (meta !== undefined) {
    const expected = await genesisHashOf(options.chainId, options.genesis);
    if (meta.chainId !== options.chainId || meta.genesisHash !== expected) {
      throw new ExecutionError(
        'GENESIS_MISMATCH',
        `data dir ${options.store.path} belongs to another chain (chain id ${meta.chainId}, genesis ${meta.genesisHash}; this node expects chain id ${options.chainId}, genesis ${expected}): use another --data-dir or the matching genesis`,
      );
    }
  }
  const head = genesis ?? options.store.getBlockByNumber(meta!.headNumber);
  if (head === undefined) throw new ExecutionError('ENGINE_FAILED', `store ${options.store.path} has no head block ${meta!.headNumber}: the data dir is damaged, move it away and resync`);
  await engine.resetToHead(head);
  return engine;
}

/** The genesis hash `spec` produces, computed in memory (same code path as the real genesis). */
export async function genesisHashOf(chainId: bigint, spec: GenesisSpec): Promise<Hex> {
  const common = createChainCommon(chainId);
  const state = new MerkleStateManager({ common });
  await applyAlloc(state, spec.alloc);
  const header = buildHeader(
    { number: 0n, parentHash: bytesToHex(new Uint8Array(32)) as Hex, timestamp: spec.timestamp, gasLimit: spec.gasLimit, baseFeePerGas: spec.baseFeePerGas, extraData: spec.extraData ?? '0x', stateRoot: await state.getStateRoot() },
    common,
  );
  return bytesToHex(header.hash()) as Hex;
}

/**
 * The accounts an EIP-7702 transaction's authorizations name (recovered natively): their nonce
 * moved, so a mempool must re-read them as it re-reads senders. An authorization that does not
 * recover is one the EVM skipped too.
 */
function authoritiesOf(tx: TypedTransaction): { authorities?: Hex[] } {
  if (!('authorizationList' in tx)) return {};
  const authorities: Hex[] = [];
  for (const item of tx.authorizationList as EOACode7702AuthorizationListBytesItem[]) {
    try {
      const [chainId, address, nonce, yParity, r, s] = item;
      const publicKey = ecrecover(eoaCode7702AuthorizationHashedMessageToSign([chainId, address, nonce]), bytesToBigInt(yParity) + 27n, r, s);
      authorities.push(bytesToHex(publicKeyToAddress(publicKey)) as Hex);
    } catch {
      // not a valid authorization: the EVM skipped it and no nonce moved
    }
  }
  return { authorities };
}
