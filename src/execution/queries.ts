// eth_call and eth_estimateGas over read-only views (state-view.ts).
// Calls run as transactions (runTx with nonce checks off, as geth's eth_call does; the funds check
// is done here, in geth's terms), so gasUsed includes intrinsic gas and an estimate is directly
// usable as a gas limit.
import type { Common } from '@ethereumjs/common';
import { createAccessList2930Tx, createFeeMarket1559Tx, createLegacyTx, type TypedTransaction } from '@ethereumjs/tx';
import { bytesToHex, createAddressFromString, createZeroAddress, hexToBytes, toChecksumAddress, type Address } from '@ethereumjs/util';
import { runTx, type RunTxResult, type VM } from '@ethereumjs/vm';
import type { Block } from '@ethereumjs/block';
import type { ChainStore } from '../chain/store.js';
import type { BlockRecord, Hex } from '../chain/types.js';
import { EstimateGasError } from './errors.js';
import { DEFAULT_RPC_GAS_CAP, MAX_ACCESS_LIST_ITERATIONS, MAX_ESTIMATE_ITERATIONS, MAX_QUERY_GAS, MIN_TRANSFER_GAS } from './limits.js';
import { applyStateOverrides, overriddenBlock, type CallOverrides } from './overrides.js';
import { evmViewAt, type EvmView } from './state-view.js';
import { gethErrorMessage } from './evm-errors.js';

export interface CallParams {
  readonly from?: Hex;
  readonly to?: Hex;
  readonly data?: Hex;
  readonly value?: bigint;
  readonly gas?: bigint;
  readonly gasPrice?: bigint;
  readonly maxFeePerGas?: bigint;
  readonly maxPriorityFeePerGas?: bigint;
  /** EIP-2930: slots warmed before the call starts (they change the gas, as in geth). */
  readonly accessList?: readonly AccessListItem[];
}

export interface AccessListItem {
  readonly address: Hex;
  readonly storageKeys: readonly Hex[];
}

/** eth_createAccessList's answer: the list, the gas a call using it takes, and its failure. */
export interface AccessListResult {
  readonly accessList: AccessListItem[];
  readonly gasUsed: bigint;
  readonly error?: string;
}

export interface CallResult {
  readonly returnData: Hex;
  readonly gasUsed: bigint;
  readonly reverted: boolean;
  /** EVM failure other than a revert ('out of gas', 'invalid opcode', ...), geth's wording. */
  readonly error?: string;
}

export function callTransaction(params: CallParams, from: Address, gasLimit: bigint, common: Common, nonce = 0n): TypedTransaction {
  const base = {
    nonce,
    gasLimit,
    to: params.to === undefined ? undefined : createAddressFromString(params.to),
    value: params.value ?? 0n,
    data: params.data === undefined ? new Uint8Array() : hexToBytes(params.data),
  };
  const accessList = params.accessList?.map((item) => ({ address: item.address, storageKeys: [...item.storageKeys] }));
  const tx =
    params.maxFeePerGas !== undefined || params.maxPriorityFeePerGas !== undefined
      ? createFeeMarket1559Tx(
          { ...base, accessList, maxFeePerGas: params.maxFeePerGas ?? params.maxPriorityFeePerGas ?? 0n, maxPriorityFeePerGas: params.maxPriorityFeePerGas ?? 0n },
          { common, freeze: false },
        )
      : accessList !== undefined
        ? createAccessList2930Tx({ ...base, accessList, gasPrice: params.gasPrice ?? 0n }, { common, freeze: false })
        : createLegacyTx({ ...base, gasPrice: params.gasPrice ?? 0n }, { common, freeze: false });
  // Unsigned on purpose: the caller is whoever `from` says, as in geth's eth_call.
  tx.getSenderAddress = () => from;
  return tx;
}

/**
 * The gas a query runs with: the caller's, else the block gas limit, never above `gasCap` (geth's
 * `--rpc.gascap`: lowered, not refused; 0 = no cap) nor the EVM's 64-bit counter.
 */
export function queryGas(params: CallParams, at: { readonly gasLimit: bigint }, gasCap: bigint): bigint {
  const requested = params.gas ?? at.gasLimit;
  const cap = gasCap > 0n && gasCap < MAX_QUERY_GAS ? gasCap : MAX_QUERY_GAS;
  return requested > cap ? cap : requested;
}

export function hasFee(params: CallParams): boolean {
  return params.gasPrice !== undefined || params.maxFeePerGas !== undefined || params.maxPriorityFeePerGas !== undefined;
}

/**
 * The view and block context a query runs in: the state after `at` with the state overrides
 * applied, and `at`'s header with the block overrides. No fee given: the call is priced at zero
 * and the base fee dropped (an overridden one too), as geth does, so reads need no funds.
 */
export async function queryContext(store: ChainStore, common: Common, at: BlockRecord, params: CallParams, overrides?: CallOverrides): Promise<EvmView & { block: Block }> {
  const view = await evmViewAt(store, at, common);
  await applyStateOverrides(view.state, overrides?.state);
  const baseFee = hasFee(params) ? (overrides?.block?.baseFeePerGas ?? at.baseFeePerGas) : 0n;
  const block = overriddenBlock(at, common, baseFee, overrides?.block === undefined ? undefined : { ...overrides.block, baseFeePerGas: baseFee });
  return { ...view, block };
}

function outcome(result: RunTxResult): CallResult {
  const error = result.execResult.exceptionError?.error;
  const reverted = error === 'revert';
  return {
    returnData: bytesToHex(result.execResult.returnValue) as Hex,
    gasUsed: result.totalGasSpent,
    reverted,
    ...(error !== undefined && !reverted ? { error: gethErrorMessage(error) } : {}),
  };
}

export function senderOf(params: CallParams): Address {
  return params.from === undefined ? createZeroAddress() : createAddressFromString(params.from);
}

/** The price per gas the sender must be able to pay: the fee cap, as in geth's buyGas. */
function feeCapOf(params: CallParams): bigint {
  return params.maxFeePerGas ?? params.gasPrice ?? params.maxPriorityFeePerGas ?? 0n;
}

async function balanceOf(vm: VM, address: Address): Promise<bigint> {
  return (await vm.stateManager.getAccount(address))?.balance ?? 0n;
}

/**
 * geth's buyGas check, which eth_call keeps (only nonce checks are skipped): the sender must hold
 * gas * feeCap + value, so a call with a fee or a value from an account without funds fails as
 * the transaction would. ethereumjs's skipBalance would instead credit the missing funds.
 */
export async function fundsError(vm: VM, params: CallParams, gasLimit: bigint): Promise<string | undefined> {
  const from = senderOf(params);
  const have = await balanceOf(vm, from);
  const want = gasLimit * feeCapOf(params) + (params.value ?? 0n);
  if (have >= want) return undefined;
  return `insufficient funds for gas * price + value: address ${toChecksumAddress(from.toString())} have ${have} want ${want}`;
}

/** One call on a view, rolled back afterwards so the view can be reused. */
async function runOnce(vm: VM, block: Block, params: CallParams, gasLimit: bigint, report?: { accessList?: AccessListItem[] }): Promise<CallResult> {
  const from = senderOf(params);
  const tx = callTransaction(params, from, gasLimit, vm.common);
  await vm.stateManager.checkpoint();
  try {
    const reportAccessList = report !== undefined;
    const result = await runTx(vm, { tx, block, skipNonce: true, skipBalance: true, skipBlockGasLimitValidation: true, skipHardForkValidation: true, reportAccessList });
    if (report !== undefined) report.accessList = (result.accessList ?? []).map((item) => ({ address: item.address as Hex, storageKeys: item.storageKeys as Hex[] }));
    return outcome(result);
  } catch (error) {
    return { returnData: '0x', gasUsed: 0n, reverted: false, error: gethWording((error as Error).message) };
  } finally {
    await vm.stateManager.revert();
  }
}

export async function callAt(store: ChainStore, common: Common, at: BlockRecord, params: CallParams, gasCap = DEFAULT_RPC_GAS_CAP, overrides?: CallOverrides): Promise<CallResult> {
  const { vm, block } = await queryContext(store, common, at, params, overrides);
  const gasLimit = queryGas(params, block.header, gasCap);
  const unfunded = await fundsError(vm, params, gasLimit);
  const result = unfunded === undefined ? await runOnce(vm, block, params, gasLimit) : undefined;
  // A transaction-level refusal in geth's eth_call wording: "err: <why> (supplied gas N)".
  const refusal = unfunded ?? (result!.error?.startsWith('intrinsic gas too low') ? result!.error : undefined);
  if (refusal !== undefined) return { returnData: '0x', gasUsed: 0n, reverted: false, error: `err: ${refusal} (supplied gas ${gasLimit})` };
  return result!;
}

/**
 * geth caps an estimate by what the sender can pay at its fee cap, after the value; a value the
 * sender cannot cover fails outright. Returns the highest gas limit worth trying.
 */
async function affordableGas(vm: VM, params: CallParams, hi: bigint): Promise<bigint> {
  const feeCap = feeCapOf(params);
  const value = params.value ?? 0n;
  const balance = await balanceOf(vm, senderOf(params));
  if (feeCap === 0n) {
    const unfunded = await fundsError(vm, params, hi);
    if (unfunded !== undefined) throw new EstimateGasError(unfunded, '0x', false);
    return hi;
  }
  if (value > 0n && value >= balance) throw new EstimateGasError('insufficient funds for transfer', '0x', false);
  const allowance = (balance - value) / feeCap;
  return allowance < hi ? allowance : hi;
}

/** Binary search for the smallest gas limit that succeeds (geth's eth_estimateGas). */
export async function estimateGasAt(store: ChainStore, common: Common, at: BlockRecord, params: CallParams, gasCap = DEFAULT_RPC_GAS_CAP, overrides?: CallOverrides): Promise<bigint> {
  const { vm, block } = await queryContext(store, common, at, params, overrides);
  let hi = await affordableGas(vm, params, queryGas(params, block.header, gasCap));
  const first = await runOnce(vm, block, params, hi);
  if (first.reverted) throw new EstimateGasError(`execution reverted${first.returnData === '0x' ? '' : ` (data ${first.returnData})`}`, first.returnData, true);
  // geth: running out of gas at the cap means the cap is too low; any other failure is itself.
  if (first.error !== undefined) throw new EstimateGasError(isOutOfGas(first.error) ? `gas required exceeds allowance (${hi})` : first.error, '0x', false);
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

const INTRINSIC_GAS_TOO_LOW = /^INTRINSIC_GAS_TOO_LOW: tx gas limit (\d+) is lower than the minimum gas limit of (\d+)/;

/** runTx's refusals in geth's words where clients match on them; others as ethereumjs says. */
export function gethWording(message: string): string {
  const intrinsic = INTRINSIC_GAS_TOO_LOW.exec(message);
  if (intrinsic !== null) return `intrinsic gas too low: have ${intrinsic[1]}, want ${intrinsic[2]}`;
  // Drop ethereumjs's context suffix " (vm hf=… -> block … -> tx …)".
  const context = message.lastIndexOf(' (vm ');
  return context > 0 && message.includes(' -> ', context) ? message.slice(0, context) : message;
}

/** Out of gas: the EVM's, or a limit under the intrinsic gas. */
function isOutOfGas(error: string): boolean {
  return error === 'out of gas' || error.startsWith('intrinsic gas too low');
}

function sameAccessList(a: readonly AccessListItem[], b: readonly AccessListItem[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * geth's eth_createAccessList: run the call, collect the addresses and slots it touches (sender,
 * recipient and precompiles excluded, as the EVM keeps them warm anyway), run again with that
 * list until it no longer changes, and report the gas of the last run.
 */
export async function createAccessListAt(store: ChainStore, common: Common, at: BlockRecord, params: CallParams, gasCap = DEFAULT_RPC_GAS_CAP, overrides?: CallOverrides): Promise<AccessListResult> {
  const { vm, block } = await queryContext(store, common, at, params, overrides);
  const gasLimit = queryGas(params, block.header, gasCap);
  const unfunded = await fundsError(vm, params, gasLimit);
  if (unfunded !== undefined) throw new EstimateGasError(unfunded, '0x', false);
  let list: AccessListItem[] = params.accessList?.map((item) => ({ address: item.address, storageKeys: [...item.storageKeys] })) ?? [];
  for (let i = 0; i < MAX_ACCESS_LIST_ITERATIONS; i++) {
    const report: { accessList?: AccessListItem[] } = {};
    const result = await runOnce(vm, block, { ...params, accessList: list }, gasLimit, report);
    const found = report.accessList ?? [];
    if (result.reverted || result.error !== undefined || sameAccessList(found, list)) {
      const error = result.reverted ? 'execution reverted' : result.error;
      return { accessList: found, gasUsed: result.gasUsed, ...(error === undefined ? {} : { error }) };
    }
    list = found;
  }
  throw new EstimateGasError(`access list did not settle after ${MAX_ACCESS_LIST_ITERATIONS} runs: the call touches different state each run`, '0x', false);
}
