// The EVM work a client can ask for (eth_call, eth_estimateGas, eth_createAccessList,
// debug_traceTransaction) as plain data: a job names the committed block(s) it runs on, so it can
// run on any thread that can read the chain store. The engine resolves blocks and runs jobs in
// its own thread (tests, the simulator); the node runs them in a pool of worker threads
// (src/query/), which is why jobs, results and errors are structured-clone safe.
import type { Common } from '@ethereumjs/common';
import type { ChainStore } from '../chain/store.js';
import type { BlockRecord, Hex } from '../chain/types.js';
import { CallTracer, type CallFrame } from './call-tracer.js';
import { EstimateGasError, ExecutionError, type ExecutionErrorCode } from './errors.js';
import { callAt, createAccessListAt, estimateGasAt, type AccessListResult, type CallParams, type CallResult } from './queries.js';
import { replayTransaction, traceAt, type TransactionTrace } from './trace.js';
import type { TraceOptions } from './engine.js';

/** Where a transaction is replayed for a trace: its block, the parent's state, its index. */
export interface TraceTarget {
  readonly parent: BlockRecord;
  readonly block: BlockRecord;
  readonly index: number;
}

export type QueryJob =
  | { readonly kind: 'call'; readonly at: BlockRecord; readonly params: CallParams; readonly gasCap: bigint }
  | { readonly kind: 'estimateGas'; readonly at: BlockRecord; readonly params: CallParams; readonly gasCap: bigint }
  | { readonly kind: 'createAccessList'; readonly at: BlockRecord; readonly params: CallParams; readonly gasCap: bigint }
  | { readonly kind: 'trace'; readonly target: TraceTarget; readonly options: TraceOptions };

export interface QueryResults {
  readonly call: CallResult;
  readonly estimateGas: bigint;
  readonly createAccessList: AccessListResult;
  readonly trace: TransactionTrace | CallFrame;
}

export type QueryResult = QueryResults[keyof QueryResults];

/** Runs one job on `store` (read only: every view has its own scratch node database). */
export function runQuery(store: ChainStore, common: Common, job: QueryJob): Promise<QueryResult> {
  switch (job.kind) {
    case 'call':
      return callAt(store, common, job.at, job.params, job.gasCap);
    case 'estimateGas':
      return estimateGasAt(store, common, job.at, job.params, job.gasCap);
    case 'createAccessList':
      return createAccessListAt(store, common, job.at, job.params, job.gasCap);
    case 'trace': {
      const { parent, block, index } = job.target;
      if (job.options.tracer === 'callTracer') return replayTransaction(store, common, parent, block, index, new CallTracer(job.options.tracerConfig));
      return traceAt(store, common, parent, block, index, job.options);
    }
  }
}

/** An error as it crosses a thread boundary: the typed ones keep their type, others their message. */
export type SerializedQueryError =
  | { readonly type: 'estimate'; readonly message: string; readonly revertData: Hex; readonly reverted: boolean }
  | { readonly type: 'execution'; readonly code: ExecutionErrorCode; readonly message: string }
  | { readonly type: 'other'; readonly message: string };

export function serializeQueryError(error: unknown): SerializedQueryError {
  if (error instanceof EstimateGasError) return { type: 'estimate', message: error.message, revertData: error.revertData, reverted: error.code === 'EXECUTION_REVERTED' };
  if (error instanceof ExecutionError) return { type: 'execution', code: error.code, message: error.message };
  return { type: 'other', message: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
}

export function deserializeQueryError(error: SerializedQueryError): Error {
  switch (error.type) {
    case 'estimate':
      return new EstimateGasError(error.message, error.revertData, error.reverted);
    case 'execution':
      return new ExecutionError(error.code, error.message);
    case 'other':
      return new Error(error.message);
  }
}
