// eth_simulateV1 (geth's internal/ethapi/simulate.go): a sequence of simulated blocks on the
// state after a committed block, each with its block and state overrides and its calls, every
// call's effects carried to the next call and the next block. Runs in a query worker on a
// scratch view: nothing reaches the chain's state.
import { Bloom, runTx, type RunTxResult } from '@ethereumjs/vm';
import type { Common } from '@ethereumjs/common';
import { bytesToHex } from '@ethereumjs/util';
import type { ChainStore } from '../chain/store.js';
import type { BlockRecord, Hex, LogRecord } from '../chain/types.js';
import { keccak256 } from '../crypto/hash.js';
import { ExecutionError } from './errors.js';
import { blockSize, buildHeader, headerToRecord } from './header.js';
import { MAX_QUERY_GAS } from './limits.js';
import { applyStateOverrides, overriddenBlock, type BlockOverrides, type StateOverrides } from './overrides.js';
import { callTransaction, fundsError, gethWording, hasFee, senderOf, type CallParams } from './queries.js';
import { encodedReceipts, orderedTrieRoot, toReceiptRecords, type ExecutedTransaction } from './receipts.js';
import { evmViewAt } from './state-view.js';
import { gethErrorMessage } from './evm-errors.js';

/** Simulated blocks in one request, gaps between numbers included (geth's maxSimulateBlocks). */
export const MAX_SIMULATE_BLOCKS = 256;
/** Calls over all blocks of one request (geth bounds them by gas alone; gas-free calls still cost time). */
export const MAX_SIMULATE_CALLS = 10_000;
/** A simulated block without a time override comes this much after its parent (geth's timestampIncrement). */
export const SIMULATE_TIMESTAMP_INCREMENT_SECONDS = 12n;

export interface SimulateCallParams extends CallParams {
  readonly nonce?: bigint;
}

export interface SimulateBlockRequest {
  readonly blockOverrides?: BlockOverrides;
  readonly stateOverrides?: StateOverrides;
  readonly calls: readonly SimulateCallParams[];
}

export interface SimulateRequest {
  readonly blockStateCalls: readonly SimulateBlockRequest[];
  readonly validation: boolean;
  readonly traceTransfers: boolean;
}

export interface SimulatedCall {
  readonly status: 0 | 1;
  readonly returnData: Hex;
  readonly gasUsed: bigint;
  readonly logs: readonly LogRecord[];
  readonly error?: { readonly code: number; readonly message: string; readonly data?: Hex };
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

export interface SimulatedBlock {
  readonly block: BlockRecord;
  readonly transactions: readonly SimulatedTransaction[];
  readonly calls: readonly SimulatedCall[];
}

/** geth's simulate error codes (internal/ethapi/errors.go). */
export const SIMULATE_ERROR_CODES = {
  nonceTooLow: -38010,
  nonceTooHigh: -38011,
  feeCapTooLow: -38012,
  intrinsicGas: -38013,
  insufficientFunds: -38014,
  blockGasLimitReached: -38015,
  blockNumberInvalid: -38020,
  blockTimestampInvalid: -38021,
  clientLimitExceeded: -38026,
  vmError: -32015,
  reverted: 3,
} as const;

/** A refusal of the whole request, with the JSON-RPC code geth answers it with. */
export class SimulateError extends ExecutionError {
  constructor(
    readonly rpcCode: number,
    message: string,
  ) {
    super('INVALID_INPUT', message);
  }
}

const ERROR_STRING_SELECTOR = '0x08c379a0';

/** geth's revert message: "execution reverted", with the Error(string) reason when there is one. */
function revertMessage(data: Hex): string {
  if (!data.startsWith(ERROR_STRING_SELECTOR) || data.length < 2 + 8 + 128) return 'execution reverted';
  try {
    const body = data.slice(10);
    const length = Number(BigInt(`0x${body.slice(64, 128)}`));
    return `execution reverted: ${Buffer.from(body.slice(128, 128 + 2 * length), 'hex').toString('utf8')}`;
  } catch {
    return 'execution reverted';
  }
}

function callOutcome(run: RunTxResult): Omit<SimulatedCall, 'logs'> {
  const returnData = bytesToHex(run.execResult.returnValue) as Hex;
  const error = run.execResult.exceptionError?.error;
  if (error === undefined) return { status: 1, returnData, gasUsed: run.totalGasSpent };
  if (error === 'revert') return { status: 0, returnData, gasUsed: run.totalGasSpent, error: { code: SIMULATE_ERROR_CODES.reverted, message: revertMessage(returnData), data: returnData } };
  return { status: 0, returnData: '0x', gasUsed: run.totalGasSpent, error: { code: SIMULATE_ERROR_CODES.vmError, message: gethErrorMessage(error) } };
}

/** Runs `request` on the state after `at`; `gasCap` (geth's --rpc.gascap) bounds the gas of all calls together. */
export async function simulateAt(store: ChainStore, common: Common, at: BlockRecord, request: SimulateRequest, gasCap: bigint): Promise<SimulatedBlock[]> {
  const { vm, state } = await evmViewAt(store, at, common);
  const calls = request.blockStateCalls.reduce((n, b) => n + b.calls.length, 0);
  if (calls > MAX_SIMULATE_CALLS) throw new SimulateError(SIMULATE_ERROR_CODES.clientLimitExceeded, `too many calls: ${calls}, limit ${MAX_SIMULATE_CALLS}`);
  let gasBudget = gasCap > 0n && gasCap < MAX_QUERY_GAS ? gasCap : MAX_QUERY_GAS;
  let parent = at;
  const out: SimulatedBlock[] = [];
  const seal = async (number: bigint, timestamp: bigint, overrides: BlockOverrides | undefined, executed: ExecutedTransaction[], results: Omit<SimulatedCall, 'logs'>[], txs: SimulatedTransaction[], gasUsed: bigint, baseFee: bigint, gasLimit: bigint) => {
    const bloom = new Bloom(undefined, common);
    for (const e of executed) bloom.or(e.result.bloom);
    const header = buildHeader(
      {
        number,
        parentHash: parent.hash,
        timestamp,
        gasLimit,
        baseFeePerGas: baseFee,
        extraData: '0x',
        stateRoot: await state.getStateRoot(),
        transactionsRoot: await orderedTrieRoot(executed.map((e) => e.raw)),
        receiptsRoot: await orderedTrieRoot(encodedReceipts(executed)),
        logsBloom: bloom.bitvector,
        gasUsed,
        ...(overrides?.feeRecipient === undefined ? {} : { coinbase: overrides.feeRecipient }),
        ...(overrides?.prevRandao === undefined ? {} : { mixHash: Buffer.from(overrides.prevRandao.slice(2), 'hex') }),
      },
      common,
    );
    const block = headerToRecord(header, { size: blockSize(header, executed.map((e) => e.raw)), transactions: executed.map((e) => e.hash), consensus: { epoch: 0, proposers: [] } });
    const receipts = toReceiptRecords(executed, block.number, block.hash);
    out.push({ block, transactions: txs, calls: results.map((r, i) => ({ ...r, logs: receipts[i]!.logs })) });
    parent = block;
  };
  for (const request_ of request.blockStateCalls) {
    const overrides = request_.blockOverrides;
    const number = overrides?.number ?? parent.number + 1n;
    if (number <= parent.number) throw new SimulateError(SIMULATE_ERROR_CODES.blockNumberInvalid, `block numbers must be in order: ${number} <= ${parent.number}`);
    if (number - at.number > BigInt(MAX_SIMULATE_BLOCKS)) throw new SimulateError(SIMULATE_ERROR_CODES.clientLimitExceeded, 'too many blocks');
    // geth fills a gap between numbers with empty blocks, each 12 s after the one before.
    while (parent.number + 1n < number) {
      await seal(parent.number + 1n, parent.timestamp + SIMULATE_TIMESTAMP_INCREMENT_SECONDS, undefined, [], [], [], 0n, request.validation ? parent.baseFeePerGas : 0n, parent.gasLimit);
    }
    const timestamp = overrides?.time ?? parent.timestamp + SIMULATE_TIMESTAMP_INCREMENT_SECONDS;
    if (timestamp <= parent.timestamp) throw new SimulateError(SIMULATE_ERROR_CODES.blockTimestampInvalid, `block timestamps must be in order: ${timestamp} <= ${parent.timestamp}`);
    await applyStateOverrides(state, request_.stateOverrides);
    const baseFee = overrides?.baseFeePerGas ?? (request.validation ? parent.baseFeePerGas : 0n);
    const gasLimit = overrides?.gasLimit ?? parent.gasLimit;
    const context = overriddenBlock({ ...parent, number, timestamp, gasLimit, parentHash: parent.hash }, common, baseFee, { ...overrides, number, time: timestamp, gasLimit, baseFeePerGas: baseFee });
    const executed: ExecutedTransaction[] = [];
    const results: Omit<SimulatedCall, 'logs'>[] = [];
    const txs: SimulatedTransaction[] = [];
    let gasUsed = 0n;
    for (const call of request_.calls) {
      const from = senderOf(call);
      const account = await state.getAccount(from);
      const stateNonce = account?.nonce ?? 0n;
      const nonce = call.nonce ?? stateNonce;
      if (request.validation && nonce < stateNonce) throw new SimulateError(SIMULATE_ERROR_CODES.nonceTooLow, `err: nonce too low: address ${from.toString()}, tx: ${nonce} state: ${stateNonce}`);
      if (request.validation && nonce > stateNonce) throw new SimulateError(SIMULATE_ERROR_CODES.nonceTooHigh, `err: nonce too high: address ${from.toString()}, tx: ${nonce} state: ${stateNonce}`);
      let gas = call.gas ?? gasLimit - gasUsed;
      if (gasUsed + gas > gasLimit) throw new SimulateError(SIMULATE_ERROR_CODES.blockGasLimitReached, `block gas limit reached: ${gasUsed} >= ${gasLimit}`);
      if (gas > gasBudget) gas = gasBudget;
      const tip = call.maxPriorityFeePerGas ?? call.gasPrice ?? 0n;
      const feeCap = call.maxFeePerGas ?? call.gasPrice ?? (hasFee(call) ? tip : baseFee);
      if (request.validation && feeCap < baseFee) {
        throw new SimulateError(SIMULATE_ERROR_CODES.feeCapTooLow, `err: max fee per gas less than block base fee: address ${from.toString()}, maxFeePerGas: ${feeCap}, baseFee: ${baseFee}`);
      }
      const params: CallParams = { ...call, gasPrice: undefined, maxFeePerGas: feeCap, maxPriorityFeePerGas: tip < feeCap ? tip : feeCap };
      const unfunded = await fundsError(vm, params, gas);
      if (unfunded !== undefined) throw new SimulateError(SIMULATE_ERROR_CODES.insufficientFunds, `err: ${unfunded} (supplied gas ${gas})`);
      const tx = callTransaction(params, from, gas, common, nonce);
      let run: RunTxResult;
      try {
        run = await runTx(vm, { tx, block: context, blockGasUsed: gasUsed, skipNonce: !request.validation, skipBalance: true, skipBlockGasLimitValidation: true, skipHardForkValidation: true });
      } catch (error) {
        const message = gethWording((error as Error).message);
        throw new SimulateError(message.startsWith('intrinsic gas too low') ? SIMULATE_ERROR_CODES.intrinsicGas : -32000, `err: ${message} (supplied gas ${gas})`);
      }
      gasUsed += run.totalGasSpent;
      gasBudget -= run.totalGasSpent;
      const raw = tx.serialize();
      const hash = bytesToHex(keccak256(raw)) as Hex;
      executed.push({ tx, hash, raw, from: from.toString() as Hex, result: run, effectiveGasPrice: baseFee + (params.maxPriorityFeePerGas! < feeCap - baseFee ? params.maxPriorityFeePerGas! : feeCap - baseFee) });
      results.push(callOutcome(run));
      txs.push({ hash, from: from.toString() as Hex, to: call.to ?? null, nonce, gas, value: call.value ?? 0n, input: call.data ?? '0x', maxFeePerGas: feeCap, maxPriorityFeePerGas: params.maxPriorityFeePerGas!, gasPrice: baseFee + params.maxPriorityFeePerGas! });
    }
    await seal(number, timestamp, overrides, executed, results, txs, gasUsed, baseFee, gasLimit);
  }
  return out;
}
