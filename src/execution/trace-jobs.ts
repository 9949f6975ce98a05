// debug_traceCall and debug_traceBlockByNumber/ByHash: a call traced on a query's scratch state
// (with its overrides), and every transaction of a block traced on its parent's state, the
// whole block within one MAX_TRACE_BYTES budget.
import type { Common } from '@ethereumjs/common';
import type { ChainStore } from '../chain/store.js';
import type { BlockRecord, Hex } from '../chain/types.js';
import { ExecutionError } from './errors.js';
import { MAX_TRACE_BYTES } from './limits.js';
import type { CallOverrides } from './overrides.js';
import { callTransaction, fundsError, queryContext, queryGas, senderOf, type CallParams } from './queries.js';
import { replayBlock, runTraced, type Tracer } from './trace.js';
import { createTracer, type TraceOptions } from './tracers.js';

/** geth's debug_traceBlock answer for one transaction. */
export type BlockTraceEntry = { readonly txHash: Hex; readonly result: unknown } | { readonly txHash: Hex; readonly error: string };

/** debug_traceCall: the call as eth_call runs it (gas cap, funds check, overrides), traced. */
export async function traceCallAt(store: ChainStore, common: Common, at: BlockRecord, params: CallParams, gasCap: bigint, options: TraceOptions, overrides?: CallOverrides, maxBytes = MAX_TRACE_BYTES): Promise<unknown> {
  const { vm, block } = await queryContext(store, common, at, params, overrides);
  const gasLimit = queryGas(params, block.header, gasCap);
  const unfunded = await fundsError(vm, params, gasLimit);
  if (unfunded !== undefined) throw new ExecutionError('EXECUTION_FAILED', `err: ${unfunded} (supplied gas ${gasLimit})`);
  const from = senderOf(params);
  const tx = callTransaction(params, from, gasLimit, common);
  try {
    const { result } = await runTraced(vm, tx, from, block, createTracer(options, maxBytes), { skipNonce: true, skipBalance: true });
    return result;
  } catch (error) {
    if (error instanceof ExecutionError) throw error;
    throw new ExecutionError('EXECUTION_FAILED', (error as Error).message.split(' (vm ')[0]!);
  }
}

/** Every transaction of `block` replayed on `parent`'s state with the tracer `options` name. */
export async function traceBlockAt(store: ChainStore, common: Common, parent: BlockRecord, block: BlockRecord, options: TraceOptions, maxBytes = MAX_TRACE_BYTES): Promise<BlockTraceEntry[]> {
  let spent = 0;
  let current: Tracer<unknown> | undefined;
  const outcomes = await replayBlock(store, common, parent, block, block.transactions.length - 1, () => {
    if (current !== undefined) spent += current.bytesUsed;
    current = createTracer(options, maxBytes - spent);
    return current;
  });
  return outcomes.map((o) => ('error' in o ? { txHash: o.hash, error: o.error } : { txHash: o.hash, result: o.result }));
}
