// eth_call, eth_estimateGas and debug_traceTransaction over read-only views (state-view.ts).
// Calls run as transactions (runTx with nonce and balance checks off, as geth's eth_call does),
// so gasUsed includes intrinsic gas and an estimate is directly usable as a gas limit.
import type { Common } from '@ethereumjs/common';
import { createFeeMarket1559Tx, createLegacyTx, type TypedTransaction } from '@ethereumjs/tx';
import { bytesToHex, createAddressFromString, createZeroAddress, hexToBytes, type Address } from '@ethereumjs/util';
import { runTx, type RunTxResult, type VM } from '@ethereumjs/vm';
import type { Block } from '@ethereumjs/block';
import type { ChainStore } from '../chain/store.js';
import type { BlockRecord, Hex } from '../chain/types.js';
import { EstimateGasError, ExecutionError } from './errors.js';
import { MAX_ESTIMATE_ITERATIONS, MAX_TRACE_STEPS, MIN_TRANSFER_GAS } from './limits.js';
import { blockContext, evmViewAt } from './state-view.js';
import { decodeTransaction } from './admission.js';

export interface CallParams {
  readonly from?: Hex;
  readonly to?: Hex;
  readonly data?: Hex;
  readonly value?: bigint;
  readonly gas?: bigint;
  readonly gasPrice?: bigint;
  readonly maxFeePerGas?: bigint;
  readonly maxPriorityFeePerGas?: bigint;
}

export interface CallResult {
  readonly returnData: Hex;
  readonly gasUsed: bigint;
  readonly reverted: boolean;
  /** EVM failure other than a revert ('out of gas', 'invalid opcode', ...), geth's wording. */
  readonly error?: string;
}

export interface StructLog {
  readonly pc: number;
  readonly op: string;
  readonly gas: number;
  readonly gasCost: number;
  readonly depth: number;
  readonly stack: Hex[];
  readonly memory?: string[];
}

export interface TransactionTrace {
  readonly gas: number;
  readonly failed: boolean;
  readonly returnValue: string; // hex without 0x, as geth's struct logger prints it
  readonly structLogs: StructLog[];
}

function callTransaction(params: CallParams, from: Address, gasLimit: bigint, common: Common): TypedTransaction {
  const base = {
    gasLimit,
    to: params.to === undefined ? undefined : createAddressFromString(params.to),
    value: params.value ?? 0n,
    data: params.data === undefined ? new Uint8Array() : hexToBytes(params.data),
  };
  const tx =
    params.maxFeePerGas !== undefined || params.maxPriorityFeePerGas !== undefined
      ? createFeeMarket1559Tx(
          { ...base, maxFeePerGas: params.maxFeePerGas ?? params.maxPriorityFeePerGas ?? 0n, maxPriorityFeePerGas: params.maxPriorityFeePerGas ?? 0n },
          { common, freeze: false },
        )
      : createLegacyTx({ ...base, gasPrice: params.gasPrice ?? 0n }, { common, freeze: false });
  // Unsigned on purpose: the caller is whoever `from` says, as in geth's eth_call.
  tx.getSenderAddress = () => from;
  return tx;
}

function hasFee(params: CallParams): boolean {
  return params.gasPrice !== undefined || params.maxFeePerGas !== undefined || params.maxPriorityFeePerGas !== undefined;
}

function outcome(result: RunTxResult): CallResult {
  const error = result.execResult.exceptionError?.error;
  const reverted = error === 'revert';
  return {
    returnData: bytesToHex(result.execResult.returnValue) as Hex,
    gasUsed: result.totalGasSpent,
    reverted,
    ...(error !== undefined && !reverted ? { error } : {}),
  };
}

/** One call on a view, rolled back afterwards so the view can be reused. */
async function runOnce(vm: VM, block: Block, params: CallParams, gasLimit: bigint): Promise<CallResult> {
  const from = params.from === undefined ? createZeroAddress() : createAddressFromString(params.from);
  const tx = callTransaction(params, from, gasLimit, vm.common);
  await vm.stateManager.checkpoint();
  try {
    const result = await runTx(vm, { tx, block, skipNonce: true, skipBalance: true, skipBlockGasLimitValidation: true, skipHardForkValidation: true });
    return outcome(result);
  } catch (error) {
    return { returnData: '0x', gasUsed: 0n, reverted: false, error: (error as Error).message };
  } finally {
    await vm.stateManager.revert();
  }
}

export async function callAt(store: ChainStore, common: Common, at: BlockRecord, params: CallParams): Promise<CallResult> {
  const { vm } = await evmViewAt(store, at, common);
  // No fee given: price the call at zero and drop the base fee, as geth does, so reads need no funds.
  const block = blockContext(at, common, hasFee(params) ? at.baseFeePerGas : 0n);
  return runOnce(vm, block, params, params.gas ?? at.gasLimit);
}

/** Binary search for the smallest gas limit that succeeds (geth's eth_estimateGas). */
export async function estimateGasAt(store: ChainStore, common: Common, at: BlockRecord, params: CallParams): Promise<bigint> {
  const { vm } = await evmViewAt(store, at, common);
  const block = blockContext(at, common, hasFee(params) ? at.baseFeePerGas : 0n);
  let hi = params.gas ?? at.gasLimit;
  const first = await runOnce(vm, block, params, hi);
  if (first.reverted) throw new EstimateGasError(`execution reverted${first.returnData === '0x' ? '' : ` (data ${first.returnData})`}`, first.returnData, true);
  if (first.error !== undefined) throw new EstimateGasError(`gas required exceeds allowance (${hi}) or execution failed: ${first.error}`, '0x', false);
  let lo = first.gasUsed > MIN_TRANSFER_GAS ? first.gasUsed - 1n : MIN_TRANSFER_GAS - 1n;
  // A first guess close to the answer: 64/63 of the gas used covers the call-gas retention rule.
  let guess = (first.gasUsed * 64n) / 63n + 2_300n;
  for (let i = 0; i < MAX_ESTIMATE_ITERATIONS && lo + 1n < hi; i++) {
    const mid = guess > lo && guess < hi ? guess : (lo + hi) / 2n;
    guess = 0n;
    const result = await runOnce(vm, block, params, mid);
    if (result.reverted || result.error !== undefined) lo = mid;
    else hi = mid;
  }
  return hi;
}

function stepLogger(steps: StructLog[]) {
  return (step: { pc: number; opcode: { name: string; fee: number; dynamicFee?: bigint }; gasLeft: bigint; depth: number; stack: bigint[]; memory: Uint8Array; memoryWordCount: bigint }) => {
    if (steps.length >= MAX_TRACE_STEPS) {
      throw new ExecutionError('TRACE_TOO_LARGE', `trace exceeds ${MAX_TRACE_STEPS} steps: trace a smaller transaction`);
    }
    const memoryBytes = Number(step.memoryWordCount) * 32;
    const memory: string[] = [];
    for (let offset = 0; offset < memoryBytes; offset += 32) {
      memory.push(Buffer.from(step.memory.subarray(offset, offset + 32)).toString('hex').padEnd(64, '0'));
    }
    steps.push({
      pc: step.pc,
      op: step.opcode.name,
      gas: Number(step.gasLeft),
      gasCost: step.opcode.fee + Number(step.opcode.dynamicFee ?? 0n),
      depth: step.depth + 1, // geth counts the outermost frame as depth 1
      stack: step.stack.map((v) => `0x${v.toString(16)}` as Hex),
      memory,
    });
  };
}

/**
 * Re-executes `block` on its parent's state up to transaction `index`, recording the EVM's steps
 * for that transaction in geth's struct-logger format.
 */
export async function traceAt(store: ChainStore, common: Common, parent: BlockRecord, block: BlockRecord, index: number): Promise<TransactionTrace> {
  const { vm } = await evmViewAt(store, parent, common);
  const context = blockContext(block, common);
  let gasUsed = 0n;
  for (let i = 0; i <= index; i++) {
    const record = store.getTransaction(block.transactions[i]);
    if (record === undefined) throw new ExecutionError('UNKNOWN_TRANSACTION', `transaction ${block.transactions[i]} of block ${block.number} is missing from the store`);
    const decoded = decodeTransaction(hexToBytes(record.raw), common);
    if (!decoded.ok) throw new ExecutionError('ENGINE_FAILED', `stored transaction ${record.hash} no longer decodes: ${decoded.reason}`);
    const steps: StructLog[] = [];
    const listener = stepLogger(steps);
    if (i === index) vm.evm.events!.on('step', listener);
    try {
      const result = await runTx(vm, { tx: decoded.tx, block: context, blockGasUsed: gasUsed, skipBlockGasLimitValidation: true, skipHardForkValidation: true });
      gasUsed += result.totalGasSpent;
      if (i === index) {
        return {
          gas: Number(result.totalGasSpent),
          failed: result.execResult.exceptionError !== undefined,
          returnValue: Buffer.from(result.execResult.returnValue).toString('hex'),
          structLogs: steps,
        };
      }
    } finally {
      if (i === index) vm.evm.events!.off('step', listener);
    }
  }
  throw new ExecutionError('UNKNOWN_TRANSACTION', `transaction index ${index} is not in block ${block.number}`);
}
