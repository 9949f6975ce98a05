// Parsing of geth's state override object and block overrides (internal/ethapi/override), as
// eth_call, eth_estimateGas, eth_createAccessList, debug_traceCall and eth_simulateV1 take them.
// Only parsing and bounds live here; the node applies them to a query's scratch state.
import type { Hex } from '../chain/types.js';
import type { AccountOverride, BlockOverrides, CallOverrides, StateOverrides } from './backend.js';
import { invalidParam } from './errors.js';
import { describe, parseAddress, parseData, parseObject, parseQuantity, parseSlot } from './params.js';

/** Accounts one state override object may name. */
export const MAX_OVERRIDE_ACCOUNTS = 256;
/** Storage slots (`state` plus `stateDiff`) over all accounts of one state override object. */
export const MAX_OVERRIDE_SLOTS = 10_000;
/** Bytes of code one overridden account may get (5x the 24,576-byte deployed code limit). */
export const MAX_OVERRIDE_CODE_BYTES = 128 * 1024;
/** The largest uint64 (geth's hexutil.Uint64 for nonce, number, time, gasLimit). */
const MAX_UINT64 = 2n ** 64n - 1n;

const ACCOUNT_FIELDS = ['balance', 'nonce', 'code', 'state', 'stateDiff', 'movePrecompileToAddress'];
const BLOCK_FIELDS = ['number', 'difficulty', 'time', 'gasLimit', 'feeRecipient', 'coinbase', 'prevRandao', 'random', 'baseFeePerGas', 'blobBaseFee'];

const present = (v: unknown) => v !== undefined && v !== null;

function uint64(value: unknown, index: number, what: string): bigint {
  const n = parseQuantity(value, index, what);
  if (n > MAX_UINT64) throw invalidParam(index, `${what} exceeds 64 bits`);
  return n;
}

function rejectUnknown(o: Record<string, unknown>, allowed: readonly string[], index: number, what: string): void {
  for (const key of Object.keys(o)) {
    if (!allowed.includes(key)) throw invalidParam(index, `${what} has no field ${describe(key)}: use ${allowed.join(', ')}`);
  }
}

/** A 32-byte value for a slot: geth's common.Hash; shorter hex is left-padded as for keys. */
function parseSlotMap(value: unknown, index: number, what: string, budget: { slots: number }): Record<Hex, Hex> {
  const o = parseObject(value, index, what);
  const out: Record<Hex, Hex> = {};
  for (const [key, v] of Object.entries(o)) {
    if (++budget.slots > MAX_OVERRIDE_SLOTS) throw invalidParam(index, `state overrides set more than ${MAX_OVERRIDE_SLOTS} storage slots`);
    out[parseSlot(key, index)] = parseSlot(v, index);
  }
  return out;
}

function parseAccountOverride(address: Hex, value: unknown, index: number, budget: { slots: number }): AccountOverride {
  const o = parseObject(value, index, `override of ${address}`);
  rejectUnknown(o, ACCOUNT_FIELDS, index, `override of ${address}`);
  if (present(o.state) && present(o.stateDiff)) throw invalidParam(index, `account ${address} has both 'state' and 'stateDiff'`);
  if (present(o.movePrecompileToAddress)) {
    throw invalidParam(index, `account ${address}: movePrecompileToAddress is not supported by this node; override the code of an ordinary address instead`);
  }
  const override: { -readonly [K in keyof AccountOverride]: AccountOverride[K] } = {};
  if (present(o.balance)) override.balance = parseQuantity(o.balance, index, `balance of ${address}`);
  if (present(o.nonce)) override.nonce = uint64(o.nonce, index, `nonce of ${address}`);
  if (present(o.code)) {
    const code = parseData(o.code, index, `code of ${address}`);
    if ((code.length - 2) / 2 > MAX_OVERRIDE_CODE_BYTES) throw invalidParam(index, `code of ${address} is larger than ${MAX_OVERRIDE_CODE_BYTES} bytes`);
    override.code = code;
  }
  if (present(o.state)) override.state = parseSlotMap(o.state, index, `state of ${address}`, budget);
  if (present(o.stateDiff)) override.stateDiff = parseSlotMap(o.stateDiff, index, `stateDiff of ${address}`, budget);
  return override;
}

/** geth's StateOverride: address -> {balance, nonce, code, state | stateDiff}; absent or null: none. */
export function parseStateOverrides(value: unknown, index: number): StateOverrides | undefined {
  if (!present(value)) return undefined;
  const o = parseObject(value, index, 'state overrides');
  const entries = Object.entries(o);
  if (entries.length > MAX_OVERRIDE_ACCOUNTS) throw invalidParam(index, `state overrides name ${entries.length} accounts, limit ${MAX_OVERRIDE_ACCOUNTS}`);
  const budget = { slots: 0 };
  const out: Record<Hex, AccountOverride> = {};
  for (const [key, v] of entries) {
    const address = parseAddress(key, index, 'state override address');
    if (out[address] !== undefined) throw invalidParam(index, `account ${address} is overridden twice`);
    out[address] = parseAccountOverride(address, v, index, budget);
  }
  return out;
}

/**
 * geth's BlockOverrides: number, time, gasLimit, feeRecipient, prevRandao, baseFeePerGas,
 * blobBaseFee (difficulty is accepted and has no effect after the merge, as in geth).
 */
export function parseBlockOverrides(value: unknown, index: number): BlockOverrides | undefined {
  if (!present(value)) return undefined;
  const o = parseObject(value, index, 'block overrides');
  rejectUnknown(o, BLOCK_FIELDS, index, 'block overrides');
  const out: { -readonly [K in keyof BlockOverrides]: BlockOverrides[K] } = {};
  if (present(o.number)) out.number = uint64(o.number, index, 'block overrides number');
  if (present(o.difficulty)) parseQuantity(o.difficulty, index, 'block overrides difficulty');
  if (present(o.time)) out.time = uint64(o.time, index, 'block overrides time');
  if (present(o.gasLimit)) out.gasLimit = uint64(o.gasLimit, index, 'block overrides gasLimit');
  const recipient = o.feeRecipient ?? o.coinbase;
  if (present(recipient)) out.feeRecipient = parseAddress(recipient, index, 'block overrides feeRecipient');
  const randao = o.prevRandao ?? o.random;
  if (present(randao)) out.prevRandao = parseSlot(randao, index);
  if (present(o.baseFeePerGas)) out.baseFeePerGas = parseQuantity(o.baseFeePerGas, index, 'block overrides baseFeePerGas');
  if (present(o.blobBaseFee)) out.blobBaseFee = parseQuantity(o.blobBaseFee, index, 'block overrides blobBaseFee');
  return out;
}

/**
 * eth_call's and eth_estimateGas's third and fourth parameters (state, then block overrides), or
 * debug_traceCall's stateOverrides and blockOverrides; undefined when neither is given.
 */
export function parseCallOverrides(state: unknown, block: unknown, stateIndex = 2, blockIndex = 3): CallOverrides | undefined {
  const parsedState = parseStateOverrides(state, stateIndex);
  const parsedBlock = parseBlockOverrides(block, blockIndex);
  if (parsedState === undefined && parsedBlock === undefined) return undefined;
  return { ...(parsedState === undefined ? {} : { state: parsedState }), ...(parsedBlock === undefined ? {} : { block: parsedBlock }) };
}
