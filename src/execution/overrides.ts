// Applies geth's state and block overrides (internal/ethapi/override) to a query: state overrides
// go into the query's own scratch state (state-view.ts), never the chain's, and block overrides
// change the block context the EVM sees. Overrides arrive as plain data (query-jobs.ts), already
// validated and bounded by the RPC layer.
import { createBlock, type Block } from '@ethereumjs/block';
import type { Common } from '@ethereumjs/common';
import type { StateManagerInterface } from '@ethereumjs/common';
import { Account, createAddressFromString, hexToBytes, setLengthLeft } from '@ethereumjs/util';
import type { BlockRecord, Hex } from '../chain/types.js';
import { ExecutionError } from './errors.js';
import { buildHeader } from './header.js';

export interface AccountOverride {
  readonly balance?: bigint;
  readonly nonce?: bigint;
  readonly code?: Hex;
  readonly state?: Readonly<Record<Hex, Hex>>;
  readonly stateDiff?: Readonly<Record<Hex, Hex>>;
}

export type StateOverrides = Readonly<Record<Hex, AccountOverride>>;

export interface BlockOverrides {
  readonly number?: bigint;
  readonly time?: bigint;
  readonly gasLimit?: bigint;
  readonly feeRecipient?: Hex;
  readonly prevRandao?: Hex;
  readonly baseFeePerGas?: bigint;
  readonly blobBaseFee?: bigint;
}

export interface CallOverrides {
  readonly state?: StateOverrides;
  readonly block?: BlockOverrides;
}

const slotBytes = (hex: Hex) => setLengthLeft(hexToBytes(hex), 32);

/**
 * geth's StateOverride.Apply, in its order per account: nonce, code, balance, then `state`
 * (the whole storage replaced) or `stateDiff` (only the named slots). An account that does not
 * exist is created. The caller checkpoints around this if it must undo it.
 */
export async function applyStateOverrides(state: StateManagerInterface, overrides: StateOverrides | undefined): Promise<void> {
  if (overrides === undefined) return;
  for (const [hex, override] of Object.entries(overrides) as [Hex, AccountOverride][]) {
    if (override.state !== undefined && override.stateDiff !== undefined) {
      throw new ExecutionError('INVALID_INPUT', `account ${hex} has both 'state' and 'stateDiff'`);
    }
    const address = createAddressFromString(hex);
    const account = (await state.getAccount(address)) ?? new Account();
    if (override.nonce !== undefined) account.nonce = override.nonce;
    if (override.balance !== undefined) account.balance = override.balance;
    await state.putAccount(address, account);
    if (override.code !== undefined) await state.putCode(address, hexToBytes(override.code));
    if (override.state !== undefined) {
      await state.clearStorage(address);
      for (const [key, value] of Object.entries(override.state) as [Hex, Hex][]) await state.putStorage(address, slotBytes(key), slotBytes(value));
    }
    if (override.stateDiff !== undefined) {
      for (const [key, value] of Object.entries(override.stateDiff) as [Hex, Hex][]) await state.putStorage(address, slotBytes(key), slotBytes(value));
    }
  }
}

/** The header fields of a block context "at" `at`, with `overrides` applied (geth's BlockOverrides.Apply). */
export function overriddenFields(at: BlockRecord, baseFeePerGas: bigint, overrides: BlockOverrides | undefined) {
  return {
    number: overrides?.number ?? at.number,
    parentHash: at.parentHash,
    timestamp: overrides?.time ?? at.timestamp,
    gasLimit: overrides?.gasLimit ?? at.gasLimit,
    baseFeePerGas: overrides?.baseFeePerGas ?? baseFeePerGas,
    extraData: at.extraData,
    ...(overrides?.feeRecipient === undefined ? {} : { coinbase: overrides.feeRecipient }),
    ...(overrides?.prevRandao === undefined ? {} : { mixHash: hexToBytes(overrides.prevRandao) }),
  };
}

/**
 * The block a query runs in: `at`'s own header with `baseFeePerGas`, then the overrides. A
 * blobBaseFee override replaces what BLOBBASEFEE reads (the chain carries no blobs, so nothing
 * else depends on it).
 */
export function overriddenBlock(at: BlockRecord, common: Common, baseFeePerGas: bigint, overrides: BlockOverrides | undefined): Block {
  const block = createBlock({ header: buildHeader(overriddenFields(at, baseFeePerGas, overrides), common) }, { common });
  const blobBaseFee = overrides?.blobBaseFee;
  if (blobBaseFee !== undefined) block.header.getBlobGasPrice = () => blobBaseFee;
  return block;
}
