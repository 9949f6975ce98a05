// The interface the node implements for the JSON-RPC server: reads over finalized blocks and
// state, execution of calls, admission of transactions, and the two event streams the server
// needs for filters and subscriptions. It is small on purpose: the node's adapter sits over the
// execution engine, storage and the mempool, and unit tests use an in-memory twin.
import type { Registry } from 'prom-client';
import type {
  BlockRecord,
  ContractDirectory,
  FinalityCertificate,
  Hex,
  LogRecord,
  ReceiptRecord,
  TransactionRecord,
} from '../chain/types.js';

export type { Hex } from '../chain/types.js';

export interface AccessListEntry {
  readonly address: Hex;
  readonly storageKeys: readonly Hex[];
}

/** The transaction object of eth_call and eth_estimateGas, already validated and decoded. */
export interface CallParams {
  readonly from?: Hex;
  readonly to?: Hex; // absent: contract creation
  readonly gas?: bigint;
  readonly gasPrice?: bigint;
  readonly maxFeePerGas?: bigint;
  readonly maxPriorityFeePerGas?: bigint;
  readonly value?: bigint;
  readonly data?: Hex;
  readonly nonce?: bigint;
  readonly accessList?: readonly AccessListEntry[];
}

/** geth's per-account state override (internal/ethapi/override): validated and decoded. */
export interface AccountOverride {
  readonly balance?: bigint;
  readonly nonce?: bigint;
  readonly code?: Hex;
  /** Replaces the whole storage: slot -> 32-byte value. */
  readonly state?: Readonly<Record<Hex, Hex>>;
  /** Changes these slots only. Never set together with `state`. */
  readonly stateDiff?: Readonly<Record<Hex, Hex>>;
}

/** Address -> override, as eth_call's third parameter carries it. */
export type StateOverrides = Readonly<Record<Hex, AccountOverride>>;

/** geth's block overrides (eth_call's fourth parameter, simulate's blockOverrides). */
export interface BlockOverrides {
  readonly number?: bigint;
  readonly time?: bigint;
  readonly gasLimit?: bigint;
  readonly feeRecipient?: Hex;
  readonly prevRandao?: Hex;
  readonly baseFeePerGas?: bigint;
  readonly blobBaseFee?: bigint;
}

/** What a call runs against besides the chain: plain data, carried as is to the query workers. */
export interface CallOverrides {
  readonly state?: StateOverrides;
  readonly block?: BlockOverrides;
}

/**
 * What running a call produced. A revert carries the revert bytes so the server can return
 * them as geth does (code 3); any other EVM failure ('out of gas', 'invalid opcode', ...) is an
 * `error` with geth's message. For eth_estimateGas, `gasUsed` of a success is the estimate.
 */
export type ExecutionOutcome =
  | { readonly kind: 'success'; readonly returnData: Hex; readonly gasUsed: bigint }
  | { readonly kind: 'revert'; readonly returnData: Hex; readonly gasUsed: bigint }
  | { readonly kind: 'error'; readonly error: string; readonly gasUsed: bigint };

/** What eth_createAccessList found: the list, the gas a call with it uses, and how it failed. */
export interface AccessListOutcome {
  readonly accessList: readonly AccessListEntry[];
  readonly gasUsed: bigint;
  readonly error?: string; // 'execution reverted', 'out of gas', ...
}

/** One simulated block of eth_simulateV1's request. */
export interface SimulateBlockRequest {
  readonly blockOverrides?: BlockOverrides;
  readonly stateOverrides?: StateOverrides;
  readonly calls: readonly CallParams[];
}

export interface SimulateRequest {
  readonly blockStateCalls: readonly SimulateBlockRequest[];
  readonly validation: boolean;
  readonly traceTransfers: boolean;
}

/** One call's outcome in a simulated block, before formatting. */
export interface SimulatedCall {
  readonly status: 0 | 1;
  readonly returnData: Hex;
  readonly gasUsed: bigint;
  readonly logs: readonly LogRecord[];
  /** geth's callError: code 3 with the revert data, -32015 for other EVM failures. */
  readonly error?: { readonly code: number; readonly message: string; readonly data?: Hex };
}

/** A simulated block: a header as a stored block has it, its unsigned transactions and the calls. */
export interface SimulatedBlock {
  readonly block: BlockRecord;
  readonly transactions: readonly SimulatedTransaction[];
  readonly calls: readonly SimulatedCall[];
}

export interface SimulatedTransaction {
  readonly hash: Hex;
  readonly from: Hex;
  readonly to: Hex | null;
  readonly nonce: bigint;
  readonly gas: bigint;
  readonly value: bigint;
  readonly input: Hex;
  readonly maxFeePerGas: bigint;
  readonly maxPriorityFeePerGas: bigint;
  readonly gasPrice: bigint;
}

/** A transaction admitted to the mempool and not yet in a block. */
export interface PendingTransaction {
  readonly hash: Hex;
  readonly raw: Hex;
  readonly from: Hex;
}

/** A pool transaction with its nonce, for txpool_*. */
export interface PoolEntry extends PendingTransaction {
  readonly nonce: bigint;
}

/** geth's txpool split: pending (proposable now) and queued (behind a nonce gap), by sender in nonce order. */
export interface TxPoolContent {
  readonly pending: readonly PoolEntry[];
  readonly queued: readonly PoolEntry[];
}

export interface LogQuery {
  readonly fromBlock: bigint;
  readonly toBlock: bigint; // inclusive, never above the head
  readonly addresses?: readonly Hex[]; // any of
  readonly topics?: readonly (Hex | readonly Hex[] | null)[]; // position-wise: one, any of, or any
  /** Stop after this many matches: the server reports "more than limit" as an error. */
  readonly limit: number;
}

export interface CommitteeMember {
  readonly index: number;
  readonly id: string; // the validator's name in the staking records
  readonly publicKey: Hex; // ed25519, 32 bytes
  readonly address?: Hex; // staking account, when known
  readonly weight: bigint; // V_i
}

export interface EpochCommitteeInfo {
  readonly epoch: number;
  readonly firstBlock: bigint;
  /** The epoch's last block (null on a chain without epochs). */
  readonly lastBlock: bigint | null;
  readonly members: readonly CommitteeMember[];
  readonly totalWeight: bigint;
  readonly quorumWeight: bigint; // smallest weight that is more than 2/3 of totalWeight
}

/** A validator registered in the staking contract (synod_validators). */
export interface ValidatorInfo {
  readonly index: number;
  readonly id: string;
  readonly address: Hex; // the owner of the stake
  readonly publicKey: Hex;
  readonly stake: bigint; // wei, bonded
  readonly lock: bigint; // L_i, epochs
  readonly lockedUntil: bigint; // epoch
  readonly coefficient: number; // C_i
  readonly weight: bigint; // V_i in the sampler's integer units
  /** 'removed' and 'pending' (awaiting admission) are validator governance's. */
  readonly status: 'active' | 'exited' | 'removed' | 'pending';
  readonly unbonding: bigint; // wei
  readonly unbondingEnds: bigint; // epoch
  readonly registeredAt: bigint; // block (0: genesis)
}

/** A validator-governance proposal (synod_validatorProposals). */
export interface ValidatorProposalInfo {
  readonly id: bigint;
  readonly kind: 'committeeSize' | 'maxLock' | 'epochLength' | 'coefficient' | 'removeValidator' | 'admitValidator';
  readonly target: bigint | null; // validator index
  readonly value: bigint | null; // K, T, E, or C_i scaled by 1e6
  readonly proposer: bigint; // validator index
  readonly snapshotBlock: bigint;
  readonly deadlineBlock: bigint;
  readonly yesStake: bigint; // wei
  readonly noStake: bigint;
  readonly totalStake: bigint;
  readonly state: 'active' | 'passed' | 'executed' | 'defeated';
  readonly executedBlock: bigint | null;
}

export interface CommitteeInfo extends EpochCommitteeInfo {
  /** Blocks per epoch (0: one committee for the whole chain). */
  readonly epochLength: number;
  /** K, the seats every epoch's committee is drawn with. */
  readonly committeeSize: number;
  /** The stake model's form the weights follow ('product': S·C·(1 − L/T); 'normalized'). */
  readonly weightForm: string;
  /** The next epoch's committee once it is drawn (from the state of this epoch's last block). */
  readonly next: EpochCommitteeInfo | null;
}

export interface ProposerInclusion {
  readonly index: number;
  readonly included: bigint; // heights whose superblock held this member's batch
  readonly excluded: bigint; // heights that decided 0 on it
}

export interface ConsensusStatus {
  readonly height: bigint; // last finalized height
  readonly epoch: number;
  readonly pendingBatches: number; // batches proposed and not yet decided
  readonly mempoolSize: number;
  readonly peers: number;
  readonly proposers: readonly ProposerInclusion[];
}

export interface SyncStatus {
  readonly startingBlock: bigint;
  readonly currentBlock: bigint;
  readonly highestBlock: bigint;
}

/** EIP-1186 proof, as the state produces it. */
export interface AccountProof {
  readonly address: Hex;
  readonly accountProof: readonly Hex[];
  readonly balance: bigint;
  readonly codeHash: Hex;
  readonly nonce: bigint;
  readonly storageHash: Hex;
  readonly storageProof: readonly { readonly key: Hex; readonly value: bigint; readonly proof: readonly Hex[] }[];
}

/** Why the mempool refused a transaction. The server returns code -32000 with `message`. */
export type TxRejectionReason =
  | 'invalid-encoding'
  | 'invalid-signature'
  | 'invalid-chain-id'
  | 'nonce-too-low'
  | 'nonce-too-high'
  | 'insufficient-funds'
  | 'intrinsic-gas-too-low'
  | 'gas-limit-too-high'
  | 'underpriced'
  | 'fee-cap-below-base-fee'
  | 'tip-above-fee-cap'
  | 'replacement-underpriced'
  | 'already-known'
  | 'oversized'
  | 'txpool-full'
  | 'unsupported-type';

/** A refused transaction (eth_sendRawTransaction) or call (eth_call with impossible funds). */
export class TxRejectedError extends Error {
  override readonly name = 'TxRejectedError';
  constructor(
    readonly reason: TxRejectionReason,
    message: string,
  ) {
    super(message);
  }
}

/** geth's wording for each rejection, so clients and tools that match on it keep working. */
export const txRejected = {
  nonceTooLow: (next: bigint, got: bigint) =>
    new TxRejectedError('nonce-too-low', `nonce too low: next nonce ${next}, tx nonce ${got}`),
  nonceTooHigh: (next: bigint, got: bigint) =>
    new TxRejectedError('nonce-too-high', `nonce too high: next nonce ${next}, tx nonce ${got}`),
  insufficientFunds: (have: bigint, want: bigint) =>
    new TxRejectedError('insufficient-funds', `insufficient funds for gas * price + value: balance ${have}, tx cost ${want}`),
  invalidChainId: (expected: bigint, got: bigint | undefined) =>
    new TxRejectedError('invalid-chain-id', `invalid chain id: have ${got ?? 'none'}, want ${expected}`),
  invalidSignature: () => new TxRejectedError('invalid-signature', 'invalid transaction v, r, s values'),
  invalidEncoding: (why: string) => new TxRejectedError('invalid-encoding', `invalid transaction encoding: ${why}`),
  intrinsicGasTooLow: (have: bigint, want: bigint) =>
    new TxRejectedError('intrinsic-gas-too-low', `intrinsic gas too low: gas ${have}, minimum needed ${want}`),
  gasLimitTooHigh: (have: bigint, max: bigint) =>
    new TxRejectedError('gas-limit-too-high', `exceeds block gas limit: gas ${have}, limit ${max}`),
  underpriced: (have: bigint, min: bigint) =>
    new TxRejectedError('underpriced', `transaction underpriced: gas tip cap ${have}, minimum needed ${min}`),
  feeCapBelowBaseFee: (feeCap: bigint, baseFee: bigint) =>
    new TxRejectedError('fee-cap-below-base-fee', `max fee per gas less than block base fee: maxFeePerGas: ${feeCap}, baseFee: ${baseFee}`),
  tipAboveFeeCap: () => new TxRejectedError('tip-above-fee-cap', 'max priority fee per gas higher than max fee per gas'),
  replacementUnderpriced: () => new TxRejectedError('replacement-underpriced', 'replacement transaction underpriced'),
  alreadyKnown: () => new TxRejectedError('already-known', 'already known'),
  oversized: (size: number, max: number) =>
    new TxRejectedError('oversized', `oversized data: transaction size ${size}, limit ${max}`),
  txpoolFull: () => new TxRejectedError('txpool-full', 'txpool is full'),
  unsupportedType: (type: number) => new TxRejectedError('unsupported-type', `transaction type not supported: ${type}`),
} as const;

/** The state needed for a query is gone or never existed (e.g. pruned history). Code -32000. */
export class StateUnavailableError extends Error {
  override readonly name = 'StateUnavailableError';
}

export type Unsubscribe = () => void;

export interface RpcBackend {
  readonly chainId: bigint;
  readonly clientVersion: string; // e.g. 'synod/v0.1.0/linux-x64/node20'

  // Finalized chain. Every block the backend returns is final: there are no reorgs.
  headNumber(): bigint;
  getBlockByNumber(number: bigint): BlockRecord | undefined;
  getBlockByHash(hash: Hex): BlockRecord | undefined;
  getTransaction(hash: Hex): TransactionRecord | undefined;
  getPendingTransaction?(hash: Hex): PendingTransaction | undefined;
  getReceipt(hash: Hex): ReceiptRecord | undefined;
  getBlockReceipts(number: bigint): readonly ReceiptRecord[] | undefined;
  getLogs(query: LogQuery): readonly LogRecord[];

  // State at a finalized block (number at most headNumber()).
  getAccount(address: Hex, block: bigint): Promise<{ nonce: bigint; balance: bigint }>;
  getCode(address: Hex, block: bigint): Promise<Hex>;
  getStorageAt(address: Hex, slot: Hex, block: bigint): Promise<Hex>; // 32-byte word
  getProof?(address: Hex, slots: readonly Hex[], block: bigint): Promise<AccountProof>;

  // Execution without commitment.
  call(params: CallParams, block: bigint, overrides?: CallOverrides): Promise<ExecutionOutcome>;
  estimateGas(params: CallParams, block: bigint, overrides?: CallOverrides): Promise<ExecutionOutcome>;
  /** eth_createAccessList; a call that cannot run at all throws StateUnavailableError. */
  createAccessList?(params: CallParams, block: bigint, overrides?: CallOverrides): Promise<AccessListOutcome>;
  traceTransaction?(hash: Hex, options: Record<string, unknown>): Promise<unknown>;
  /** debug_traceCall: a call at `block` (with overrides) under the tracer `options` name. */
  traceCall?(params: CallParams, block: bigint, options: Record<string, unknown>, overrides?: CallOverrides): Promise<unknown>;
  /** debug_traceBlockByNumber/ByHash: geth's [{txHash, result} | {txHash, error}] for every transaction. */
  traceBlock?(block: bigint, options: Record<string, unknown>): Promise<unknown>;
  /** eth_simulateV1 on the state after `block`; the request is already validated. */
  simulate?(request: SimulateRequest, block: bigint): Promise<readonly SimulatedBlock[]>;

  // Mempool. sendRawTransaction throws TxRejectedError with the reason.
  sendRawTransaction(raw: Hex): Promise<Hex>;
  pendingNonce(address: Hex): Promise<bigint>;
  /** evm_mine: a block is asked for now; resolves with its number once it is final. */
  finalizeBlockNow?(): Promise<bigint>;
  /** txpool_status, txpool_content(From), txpool_inspect: the pool's transactions, one sender's when given. */
  txpoolContent?(sender?: Hex): TxPoolContent;
  /** txpool_status without copying the transactions. */
  txpoolStatus?(): { readonly pending: number; readonly queued: number };

  // Fees.
  gasPrice(): bigint;
  maxPriorityFeePerGas(): bigint;
  nextBaseFeePerGas(): bigint;

  // Node and consensus.
  syncing(): false | SyncStatus;
  /** The committee of the head block's epoch, with the next one once it is drawn. */
  committee(): CommitteeInfo;
  /** The committee of `epoch` (undefined for an epoch whose previous one has not ended here). */
  epochCommittee?(epoch: number): Promise<CommitteeInfo | undefined>;
  /** Every registered validator at the head (synod_validators). */
  validators?(): Promise<readonly ValidatorInfo[]>;
  /** Validator-governance proposals at the head, newest first, ids below `before` (synod_validatorProposals). */
  validatorProposals?(options: { before?: bigint; count?: number }): Promise<readonly ValidatorProposalInfo[]>;
  validatorProposal?(id: bigint): Promise<ValidatorProposalInfo | undefined>;
  certificate(height: bigint): FinalityCertificate | undefined;
  consensusStatus(): ConsensusStatus;
  /** Committee weight this node reaches: its own (when a member) plus its connected peers'. */
  connectedWeight(): bigint;
  contracts(): ContractDirectory;

  // Events: the server subscribes once and fans out to filters and WebSocket subscriptions.
  onNewBlock(listener: (block: BlockRecord, receipts: readonly ReceiptRecord[]) => void): Unsubscribe;
  onPendingTransaction(listener: (hash: Hex) => void): Unsubscribe;

  /** Served at GET /metrics in the Prometheus text format when present. */
  readonly metrics?: Registry;
  /** The log level, read and set at run time (admin_getLogLevel, admin_setLogLevel) when present. */
  readonly logLevel?: LogLevelControl;
}

export interface LogLevelControl {
  readonly levels: readonly string[];
  get(): string;
  /** Sets a level of `levels`; returns the previous one. */
  set(level: string): string;
}
