// An in-memory twin of the node behind RpcBackend, for the server's unit tests. It admits real
// signed transactions (decoded and sender-recovered with @ethereumjs/tx), applies value
// transfers, and seals one block per transaction (automine) or on mine(). It runs no EVM: a few
// fixture addresses stand in for contracts (an event emitter, reverting contracts, a counter).
import { createCustomCommon, Hardfork, Mainnet } from '@ethereumjs/common';
import { createTxFromRLP, type TypedTransaction } from '@ethereumjs/tx';
import { Registry } from 'prom-client';
import { encodeAbiParameters, encodeErrorResult, encodeFunctionResult, parseAbi, toHex as viemHex, keccak256 as viemKeccak } from 'viem';
import type { BlockRecord, ContractDirectory, FinalityCertificate, Hex, LogRecord, ReceiptRecord, TransactionRecord } from '../../src/chain/types.js';
import { fromHex, toHex } from '../../src/crypto/bytes.js';
import { keccak256 } from '../../src/crypto/hash.js';
import { nativeCustomCrypto } from '../../src/crypto/secp256k1.js';
import {
  txRejected,
  type CallParams,
  type CommitteeInfo,
  type ConsensusStatus,
  type ExecutionOutcome,
  type LogQuery,
  type PendingTransaction,
  type RpcBackend,
  type SyncStatus,
  type TxPoolContent,
} from '../../src/rpc/backend.js';

export const CHAIN_ID = 31337n;
export const BASE_FEE = 1_000_000_000n;
export const GAS_LIMIT = 30_000_000n;
export const TRANSFER_GAS = 21_000n;
const ZERO32: Hex = `0x${'00'.repeat(32)}`;
const EMPTY_BLOOM: Hex = `0x${'00'.repeat(256)}`;
const EMPTY_UNCLES_HASH: Hex = '0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347';

// Hardhat / Anvil development accounts #0 and #1.
export const DEV_KEYS: readonly Hex[] = [
  '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
];
export const DEV_ADDRESSES: readonly Hex[] = [
  '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266',
  '0x70997970c51812dc3a010c7d01b50e0d17dc79c8',
];

// Fixture "contracts".
export const EMITTER: Hex = `0x${'e1'.repeat(20)}`; // logs Ping(address indexed from, uint256 value)
export const REVERT_STRING: Hex = `0x${'a1'.repeat(20)}`; // reverts Error("not enough tokens")
export const REVERT_CUSTOM: Hex = `0x${'a2'.repeat(20)}`; // reverts InsufficientBalance(7, 9)
export const REVERT_PANIC: Hex = `0x${'a3'.repeat(20)}`; // reverts Panic(0x11)
export const COUNTER: Hex = `0x${'c0'.repeat(20)}`; // count() returns 42
export const FIXTURE_ABI = parseAbi([
  'event Ping(address indexed from, uint256 value)',
  'error InsufficientBalance(uint256 available, uint256 required)',
  'function count() view returns (uint256)',
  'function withdraw(uint256 amount)',
]);
export const PING_TOPIC: Hex = viemKeccak(viemHex('Ping(address,uint256)'));

interface Account {
  nonce: bigint;
  balance: bigint;
}

function hex(bytes: Uint8Array): Hex {
  return `0x${toHex(bytes)}`;
}

function pad32(address: Hex): Hex {
  return `0x${address.slice(2).padStart(64, '0')}`;
}

export class MemoryBackend implements RpcBackend {
  readonly chainId = CHAIN_ID;
  readonly clientVersion = 'synod/v0.1.0-test/memory';
  readonly metrics = new Registry();
  automine = true;

  private readonly common = createCustomCommon({ chainId: Number(CHAIN_ID) }, Mainnet, {
    hardfork: Hardfork.Prague,
    customCrypto: nativeCustomCrypto,
  });
  private readonly accounts = new Map<Hex, Account>();
  private readonly snapshots: Map<Hex, Account>[] = []; // account state after each block
  private readonly blocks: BlockRecord[] = [];
  private readonly blocksByHash = new Map<Hex, BlockRecord>();
  private readonly txs = new Map<Hex, TransactionRecord>();
  private readonly receipts = new Map<Hex, ReceiptRecord>();
  private readonly pending = new Map<Hex, PendingTransaction & { tx: TypedTransaction }>();
  private readonly blockListeners = new Set<(b: BlockRecord, r: readonly ReceiptRecord[]) => void>();
  private readonly pendingListeners = new Set<(h: Hex) => void>();
  timestamp = 1_700_000_000n;

  constructor() {
    for (const address of DEV_ADDRESSES) this.accounts.set(address, { nonce: 0n, balance: 10_000n * 10n ** 18n });
    this.seal([]);
  }

  // ---- chain reads ----
  headNumber(): bigint {
    return BigInt(this.blocks.length - 1);
  }
  getBlockByNumber(n: bigint): BlockRecord | undefined {
    return n >= 0n && n < BigInt(this.blocks.length) ? this.blocks[Number(n)] : undefined;
  }
  getBlockByHash(h: Hex): BlockRecord | undefined {
    return this.blocksByHash.get(h);
  }
  getTransaction(h: Hex): TransactionRecord | undefined {
    return this.txs.get(h);
  }
  getPendingTransaction(h: Hex): PendingTransaction | undefined {
    const p = this.pending.get(h);
    return p === undefined ? undefined : { hash: p.hash, raw: p.raw, from: p.from };
  }
  getReceipt(h: Hex): ReceiptRecord | undefined {
    return this.receipts.get(h);
  }
  getBlockReceipts(n: bigint): readonly ReceiptRecord[] | undefined {
    const block = this.getBlockByNumber(n);
    return block?.transactions.map((h) => this.receipts.get(h)!);
  }
  getLogs(q: LogQuery): readonly LogRecord[] {
    const out: LogRecord[] = [];
    for (let n = q.fromBlock; n <= q.toBlock && out.length < q.limit; n++) {
      for (const r of this.getBlockReceipts(n) ?? []) {
        for (const log of r.logs) if (naiveMatch(log, q) && out.length < q.limit) out.push(log);
      }
    }
    return out;
  }

  // ---- state ----
  async getAccount(address: Hex, block = this.headNumber()): Promise<{ nonce: bigint; balance: bigint }> {
    const a = this.snapshots[Number(block)]?.get(address);
    return { nonce: a?.nonce ?? 0n, balance: a?.balance ?? 0n };
  }
  async getCode(address: Hex): Promise<Hex> {
    return [EMITTER, REVERT_STRING, REVERT_CUSTOM, REVERT_PANIC, COUNTER].includes(address) ? '0x6080604052' : '0x';
  }
  async getStorageAt(address: Hex, slot: Hex): Promise<Hex> {
    return address === COUNTER && slot === ZERO32 ? pad32('0x2a') : ZERO32;
  }

  // ---- execution ----
  async call(params: CallParams): Promise<ExecutionOutcome> {
    return this.fixture(params);
  }
  async estimateGas(params: CallParams): Promise<ExecutionOutcome> {
    const outcome = this.fixture(params);
    return outcome.kind === 'success' ? { ...outcome, gasUsed: params.to === EMITTER ? 30_000n : TRANSFER_GAS } : outcome;
  }
  private fixture(params: CallParams): ExecutionOutcome {
    switch (params.to) {
      case REVERT_STRING:
        return { kind: 'revert', returnData: encodeErrorResult({ abi: [{ type: 'error', name: 'Error', inputs: [{ type: 'string', name: 'message' }] }], errorName: 'Error', args: ['not enough tokens'] }), gasUsed: 23_000n };
      case REVERT_CUSTOM:
        return { kind: 'revert', returnData: encodeErrorResult({ abi: FIXTURE_ABI, errorName: 'InsufficientBalance', args: [7n, 9n] }), gasUsed: 23_000n };
      case REVERT_PANIC:
        return { kind: 'revert', returnData: `0x4e487b71${encodeAbiParameters([{ type: 'uint256' }], [0x11n]).slice(2)}`, gasUsed: 23_000n };
      case COUNTER:
        return { kind: 'success', returnData: encodeFunctionResult({ abi: FIXTURE_ABI, functionName: 'count', result: 42n }), gasUsed: 23_000n };
      default:
        if (params.gas !== undefined && params.gas < TRANSFER_GAS) return { kind: 'error', error: 'out of gas', gasUsed: params.gas };
        return { kind: 'success', returnData: '0x', gasUsed: TRANSFER_GAS };
    }
  }

  // ---- mempool ----
  async sendRawTransaction(raw: Hex): Promise<Hex> {
    let tx: TypedTransaction;
    try {
      tx = createTxFromRLP(fromHex(raw), { common: this.common });
    } catch (err) {
      if (err instanceof Error && /chain ID|chain id/i.test(err.message)) throw txRejected.invalidChainId(CHAIN_ID, undefined);
      throw txRejected.invalidEncoding(err instanceof Error ? err.message : String(err));
    }
    if ('chainId' in tx && tx.chainId !== CHAIN_ID) throw txRejected.invalidChainId(CHAIN_ID, tx.chainId);
    const hash = hex(keccak256(fromHex(raw)));
    if (this.pending.has(hash) || this.txs.has(hash)) throw txRejected.alreadyKnown();
    const from = tx.getSenderAddress().toString() as Hex;
    const next = await this.pendingNonce(from);
    if (tx.nonce < next) throw txRejected.nonceTooLow(next, tx.nonce);
    const account = await this.getAccount(from);
    const cost = tx.gasLimit * ('maxFeePerGas' in tx ? tx.maxFeePerGas : tx.gasPrice) + tx.value;
    if (account.balance < cost) throw txRejected.insufficientFunds(account.balance, cost);
    this.pending.set(hash, { hash, raw, from, tx });
    for (const l of this.pendingListeners) l(hash);
    if (this.automine) setImmediate(() => this.mine());
    return hash;
  }
  /** txpool_*: absent unless a test plugs a real mempool in. */
  txpoolContent?: (sender?: Hex) => TxPoolContent;
  async pendingNonce(address: Hex): Promise<bigint> {
    let nonce = this.accounts.get(address)?.nonce ?? 0n;
    for (const p of this.pending.values()) if (p.from === address && p.tx.nonce >= nonce) nonce = p.tx.nonce + 1n;
    return nonce;
  }

  /** evm_mine: seals the pending transactions into a block now, even an empty one. */
  async finalizeBlockNow(): Promise<bigint> {
    return this.sealPending().number;
  }

  /** Seals every pending transaction into one new block (automine skips empty ones). */
  mine(): BlockRecord | undefined {
    if (this.pending.size === 0 && this.automine) return undefined;
    return this.sealPending();
  }

  /** Seals a block now, even an empty one. */
  sealPending(): BlockRecord {
    const entries = [...this.pending.values()];
    this.pending.clear();
    return this.seal(entries);
  }

  private seal(entries: (PendingTransaction & { tx: TypedTransaction })[]): BlockRecord {
    const number = BigInt(this.blocks.length);
    const parent = this.blocks[this.blocks.length - 1];
    this.timestamp += 1n;
    const hash = hex(keccak256(new TextEncoder().encode(`block ${number} ${parent?.hash ?? ''} ${entries.map((e) => e.hash).join(',')}`)));
    const receipts: ReceiptRecord[] = [];
    let cumulative = 0n;
    entries.forEach((e, i) => {
      const receipt = this.apply(e, number, hash, i, cumulative, receipts.reduce((s, r) => s + r.logs.length, 0));
      cumulative = receipt.cumulativeGasUsed;
      receipts.push(receipt);
    });
    const block: BlockRecord = {
      number, hash, parentHash: parent?.hash ?? ZERO32, sha3Uncles: EMPTY_UNCLES_HASH,
      miner: '0x0000000000000000000000000000000000000000', stateRoot: hex(keccak256(fromHex(hash))),
      transactionsRoot: ZERO32, receiptsRoot: ZERO32, logsBloom: EMPTY_BLOOM, difficulty: 0n, gasLimit: GAS_LIMIT,
      gasUsed: cumulative, timestamp: this.timestamp, extraData: '0x', mixHash: ZERO32, nonce: '0x0000000000000000',
      baseFeePerGas: BASE_FEE, withdrawalsRoot: ZERO32, blobGasUsed: 0n, excessBlobGas: 0n,
      parentBeaconBlockRoot: ZERO32, requestsHash: ZERO32, size: 600n + BigInt(entries.length) * 110n,
      transactions: entries.map((e) => e.hash), consensus: { epoch: 0, proposers: [0] },
    };
    this.blocks.push(block);
    this.snapshots.push(new Map([...this.accounts].map(([a, v]) => [a, { ...v }])));
    this.blocksByHash.set(hash, block);
    for (const l of this.blockListeners) l(block, receipts);
    return block;
  }

  private apply(e: PendingTransaction & { tx: TypedTransaction }, blockNumber: bigint, blockHash: Hex, index: number, cumulative: bigint, logIndex: number): ReceiptRecord {
    const { tx } = e;
    const to = tx.to === undefined ? null : (tx.to.toString() as Hex);
    const price = 'maxFeePerGas' in tx ? (BASE_FEE + tx.maxPriorityFeePerGas < tx.maxFeePerGas ? BASE_FEE + tx.maxPriorityFeePerGas : tx.maxFeePerGas) : tx.gasPrice;
    const gasUsed = to === EMITTER ? 30_000n : TRANSFER_GAS;
    const sender = this.accounts.get(e.from)!;
    sender.nonce = tx.nonce + 1n;
    sender.balance -= gasUsed * price + tx.value;
    if (to !== null) {
      const recipient = this.accounts.get(to) ?? { nonce: 0n, balance: 0n };
      recipient.balance += tx.value;
      this.accounts.set(to, recipient);
    }
    this.txs.set(e.hash, { hash: e.hash, raw: e.raw, from: e.from, blockNumber, blockHash, transactionIndex: index });
    const logs: LogRecord[] = to !== EMITTER ? [] : [{
      address: EMITTER, topics: [PING_TOPIC, pad32(e.from)], data: encodeAbiParameters([{ type: 'uint256' }], [tx.value]),
      blockNumber, blockHash, transactionHash: e.hash, transactionIndex: index, logIndex, removed: false,
    }];
    const receipt: ReceiptRecord = {
      transactionHash: e.hash, transactionIndex: index, blockHash, blockNumber, from: e.from, to,
      contractAddress: to === null ? hex(keccak256(fromHex(e.hash)).subarray(12)) : null,
      cumulativeGasUsed: cumulative + gasUsed, gasUsed, effectiveGasPrice: price, status: 1, type: tx.type, logs, logsBloom: EMPTY_BLOOM,
    };
    this.receipts.set(e.hash, receipt);
    return receipt;
  }

  // ---- fees, node, consensus ----
  gasPrice(): bigint {
    return BASE_FEE + 1_000_000_000n;
  }
  maxPriorityFeePerGas(): bigint {
    return 1_000_000_000n;
  }
  nextBaseFeePerGas(): bigint {
    return BASE_FEE;
  }
  /** What syncing() answers; tests set it to a SyncStatus to act out a syncing node. */
  syncStatus: false | SyncStatus = false;
  /** What connectedWeight() answers: all of the committee's 100 by default. */
  reachedWeight = 100n;
  syncing(): false | SyncStatus {
    return this.syncStatus;
  }
  connectedWeight(): bigint {
    return this.reachedWeight;
  }
  committee(): CommitteeInfo {
    return {
      epoch: 0, firstBlock: 0n, lastBlock: null, epochLength: 0, committeeSize: 4, weightForm: 'product', next: null, totalWeight: 100n, quorumWeight: 67n,
      members: [40n, 30n, 20n, 10n].map((weight, index) => ({ index, id: `v${index}`, weight, publicKey: pad32(viemHex(index + 1)) })),
    };
  }
  certificate(height: bigint): FinalityCertificate | undefined {
    const block = this.getBlockByNumber(height);
    if (block === undefined) return undefined;
    return {
      chainId: CHAIN_ID, height, epoch: 0, blockHash: block.hash, stateRoot: block.stateRoot,
      signatures: [0, 1, 2].map((validatorIndex) => ({ validatorIndex, signature: `0x${'ab'.repeat(64)}` as Hex })),
    };
  }
  consensusStatus(): ConsensusStatus {
    return {
      height: this.headNumber(), epoch: 0, pendingBatches: 0, mempoolSize: this.pending.size, peers: 3,
      proposers: [0, 1, 2, 3].map((index) => ({ index, included: this.headNumber(), excluded: 0n })),
    };
  }
  contracts(): ContractDirectory {
    return { counter: COUNTER };
  }
  onNewBlock(listener: (b: BlockRecord, r: readonly ReceiptRecord[]) => void): () => void {
    this.blockListeners.add(listener);
    return () => this.blockListeners.delete(listener);
  }
  onPendingTransaction(listener: (h: Hex) => void): () => void {
    this.pendingListeners.add(listener);
    return () => this.pendingListeners.delete(listener);
  }
  get listenerCount(): number {
    return this.blockListeners.size + this.pendingListeners.size;
  }
}

/** Deliberately naive: the reference the server's matcher is checked against. */
export function naiveMatch(log: LogRecord, q: { addresses?: readonly Hex[]; topics?: readonly (Hex | readonly Hex[] | null)[] }): boolean {
  if (q.addresses && q.addresses.length > 0 && !q.addresses.some((a) => a === log.address)) return false;
  return (q.topics ?? []).every((want, i) => {
    if (want === null) return true;
    const alternatives = typeof want === 'string' ? [want] : want;
    return log.topics[i] !== undefined && alternatives.some((t) => t === log.topics[i]);
  });
}
