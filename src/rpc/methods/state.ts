// State reads at a block, calls and gas estimation, and transaction submission.
import type { AccountProof, ExecutionOutcome } from '../backend.js';
import { parseCallOverrides } from '../overrides.js';
import { parseBlockSelector, stateBlockNumber } from '../block-tags.js';
import { invalidParam, limitExceeded, methodNotFound, RpcError, RpcErrorCode, serverError } from '../errors.js';
import type { Json } from '../format.js';
import { describe, parseAddress, parseCallParams, parseData, parseSlot, quantity } from '../params.js';
import { revertError } from '../revert.js';
import { method, type MethodContext, type MethodSpec } from './context.js';

/** Storage keys in one eth_getProof request (geth bounds it at 1024). */
export const MAX_PROOF_KEYS = 1024;
/** Raw transaction size the server forwards; the mempool applies the real limit (geth: 128 KiB). */
export const MAX_RAW_TRANSACTION_BYTES = 1024 * 1024;
/**
 * Return or revert data eth_call / eth_estimateGas hand back (geth has no cap). 4 MiB is 8 MiB
 * of hex, so a few fit a batch's MAX_BATCH_RESPONSE_BYTES; more is refused with -32005.
 */
export const MAX_RETURN_DATA_BYTES = 4 * 1024 * 1024;

const dataBytes = (hex: string) => (hex.length - 2) / 2;

/** The block a state method names: position `index` of the params, EIP-1898 objects allowed. */
function stateBlock(ctx: MethodContext, params: readonly unknown[], index: number): bigint {
  return stateBlockNumber(ctx.backend, parseBlockSelector(params[index], index, true));
}

/** A call or estimate outcome as eth_call / eth_estimateGas answer it: the value, or the revert (code 3) or EVM error (-32000). */
export function outcomeResult(outcome: ExecutionOutcome, asGas: boolean): Json {
  switch (outcome.kind) {
    case 'success':
      if (asGas) return quantity(outcome.gasUsed);
      if (dataBytes(outcome.returnData) > MAX_RETURN_DATA_BYTES) {
        throw limitExceeded(`return data too large: ${dataBytes(outcome.returnData)} bytes, limit ${MAX_RETURN_DATA_BYTES}`);
      }
      return outcome.returnData;
    case 'revert':
      if (dataBytes(outcome.returnData) > MAX_RETURN_DATA_BYTES) {
        throw new RpcError(RpcErrorCode.executionReverted,
          `execution reverted: revert data too large to return (${dataBytes(outcome.returnData)} bytes, limit ${MAX_RETURN_DATA_BYTES})`);
      }
      throw revertError(outcome.returnData);
    case 'error':
      throw serverError(outcome.error);
  }
}

function formatProof(proof: AccountProof): Json {
  return {
    address: proof.address,
    accountProof: [...proof.accountProof],
    balance: quantity(proof.balance),
    codeHash: proof.codeHash,
    nonce: quantity(proof.nonce),
    storageHash: proof.storageHash,
    storageProof: proof.storageProof.map((s) => ({ key: s.key, value: quantity(s.value), proof: [...s.proof] })),
  };
}

export const stateMethods: Record<string, MethodSpec> = {
  eth_getBalance: method(1, 2, async (p, ctx) => {
    const address = parseAddress(p[0], 0);
    return quantity((await ctx.backend.getAccount(address, stateBlock(ctx, p, 1))).balance);
  }),
  eth_getTransactionCount: method(1, 2, async (p, ctx) => {
    const address = parseAddress(p[0], 0);
    // 'pending' counts the sender's transactions waiting in the mempool, as geth does.
    if (p[1] === 'pending') return quantity(await ctx.backend.pendingNonce(address));
    return quantity((await ctx.backend.getAccount(address, stateBlock(ctx, p, 1))).nonce);
  }),
  eth_getCode: method(1, 2, async (p, ctx) => ctx.backend.getCode(parseAddress(p[0], 0), stateBlock(ctx, p, 1))),
  eth_getStorageAt: method(2, 3, async (p, ctx) =>
    ctx.backend.getStorageAt(parseAddress(p[0], 0), parseSlot(p[1], 1), stateBlock(ctx, p, 2))),
  eth_getProof: method(2, 3, async (p, ctx) => {
    if (ctx.backend.getProof === undefined) throw methodNotFound('eth_getProof');
    const address = parseAddress(p[0], 0);
    if (!Array.isArray(p[1])) throw invalidParam(1, `storage keys must be an array, got ${describe(p[1])}`);
    if (p[1].length > MAX_PROOF_KEYS) throw invalidParam(1, `at most ${MAX_PROOF_KEYS} storage keys`);
    const slots = p[1].map((s) => parseSlot(s, 1));
    return formatProof(await ctx.backend.getProof(address, slots, stateBlock(ctx, p, 2)));
  }),

  // geth: eth_call(call, block, stateOverrides, blockOverrides); eth_estimateGas takes the same.
  eth_call: method(1, 4, async (p, ctx) => {
    const call = parseCallParams(p[0], 0);
    const overrides = parseCallOverrides(p[2], p[3]);
    return outcomeResult(await ctx.backend.call(call, stateBlock(ctx, p, 1), overrides), false);
  }),
  eth_estimateGas: method(1, 4, async (p, ctx) => {
    const call = parseCallParams(p[0], 0);
    const overrides = parseCallOverrides(p[2], p[3]);
    return outcomeResult(await ctx.backend.estimateGas(call, stateBlock(ctx, p, 1), overrides), true);
  }),

  eth_createAccessList: method(1, 3, async (p, ctx) => {
    if (ctx.backend.createAccessList === undefined) throw methodNotFound('eth_createAccessList');
    const call = parseCallParams(p[0], 0);
    const overrides = parseCallOverrides(p[2], undefined);
    const found = await ctx.backend.createAccessList(call, stateBlock(ctx, p, 1), overrides);
    const result: Record<string, Json> = {
      accessList: found.accessList.map((item) => ({ address: item.address, storageKeys: [...item.storageKeys] })),
      gasUsed: quantity(found.gasUsed),
    };
    if (found.error !== undefined) result.error = found.error;
    return result;
  }),

  eth_sendRawTransaction: method(1, 1, (p, ctx) => {
    const raw = p[0];
    if (typeof raw === 'string' && raw.length > 2 + 2 * MAX_RAW_TRANSACTION_BYTES) {
      throw invalidParam(0, `transaction larger than ${MAX_RAW_TRANSACTION_BYTES} bytes`);
    }
    const data = parseData(raw, 0, 'signed transaction');
    if (data.length <= 2) throw invalidParam(0, 'empty transaction: pass the signed transaction bytes');
    return ctx.backend.sendRawTransaction(data);
  }),

};
