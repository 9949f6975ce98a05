// The JSON-RPC server's backend over the real node: the execution engine (finalized chain and
// state), the mempool (admission and pending nonces) and the consensus driver (status).
import { quorumWeight as quorumWeightOf } from '../stake/quorum.js';
import { UnknownCommitteeError, type CommitteeSchedule } from './committees.js';
import { COEFFICIENT_SCALE, STATUS_NAMES, type ValidatorListing } from './staking.js';
import type { ValidatorProposal } from './validator-governance.js';
import type { Registry } from 'prom-client';
import type { ContractDirectory, FinalityCertificate, Hex } from '../chain/types.js';
import type { Committee, CoreStatus } from '../consensus/types.js';
import { toHex } from '../crypto/bytes.js';
import { EstimateGasError, ExecutionError } from '../execution/errors.js';
import type { ExecutionEngine, TraceOptions } from '../execution/engine.js';
import { DEFAULT_RPC_GAS_CAP } from '../execution/limits.js';
import type { AccessListResult, CallResult } from '../execution/queries.js';
import type { QueryJob, QueryResult } from '../execution/query-jobs.js';
import { QueryAbortedError, QueryQueueFullError, QueryTimeoutError } from '../query/errors.js';
import { limitExceeded, RpcError } from '../rpc/errors.js';
import { SimulateError, type SimulatedBlock } from '../execution/simulate.js';
import { Mempool, MempoolError, MempoolErrorCode, type PoolTransaction } from '../mempool/index.js';
import {
  StateUnavailableError,
  TxRejectedError,
  type CallParams,
  type CommitteeInfo,
  type EpochCommitteeInfo,
  type ConsensusStatus,
  type ExecutionOutcome,
  type LogLevelControl,
  type LogQuery,
  type PoolEntry,
  type RpcBackend,
  type SyncStatus,
  type TxRejectionReason,
  type ValidatorInfo,
} from '../rpc/backend.js';

export const CLIENT_VERSION = `synod/v0.1.0/${process.platform}-${process.arch}/node${process.versions.node}`;
/** Tip suggested to wallets (eth_maxPriorityFeePerGas); Hardhat suggests the same 1 gwei. */
export const SUGGESTED_PRIORITY_FEE_WEI = 1_000_000_000n;

const REJECTION_REASON: Readonly<Record<MempoolErrorCode, TxRejectionReason>> = {
  [MempoolErrorCode.InvalidEncoding]: 'invalid-encoding',
  [MempoolErrorCode.OversizedData]: 'oversized',
  [MempoolErrorCode.TxTypeNotSupported]: 'unsupported-type',
  [MempoolErrorCode.MaxInitCodeSizeExceeded]: 'oversized',
  [MempoolErrorCode.UnprotectedTx]: 'invalid-chain-id',
  [MempoolErrorCode.InvalidChainId]: 'invalid-chain-id',
  [MempoolErrorCode.InvalidSignature]: 'invalid-signature',
  [MempoolErrorCode.InvalidSender]: 'invalid-signature',
  [MempoolErrorCode.TipAboveFeeCap]: 'tip-above-fee-cap',
  [MempoolErrorCode.IntrinsicGasTooLow]: 'intrinsic-gas-too-low',
  [MempoolErrorCode.GasLimitExceeded]: 'gas-limit-too-high',
  [MempoolErrorCode.TxGasLimitTooHigh]: 'gas-limit-too-high',
  [MempoolErrorCode.FeeCapTooLow]: 'fee-cap-below-base-fee',
  [MempoolErrorCode.NonceTooLow]: 'nonce-too-low',
  [MempoolErrorCode.NonceTooHigh]: 'nonce-too-high',
  [MempoolErrorCode.InsufficientFunds]: 'insufficient-funds',
  [MempoolErrorCode.AlreadyKnown]: 'already-known',
  [MempoolErrorCode.ReplaceUnderpriced]: 'replacement-underpriced',
  [MempoolErrorCode.AccountLimitExceeded]: 'txpool-full',
  [MempoolErrorCode.PoolFull]: 'txpool-full',
};

/** Runs EVM queries off the node's thread: the query pool (src/query/), in tests an in-thread twin. */
export interface QueryRunner {
  run(job: QueryJob): Promise<QueryResult>;
}

export interface RpcBackendOptions {
  /** geth's --rpc.gascap: most gas one query runs with (0: no cap). */
  readonly gasCap?: bigint;
  /** The run-time log level control (admin_setLogLevel). */
  readonly logLevel?: LogLevelControl;
}

export interface NodeView {
  readonly engine: ExecutionEngine;
  readonly queries: QueryRunner;
  readonly mempool: Mempool;
  readonly committees: CommitteeSchedule;
  /** Every registered validator at the head, with its weight. */
  validators(): Promise<readonly ValidatorListing[]>;
  /** Validator-governance proposals at the head, newest first (validator-governance.ts listProposals). */
  validatorProposals?(options: { before?: bigint; count?: number }): Promise<readonly ValidatorProposal[]>;
  validatorProposal?(id: bigint): Promise<ValidatorProposal | undefined>;
  /** The genesis's weight form ('product' unless it says 'normalized'). */
  readonly weightForm: string;
  readonly baseFeePerGas: bigint;
  readonly metrics: Registry;
  /** evm_mine: this member proposes its pending height now rather than after the empty-block interval. */
  proposeAtOnce(): void;
  /** Admits a transaction submitted by a client and gossips it to the committee. */
  submit(raw: Uint8Array): Promise<Hex>;
  consensusStatus(): CoreStatus;
  inclusion(): readonly { index: number; included: bigint; excluded: bigint }[];
  peers(): number;
  /** Committee weight reached: this node's own (when a member) plus its connected peers'. */
  connectedWeight(): bigint;
  sync(): false | SyncStatus;
  contracts(): ContractDirectory;
}

function outcomeOf(result: { returnData: Hex; gasUsed: bigint; reverted: boolean; error?: string }): ExecutionOutcome {
  if (result.reverted) return { kind: 'revert', returnData: result.returnData, gasUsed: result.gasUsed };
  if (result.error !== undefined) return { kind: 'error', error: result.error, gasUsed: result.gasUsed };
  return { kind: 'success', returnData: result.returnData, gasUsed: result.gasUsed };
}

/** Calls ignore the nonce (geth's eth_call skips nonce checks); an access list warms slots. */
function executionParams(params: CallParams) {
  const { nonce: _nonce, ...rest } = params;
  return rest;
}

/** The pool's refusals in the RPC's terms: a timeout is geth's -32000, a full queue -32005. */
function queryFailure(error: unknown): unknown {
  if (error instanceof QueryQueueFullError) return limitExceeded(error.message);
  if (error instanceof QueryTimeoutError || error instanceof QueryAbortedError) return new StateUnavailableError(error.message);
  return error;
}

/** How long evm_mine waits for the block it asked for (a healthy devnet finalizes in milliseconds). */
export const MINE_TIMEOUT_MS = 30_000;

/** Asks for a block now and resolves with its number once it is final (the next head past the current one). */
function nextFinalBlock(engine: ExecutionEngine, ask: () => void): Promise<bigint> {
  const after = engine.head().number;
  return new Promise<bigint>((resolve, reject) => {
    const done = (error?: Error, number?: bigint) => {
      clearTimeout(timer);
      off();
      if (error === undefined) resolve(number!);
      else reject(error);
    };
    const timer = setTimeout(() => done(new StateUnavailableError(`no block finalized within ${MINE_TIMEOUT_MS / 1000} s: is a quorum of validators running? (synod_consensusStatus)`)), MINE_TIMEOUT_MS);
    const off = engine.onBlock((block) => {
      if (block.number > after) done(undefined, block.number);
    });
    ask();
  });
}

function poolEntry(tx: PoolTransaction): PoolEntry {
  return { hash: tx.hash, raw: `0x${toHex(tx.raw)}` as Hex, from: tx.sender, nonce: tx.nonce };
}

export function createRpcBackend(view: NodeView, options: RpcBackendOptions = {}): RpcBackend {
  const { engine, mempool, committees, queries } = view;
  const epochInfo = (committee: Committee): EpochCommitteeInfo => {
    const plan = committees.plan;
    const last = plan.lastHeight(committee.epoch);
    return {
      epoch: committee.epoch,
      firstBlock: BigInt(plan.firstHeight(committee.epoch)),
      lastBlock: last === undefined ? null : BigInt(last),
      members: committee.members.map((m) => ({ index: m.index, id: m.id, publicKey: `0x${toHex(m.publicKey)}` as Hex, weight: m.weight })),
      totalWeight: committee.totalWeight,
      quorumWeight: quorumWeightOf(committee.totalWeight),
    };
  };
  let drawingOldEpoch = false;
  const committeeInfo = (committee: Committee): CommitteeInfo => {
    const next = committees.committeeOfEpoch(committee.epoch + 1);
    return { ...epochInfo(committee), epochLength: committees.plan.lengthOf(committee.epoch), committeeSize: committees.committeeSizeOfEpoch(committee.epoch) ?? committees.committeeSize, weightForm: view.weightForm, next: next === undefined ? null : epochInfo(next) };
  };
  const gasCap = options.gasCap ?? DEFAULT_RPC_GAS_CAP;
  const query = async <T extends QueryResult>(job: () => QueryJob): Promise<T> => {
    try {
      return (await queries.run(job())) as T;
    } catch (error) {
      throw queryFailure(error);
    }
  };
  return {
    chainId: engine.chainId,
    clientVersion: CLIENT_VERSION,
    metrics: view.metrics,
    ...(options.logLevel === undefined ? {} : { logLevel: options.logLevel }),
    headNumber: () => engine.head().number,
    getBlockByNumber: (n) => engine.getBlockByNumber(n),
    getBlockByHash: (h) => engine.getBlockByHash(h),
    getTransaction: (h) => engine.getTransaction(h),
    getPendingTransaction: (h) => {
      const tx = mempool.get(h);
      return tx === undefined ? undefined : { hash: tx.hash, raw: `0x${toHex(tx.raw)}` as Hex, from: tx.sender };
    },
    getReceipt: (h) => engine.getReceipt(h),
    getBlockReceipts: (n) => engine.getBlockReceipts(n),
    getLogs: (query: LogQuery) => engine.getLogs({ ...query, limit: query.limit }),
    getAccount: async (address, block) => {
      const account = await engine.getAccount(address, block);
      return { nonce: account.nonce, balance: account.balance };
    },
    getCode: (address, block) => engine.getCode(address, block),
    getStorageAt: (address, slot, block) => engine.getStorageAt(address, slot, block),
    getProof: (address, slots, block) => engine.getProof(address, slots, block),
    call: async (params, block, overrides) => outcomeOf(await query<CallResult>(() => ({ kind: 'call', at: engine.queryBlock(block), params: executionParams(params), gasCap, overrides }))),
    estimateGas: async (params, block, overrides) => {
      try {
        return { kind: 'success', returnData: '0x', gasUsed: await query<bigint>(() => ({ kind: 'estimateGas', at: engine.queryBlock(block), params: executionParams(params), gasCap, overrides })) };
      } catch (error) {
        if (error instanceof EstimateGasError) {
          return error.code === 'EXECUTION_REVERTED'
            ? { kind: 'revert', returnData: error.revertData, gasUsed: 0n }
            : { kind: 'error', error: error.message, gasUsed: 0n };
        }
        throw error;
      }
    },
    createAccessList: async (params, block, overrides) => {
      try {
        return await query<AccessListResult>(() => ({ kind: 'createAccessList', at: engine.queryBlock(block), params: executionParams(params), gasCap, overrides }));
      } catch (error) {
        // The sender cannot pay, or the list never settles: geth answers -32000 with the reason.
        if (error instanceof EstimateGasError) throw new StateUnavailableError(error.message);
        throw error;
      }
    },
    traceTransaction: async (hash, options) => {
      try {
        return await query(() => ({ kind: 'trace', target: engine.traceTarget(hash), options: options as TraceOptions }));
      } catch (error) {
        // geth's answers for a hash in no block and for a trace past the node's bound: -32000.
        if (error instanceof ExecutionError && error.code === 'UNKNOWN_TRANSACTION') throw new StateUnavailableError('transaction not found');
        if (error instanceof ExecutionError && error.code === 'TRACE_TOO_LARGE') throw new StateUnavailableError(error.message);
        throw error;
      }
    },
    traceCall: async (params, block, options, overrides) => {
      try {
        return await query(() => ({ kind: 'traceCall', at: engine.queryBlock(block), params: executionParams(params), gasCap, options: options as TraceOptions, overrides }));
      } catch (error) {
        // A sender that cannot pay, a call that cannot run, a trace past the node's bound: -32000.
        if (error instanceof ExecutionError && error.code !== 'ENGINE_FAILED') throw new StateUnavailableError(error.message);
        throw error;
      }
    },
    traceBlock: async (number, options) => {
      try {
        return await query(() => {
          const block = engine.queryBlock(number);
          return { kind: 'traceBlock', parent: engine.queryBlock(number - 1n), block, options: options as TraceOptions };
        });
      } catch (error) {
        if (error instanceof ExecutionError && (error.code === 'TRACE_TOO_LARGE' || error.code === 'UNKNOWN_BLOCK')) throw new StateUnavailableError(error.message);
        throw error;
      }
    },
    simulate: async (request, block) => {
      try {
        return await query<SimulatedBlock[]>(() => ({ kind: 'simulate', at: engine.queryBlock(block), request: { ...request, blockStateCalls: request.blockStateCalls.map((b) => ({ ...b, calls: b.calls.map((c) => ({ ...c })) })) }, gasCap }));
      } catch (error) {
        // geth's codes for a simulation it refuses whole (-38010 nonce too low, -38014 funds, ...).
        if (error instanceof SimulateError) throw new RpcError(error.rpcCode, error.message);
        throw error;
      }
    },
    sendRawTransaction: async (raw) => {
      try {
        return await view.submit(Buffer.from(raw.slice(2), 'hex'));
      } catch (error) {
        if (error instanceof MempoolError) throw new TxRejectedError(REJECTION_REASON[error.code], error.message);
        throw error;
      }
    },
    pendingNonce: (address) => mempool.pendingNonce(address),
    finalizeBlockNow: () => nextFinalBlock(engine, () => view.proposeAtOnce()),
    txpoolContent: (sender) => {
      const { pending, queued } = mempool.content(sender);
      return { pending: pending.map(poolEntry), queued: queued.map(poolEntry) };
    },
    txpoolStatus: () => {
      const stats = mempool.stats();
      return { pending: stats.pending, queued: stats.queued };
    },
    gasPrice: () => view.baseFeePerGas + SUGGESTED_PRIORITY_FEE_WEI,
    maxPriorityFeePerGas: () => SUGGESTED_PRIORITY_FEE_WEI,
    nextBaseFeePerGas: () => view.baseFeePerGas,
    syncing: () => view.sync(),
    committee: (): CommitteeInfo => {
      const epoch = committees.epochOf(engine.head().number);
      return committeeInfo(committees.committeeOfEpoch(epoch) ?? committees.genesis);
    },
    validators: async () =>
      (await view.validators()).map((v) => ({
        index: v.index,
        id: v.id,
        address: v.owner,
        publicKey: v.publicKey,
        stake: v.stake,
        lock: v.lock,
        lockedUntil: v.lockedUntil,
        coefficient: Number(v.coefficient) / Number(COEFFICIENT_SCALE),
        weight: v.weight,
        status: (STATUS_NAMES[v.status.toString()] ?? 'exited') as ValidatorInfo['status'],
        registeredAt: v.registeredAt,
        unbonding: v.unbonding,
        unbondingEnds: v.unbondingEnds,
      })),
    ...(view.validatorProposals === undefined ? {} : { validatorProposals: view.validatorProposals }),
    ...(view.validatorProposal === undefined ? {} : { validatorProposal: view.validatorProposal }),
    epochCommittee: async (epoch): Promise<CommitteeInfo | undefined> => {
      // Epochs up to the next height's: drawn again from the chain when not in memory, one at a
      // time (each reads the staking storage on this thread: clients must not queue many).
      if (epoch > committees.epochOf(engine.head().number + 1n)) return undefined;
      const known = committees.committeeOfEpoch(epoch);
      if (known !== undefined) return committeeInfo(known);
      if (drawingOldEpoch) throw limitExceeded(`another old epoch's committee is being drawn; retry epoch ${epoch} shortly`);
      drawingOldEpoch = true;
      try {
        const committee = await committees.draw(epoch).catch((error: unknown) => {
          if (error instanceof UnknownCommitteeError) return undefined;
          throw error;
        });
        return committee === undefined ? undefined : committeeInfo(committee);
      } finally {
        drawingOldEpoch = false;
      }
    },
    certificate: (height): FinalityCertificate | undefined => engine.getCertificate(height),
    consensusStatus: (): ConsensusStatus => {
      const status = view.consensusStatus();
      return {
        height: engine.head().number,
        epoch: status.epoch ?? committees.epochOf(engine.head().number + 1n),
        pendingBatches: status.proposers.filter((p) => p.decision === null).length,
        mempoolSize: mempool.size(),
        peers: view.peers(),
        proposers: view.inclusion(),
      };
    },
    connectedWeight: () => view.connectedWeight(),
    contracts: () => view.contracts(),
    onNewBlock: (listener) => engine.onBlock(listener),
    onPendingTransaction: (listener) => mempool.onAdded((hash) => listener(hash)),
  };
}
