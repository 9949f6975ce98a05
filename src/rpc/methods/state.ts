// State reads at a block, calls and gas estimation, and transaction submission.
import type { AccountProof, ExecutionOutcome } from '../backend.js';
import { parseBlockSelector, stateBlockNumber } from '../block-tags.js';
import { invalidParam, limitExceeded, methodNotFound, RpcError, RpcErrorCode, serverError } from '../errors.js';
import type { Json } from '../format.js';
import { describe, parseAddress, parseBool, parseCallParams, parseData, parseHash, parseObject, parseSlot, quantity } from '../params.js';
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

function outcomeResult(outcome: ExecutionOutcome, asGas: boolean): Json {
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

function rejectOverrides(params: readonly unknown[], index: number): void {
  if (params[index] !== undefined && params[index] !== null) {
    throw invalidParam(index, 'state and block overrides are not supported by this node');
  }
}

const STRUCT_LOGGER_FLAGS = ['enableMemory', 'disableStack', 'disableStorage', 'enableReturnData'] as const;

const SUPPORTED_TRACERS = 'omit "tracer" for the default struct logger, or use "callTracer"';

/** callTracer's tracerConfig: onlyTopCall; withLog is refused rather than silently dropped. */
function parseCallTracerConfig(value: unknown): Record<string, boolean> {
  if (value === undefined || value === null) return {};
  const config = parseObject(value, 1, 'tracerConfig');
  if (config.withLog !== undefined && config.withLog !== null && parseBool(config.withLog, 1, 'withLog')) {
    throw invalidParam(1, 'tracerConfig.withLog is not supported by this node: read the logs from the receipt');
  }
  return config.onlyTopCall === undefined || config.onlyTopCall === null ? {} : { onlyTopCall: parseBool(config.onlyTopCall, 1, 'onlyTopCall') };
}

/**
 * geth's TraceConfig: the struct logger's flags and `limit`, or `tracer: "callTracer"` with its
 * `tracerConfig`; `timeout` is accepted and unused (MAX_TRACE_STEPS bounds the work). Other
 * tracers (prestateTracer, JS) are refused rather than answered with a trace nobody asked for.
 */
function parseTraceOptions(value: unknown): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  const o = parseObject(value, 1, 'tracer options');
  if (o.tracer === 'callTracer') return { tracer: 'callTracer', tracerConfig: parseCallTracerConfig(o.tracerConfig) };
  if (o.tracer !== undefined && o.tracer !== null && o.tracer !== '') {
    throw invalidParam(1, `tracer ${describe(o.tracer)} is not supported by this node: ${SUPPORTED_TRACERS}`);
  }
  const options: Record<string, boolean | number> = {};
  for (const flag of STRUCT_LOGGER_FLAGS) {
    if (o[flag] !== undefined && o[flag] !== null) options[flag] = parseBool(o[flag], 1, flag);
  }
  if (o.limit !== undefined && o.limit !== null) {
    if (typeof o.limit !== 'number' || !Number.isSafeInteger(o.limit) || o.limit < 0) throw invalidParam(1, `limit must be a non-negative integer, got ${describe(o.limit)}`);
    options.limit = o.limit;
  }
  return options;
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

  eth_call: method(1, 4, async (p, ctx) => {
    const call = parseCallParams(p[0], 0);
    rejectOverrides(p, 2);
    rejectOverrides(p, 3);
    return outcomeResult(await ctx.backend.call(call, stateBlock(ctx, p, 1)), false);
  }),
  eth_estimateGas: method(1, 3, async (p, ctx) => {
    const call = parseCallParams(p[0], 0);
    rejectOverrides(p, 2);
    return outcomeResult(await ctx.backend.estimateGas(call, stateBlock(ctx, p, 1)), true);
  }),

  eth_createAccessList: method(1, 2, async (p, ctx) => {
    if (ctx.backend.createAccessList === undefined) throw methodNotFound('eth_createAccessList');
    const call = parseCallParams(p[0], 0);
    const found = await ctx.backend.createAccessList(call, stateBlock(ctx, p, 1));
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

  debug_traceTransaction: method(1, 2, async (p, ctx) => {
    if (ctx.backend.traceTransaction === undefined) throw methodNotFound('debug_traceTransaction');
    const hash = parseHash(p[0], 0, 'transaction hash');
    return (await ctx.backend.traceTransaction(hash, parseTraceOptions(p[1]))) as Json;
  }),
};
