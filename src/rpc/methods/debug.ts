// The debug namespace's traces: debug_traceTransaction, debug_traceCall,
// debug_traceBlockByNumber and debug_traceBlockByHash, with geth's TraceConfig (the struct
// logger's flags, or a named tracer and its tracerConfig; traceCall also stateOverrides and
// blockOverrides).
import type { BlockRecord } from '../../chain/types.js';
import { parseBlockSelector, selectBlockNumber, stateBlockNumber } from '../block-tags.js';
import { invalidParam, methodNotFound, serverError } from '../errors.js';
import type { Json } from '../format.js';
import { parseCallOverrides } from '../overrides.js';
import { describe, parseBool, parseCallParams, parseHash, parseObject } from '../params.js';
import { method, type MethodContext, type MethodSpec } from './context.js';

const STRUCT_LOGGER_FLAGS = ['enableMemory', 'disableStack', 'disableStorage', 'enableReturnData'] as const;
const TRACERS = ['callTracer', 'prestateTracer', '4byteTracer', 'noopTracer'] as const;
const SUPPORTED_TRACERS = `omit "tracer" for the default struct logger, or use one of ${TRACERS.join(', ')}`;

const present = (v: unknown) => v !== undefined && v !== null;

function flags(config: Record<string, unknown>, names: readonly string[], index: number): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  for (const name of names) if (present(config[name])) out[name] = parseBool(config[name], index, `tracerConfig.${name}`);
  return out;
}

/** A tracer's tracerConfig: callTracer's onlyTopCall (withLog refused), prestateTracer's three flags. */
function parseTracerConfig(tracer: string, value: unknown, index: number): Record<string, boolean> {
  if (!present(value)) return {};
  const config = parseObject(value, index, 'tracerConfig');
  if (tracer === 'callTracer') {
    if (present(config.withLog) && parseBool(config.withLog, index, 'withLog')) {
      throw invalidParam(index, 'tracerConfig.withLog is not supported by this node: read the logs from the receipt');
    }
    return flags(config, ['onlyTopCall'], index);
  }
  if (tracer === 'prestateTracer') return flags(config, ['diffMode', 'disableCode', 'disableStorage'], index);
  return {};
}

/**
 * geth's TraceConfig: the struct logger's flags and `limit`, or `tracer` with its
 * `tracerConfig`; `timeout` is accepted and unused (the EVM timeout and MAX_TRACE_STEPS bound
 * the work). JavaScript tracers are refused rather than answered with a trace nobody asked for.
 */
export function parseTraceOptions(value: unknown, index: number): Record<string, unknown> {
  if (!present(value)) return {};
  // Other fields are ignored, as geth's JSON decoding does: tools still send old ones (disableMemory).
  const o = parseObject(value, index, 'tracer options');
  if (present(o.tracer) && o.tracer !== '') {
    if (typeof o.tracer !== 'string' || !(TRACERS as readonly string[]).includes(o.tracer)) {
      throw invalidParam(index, `tracer ${describe(o.tracer)} is not supported by this node: ${SUPPORTED_TRACERS}`);
    }
    return { tracer: o.tracer, tracerConfig: parseTracerConfig(o.tracer, o.tracerConfig, index) };
  }
  const options: Record<string, boolean | number> = {};
  for (const flag of STRUCT_LOGGER_FLAGS) {
    if (present(o[flag])) options[flag] = parseBool(o[flag], index, flag);
  }
  if (present(o.limit)) {
    if (typeof o.limit !== 'number' || !Number.isSafeInteger(o.limit) || o.limit < 0) throw invalidParam(index, `limit must be a non-negative integer, got ${describe(o.limit)}`);
    options.limit = o.limit;
  }
  return options;
}

function traceBlock(ctx: MethodContext, block: BlockRecord | undefined, what: string, options: unknown): Promise<Json> {
  if (ctx.backend.traceBlock === undefined) throw methodNotFound('debug_traceBlockByNumber');
  // geth: "block #N not found" / "block 0x… not found"; the genesis block has no parent to replay on.
  if (block === undefined) throw serverError(`block ${what} not found`);
  if (block.number === 0n) throw serverError('genesis is not traceable');
  return ctx.backend.traceBlock(block.number, parseTraceOptions(options, 1)) as Promise<Json>;
}

export const debugMethods: Record<string, MethodSpec> = {
  debug_traceTransaction: method(1, 2, async (p, ctx) => {
    if (ctx.backend.traceTransaction === undefined) throw methodNotFound('debug_traceTransaction');
    const hash = parseHash(p[0], 0, 'transaction hash');
    return (await ctx.backend.traceTransaction(hash, parseTraceOptions(p[1], 1))) as Json;
  }),

  debug_traceCall: method(1, 3, async (p, ctx) => {
    if (ctx.backend.traceCall === undefined) throw methodNotFound('debug_traceCall');
    const call = parseCallParams(p[0], 0);
    const config = present(p[2]) ? parseObject(p[2], 2, 'tracer options') : {};
    const options = parseTraceOptions(p[2], 2);
    const overrides = parseCallOverrides(config.stateOverrides, config.blockOverrides, 2, 2);
    const block = stateBlockNumber(ctx.backend, parseBlockSelector(p[1] ?? 'latest', 1, true));
    return (await ctx.backend.traceCall(call, block, options, overrides)) as Json;
  }),

  debug_traceBlockByNumber: method(1, 2, (p, ctx) => {
    const selector = parseBlockSelector(p[0], 0, false);
    const number = selectBlockNumber(ctx.backend, selector);
    const block = number === undefined ? undefined : ctx.backend.getBlockByNumber(number);
    return traceBlock(ctx, block, number === undefined ? describe(p[0]) : `#${number}`, p[1]);
  }),

  debug_traceBlockByHash: method(1, 2, (p, ctx) => {
    const hash = parseHash(p[0], 0, 'block hash');
    return traceBlock(ctx, ctx.backend.getBlockByHash(hash), hash, p[1]);
  }),
};
