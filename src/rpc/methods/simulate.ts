// eth_simulateV1 as geth defines it (internal/ethapi/simulate.go): the request is parsed and
// bounded here, run by the node in the query pool, and each simulated block is answered as geth
// does: the block's header fields, its transactions (hashes, or objects with
// returnFullTransactions) and `calls`: [{status, returnData, gasUsed, logs, error?}].
import type { SimulateBlockRequest, SimulatedBlock, SimulatedTransaction } from '../backend.js';
import { parseBlockSelector, stateBlockNumber } from '../block-tags.js';
import { invalidParam, methodNotFound, RpcError } from '../errors.js';
import { formatBlock, formatLog, type Json, type JsonObject } from '../format.js';
import { parseBlockOverrides, parseStateOverrides } from '../overrides.js';
import { describe, parseBool, parseCallParams, parseObject, quantity } from '../params.js';
import { method, type MethodSpec } from './context.js';

/** Simulated blocks one request may ask for (geth's maxSimulateBlocks). */
export const MAX_SIMULATE_BLOCKS = 256;
/** geth's code for a request past a client limit (too many blocks). */
const CLIENT_LIMIT_EXCEEDED = -38026;

const present = (v: unknown) => v !== undefined && v !== null;
const REQUEST_FIELDS = ['blockStateCalls', 'validation', 'traceTransfers', 'returnFullTransactions'];
const BLOCK_FIELDS = ['blockOverrides', 'stateOverrides', 'calls'];

function parseBlockStateCall(value: unknown): SimulateBlockRequest {
  const o = parseObject(value, 0, 'blockStateCalls entry');
  for (const key of Object.keys(o)) if (!BLOCK_FIELDS.includes(key)) throw invalidParam(0, `blockStateCalls entry has no field ${describe(key)}: use ${BLOCK_FIELDS.join(', ')}`);
  const calls = o.calls ?? [];
  if (!Array.isArray(calls)) throw invalidParam(0, `calls must be an array, got ${describe(calls)}`);
  const blockOverrides = parseBlockOverrides(o.blockOverrides, 0);
  const stateOverrides = parseStateOverrides(o.stateOverrides, 0);
  return {
    ...(blockOverrides === undefined ? {} : { blockOverrides }),
    ...(stateOverrides === undefined ? {} : { stateOverrides }),
    calls: calls.map((c) => parseCallParams(c, 0)),
  };
}

function formatTransaction(tx: SimulatedTransaction, block: SimulatedBlock, index: number, chainId: bigint): JsonObject {
  return {
    blockHash: block.block.hash,
    blockNumber: quantity(block.block.number),
    from: tx.from,
    gas: quantity(tx.gas),
    gasPrice: quantity(tx.gasPrice),
    maxFeePerGas: quantity(tx.maxFeePerGas),
    maxPriorityFeePerGas: quantity(tx.maxPriorityFeePerGas),
    hash: tx.hash,
    input: tx.input,
    nonce: quantity(tx.nonce),
    to: tx.to,
    transactionIndex: quantity(index),
    value: quantity(tx.value),
    type: '0x2',
    accessList: [],
    chainId: quantity(chainId),
    v: '0x0',
    r: '0x0',
    s: '0x0',
    yParity: '0x0',
  };
}

function formatSimulatedBlock(block: SimulatedBlock, full: boolean, chainId: bigint): Json {
  const transactions = full ? block.transactions.map((tx, i) => formatTransaction(tx, block, i, chainId)) : block.transactions.map((tx) => tx.hash);
  const { totalDifficulty: _drop, ...out } = formatBlock(block.block, transactions);
  return {
    ...out,
    calls: block.calls.map((call) => {
      const result: JsonObject = {
        returnData: call.returnData,
        logs: call.logs.map((log) => formatLog(log, block.block.timestamp)),
        gasUsed: quantity(call.gasUsed),
        status: quantity(call.status),
      };
      if (call.error !== undefined) result.error = { message: call.error.message, code: call.error.code, ...(call.error.data === undefined ? {} : { data: call.error.data }) };
      return result;
    }),
  };
}

export const simulateMethods: Record<string, MethodSpec> = {
  eth_simulateV1: method(1, 2, async (p, ctx) => {
    const o = parseObject(p[0], 0, 'simulation request');
    for (const key of Object.keys(o)) if (!REQUEST_FIELDS.includes(key)) throw invalidParam(0, `simulation request has no field ${describe(key)}: use ${REQUEST_FIELDS.join(', ')}`);
    if (!Array.isArray(o.blockStateCalls)) throw invalidParam(0, `blockStateCalls must be an array, got ${describe(o.blockStateCalls)}`);
    // geth: an empty list is invalid params ("empty input"), too many a client limit.
    if (o.blockStateCalls.length === 0) throw invalidParam(0, 'empty input: blockStateCalls needs at least one block');
    if (o.blockStateCalls.length > MAX_SIMULATE_BLOCKS) throw new RpcError(CLIENT_LIMIT_EXCEEDED, 'too many blocks');
    const traceTransfers = present(o.traceTransfers) && parseBool(o.traceTransfers, 0, 'traceTransfers');
    if (traceTransfers) throw invalidParam(0, 'traceTransfers is not supported by this node: leave it false (ERC-7528 transfer logs are not emitted)');
    const request = {
      blockStateCalls: o.blockStateCalls.map(parseBlockStateCall),
      validation: present(o.validation) && parseBool(o.validation, 0, 'validation'),
      traceTransfers,
    };
    const full = present(o.returnFullTransactions) && parseBool(o.returnFullTransactions, 0, 'returnFullTransactions');
    const block = stateBlockNumber(ctx.backend, parseBlockSelector(p[1] ?? 'latest', 1, true));
    if (ctx.backend.simulate === undefined) throw methodNotFound('eth_simulateV1');
    const blocks = await ctx.backend.simulate(request, block);
    return blocks.map((b) => formatSimulatedBlock(b, full, ctx.backend.chainId));
  }),
};
