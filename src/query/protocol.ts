// Messages between the node's thread and a query worker (structured-clone data only).
import type { QueryJob, QueryResult, SerializedQueryError } from '../execution/query-jobs.js';

/** What a worker is told when it starts (its workerData). */
export interface WorkerSetup {
  readonly dataDir: string;
  readonly chainId: bigint;
  readonly nice: number;
}

export interface JobMessage {
  readonly id: number;
  readonly job: QueryJob;
}

export type WorkerMessage =
  /** `cpuClock`: where the node reads the worker thread's CPU time (thread-cpu.ts), if it can. */
  | { readonly type: 'ready'; readonly cpuClock?: string }
  | { readonly type: 'failed-to-start'; readonly message: string }
  | { readonly type: 'done'; readonly id: number; readonly result: QueryResult }
  | { readonly type: 'error'; readonly id: number; readonly error: SerializedQueryError };
