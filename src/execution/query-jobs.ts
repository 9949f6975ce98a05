// The EVM work a client can ask for (eth_call, eth_estimateGas, eth_createAccessList,
// debug_traceTransaction) as plain data: a job names the committed block(s) it runs on, so it can
// run on any thread that can read the chain store. The engine resolves blocks and runs jobs in
// its own thread (tests, the simulator); the node runs them in a pool of worker threads
// (src/query/), which is why jobs, results and errors are structured-clone safe.
import type { Common } from '@ethereumjs/common';
import type { ChainStore } from '../chain/store.js';
import type { BlockRecord, Hex } from '../chain/types.js';
import { EstimateGasError, ExecutionError, type ExecutionErrorCode } from './errors.js';
import type { CallOverrides } from './overrides.js';
import { callAt, createAccessListAt, estimateGasAt, type AccessListResult, type CallParams, type CallResult } from './queries.js';
import { SimulateError, simulateAt, type SimulatedBlock, type SimulateRequest } from './simulate.js';
import { replayTransaction } from './trace.js';
import { traceBlockAt, traceCallAt, type BlockTraceEntry } from './trace-jobs.js';
import { createTracer, type TraceOptions } from './tracers.js';

/** Where a transaction is replayed for a trace: its block, the parent's state, its index. */
export interface TraceTarget {
  readonly parent: BlockRecord;
  readonly block: BlockRecord;
  readonly index: number;
}

export type QueryJob =
  | { readonly kind: 'call'; readonly at: BlockRecord; readonly params: CallParams; readonly gasCap: bigint; readonly overrides?: CallOverrides }
  | { readonly kind: 'estimateGas'; readonly at: BlockRecord; readonly params: CallParams; readonly gasCap: bigint; readonly overrides?: CallOverrides }
  | { readonly kind: 'createAccessList'; readonly at: BlockRecord; readonly params: CallParams; readonly gasCap: bigint; readonly overrides?: CallOverrides }
  | { readonly kind: 'trace'; readonly target: TraceTarget; readonly options: TraceOptions }
  | { readonly kind: 'traceCall'; readonly at: BlockRecord; readonly params: CallParams; readonly gasCap: bigint; readonly options: TraceOptions; readonly overrides?: CallOverrides }
  | { readonly kind: 'traceBlock'; readonly parent: BlockRecord; readonly block: BlockRecord; readonly options: TraceOptions }
  | { readonly kind: 'simulate'; readonly at: BlockRecord; readonly request: SimulateRequest; readonly gasCap: bigint };

export interface QueryResults {
  readonly call: CallResult;
  readonly estimateGas: bigint;
  readonly createAccessList: AccessListResult;
  readonly trace: unknown;
  readonly traceBlock: BlockTraceEntry[];
  readonly simulate: SimulatedBlock[];
}

export type QueryResult = QueryResults[keyof QueryResults];

/** Runs one job on `store` (read only: every view has its own scratch node database). */
export function runQuery(store: ChainStore, common: Common, job: QueryJob): Promise<QueryResult> {
  switch (job.kind) {
    case 'call':
      return callAt(store, common, job.at, job.params, job.gasCap, job.overrides);
    case 'estimateGas':
      return estimateGasAt(store, common, job.at, job.params, job.gasCap, job.overrides);
    case 'createAccessList':
      return createAccessListAt(store, common, job.at, job.params, job.gasCap, job.overrides);
    case 'trace': {
      const { parent, block, index } = job.target;
      return replayTransaction(store, common, parent, block, index, createTracer(job.options));
    }
    case 'traceCall':
      return traceCallAt(store, common, job.at, job.params, job.gasCap, job.options, job.overrides);
    case 'traceBlock':
      return traceBlockAt(store, common, job.parent, job.block, job.options);
    case 'simulate':
      return simulateAt(store, common, job.at, job.request, job.gasCap);
  }
}

/** An error as it crosses a thread boundary: the typed ones keep their type, others their message. */
export type SerializedQueryError =
  | { readonly type: 'estimate'; readonly message: string; readonly revertData: Hex; readonly reverted: boolean }
  | { readonly type: 'execution'; readonly code: ExecutionErrorCode; readonly message: string }
  | { readonly type: 'simulate'; readonly rpcCode: number; readonly message: string }
  | { readonly type: 'other'; readonly message: string };

export function serializeQueryError(error: unknown): SerializedQueryError {
  if (error instanceof EstimateGasError) return { type: 'estimate', message: error.message, revertData: error.revertData, reverted: error.code === 'EXECUTION_REVERTED' };
  if (error instanceof SimulateError) return { type: 'simulate', rpcCode: error.rpcCode, message: error.message };
  if (error instanceof ExecutionError) return { type: 'execution', code: error.code, message: error.message };
  return { type: 'other', message: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
}

export function deserializeQueryError(error: SerializedQueryError): Error {
  switch (error.type) {
    case 'estimate':
      return new EstimateGasError(error.message, error.revertData, error.reverted);
    case 'execution':
      return new ExecutionError(error.code, error.message);
    case 'simulate':
      return new SimulateError(error.rpcCode, error.message);
    case 'other':
      return new Error(error.message);
  }
}
