// The query pool: EVM work for clients (eth_call, eth_estimateGas, eth_createAccessList,
// debug_traceTransaction) runs in worker threads over a read-only view of the committed chain, so
// no request can hold the thread that runs consensus, networking and block execution. A job waits
// for a free worker at most MAX_QUERY_QUEUE_WAIT_MS (then -32005); once a worker takes it, it has
// a deadline (geth's --rpc.evmtimeout), past which its worker is terminated and replaced. The
// deadline counts the worker thread's own CPU time where it can be read (thread-cpu.ts): a worker
// below the node's priority that waits for a core on a loaded machine is not charged for the wait,
// up to MAX_QUERY_STARVED_MS of wall time past the timeout.
// Decision: docs/decisions/0019-rpc-query-workers.md.
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { deserializeQueryError, type QueryJob, type QueryResult } from '../execution/query-jobs.js';
import { QueryAbortedError, QueryQueueFullError, QueryQueueWaitError, QueryTimeoutError } from './errors.js';
import {
  DEFAULT_EVM_TIMEOUT_MS, DEFAULT_QUERY_WORKERS, MAX_QUERY_QUEUE_WAIT_MS, MAX_QUERY_STARVED_MS, MAX_QUEUED_QUERIES, QUERY_DEADLINE_SLACK_MS, WORKER_MAX_HEAP_MB,
  WORKER_NICE, WORKER_START_TIMEOUT_MS,
} from './limits.js';
import type { JobMessage, WorkerMessage, WorkerSetup } from './protocol.js';
import { readThreadCpuMs } from './thread-cpu.js';

/** From source the worker boots through tsx (worker-boot.mjs); from dist/ the compiled worker runs as it is. */
const WORKER_URL = new URL(import.meta.url.endsWith('.ts') ? './worker-boot.mjs' : './worker.js', import.meta.url);
/** Wait before starting a worker again after one failed to start (a broken install, a full disk). */
const RESTART_BACKOFF_MS = 1_000;

export interface QueryPoolOptions {
  /** The node's data directory (its chain store), opened by each worker to read. */
  readonly dataDir: string;
  readonly chainId: bigint;
  readonly workers?: number;
  /** Per-query bound in ms of the worker's CPU time (wall time where that cannot be read); 0: none. */
  readonly timeoutMs?: number;
  /** Wall time in ms a query may take past `timeoutMs` while its worker waits for a core (MAX_QUERY_STARVED_MS). */
  readonly maxStarvedMs?: number;
  /** The worker's module; tests put a stand-in there (default: worker.ts). */
  readonly workerUrl?: URL;
  readonly maxQueued?: number;
  /** How long a query may wait for a free worker, in ms (MAX_QUERY_QUEUE_WAIT_MS). */
  readonly maxQueueWaitMs?: number;
  readonly logger?: Logger;
}

export interface QueryPoolStats {
  readonly workers: number;
  readonly ready: number;
  readonly busy: number;
  readonly queued: number;
  readonly completed: number;
  readonly timedOut: number;
  readonly workerRestarts: number;
}

interface Pending {
  readonly id: number;
  readonly job: QueryJob;
  readonly resolve: (result: QueryResult) => void;
  readonly reject: (error: Error) => void;
  timer: NodeJS.Timeout | undefined;
  slot: Slot | undefined;
  settled: boolean;
  /** When a worker took it (performance.now()), and that worker's CPU time then, if readable. */
  startedAtMs: number;
  cpuAtStartMs: number | undefined;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  job: Pending | undefined;
  startTimer: NodeJS.Timeout | undefined;
  /** Where the worker thread's CPU time is read, from its ready message. */
  cpuClock: string | undefined;
}

export class QueryPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;
  private completed = 0;
  private timedOut = 0;
  private workerRestarts = 0;
  private readonly timeoutMs: number;
  private readonly maxStarvedMs: number;
  private readonly maxQueueWaitMs: number;
  private readonly maxQueued: number;
  private readonly setup: WorkerSetup;

  constructor(private readonly options: QueryPoolOptions) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_EVM_TIMEOUT_MS;
    this.maxStarvedMs = options.maxStarvedMs ?? MAX_QUERY_STARVED_MS;
    this.maxQueueWaitMs = options.maxQueueWaitMs ?? MAX_QUERY_QUEUE_WAIT_MS;
    this.maxQueued = options.maxQueued ?? MAX_QUEUED_QUERIES;
    this.setup = { dataDir: options.dataDir, chainId: options.chainId, nice: WORKER_NICE };
    const workers = options.workers ?? DEFAULT_QUERY_WORKERS;
    if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`query workers must be a positive integer, got ${workers}`);
    if (!Number.isFinite(this.maxQueueWaitMs) || this.maxQueueWaitMs <= 0) throw new RangeError(`query queue wait must be > 0 ms, got ${this.maxQueueWaitMs}`);
    if (!Number.isFinite(this.timeoutMs) || this.timeoutMs < 0) throw new RangeError(`query timeout must be >= 0 ms, got ${this.timeoutMs}`);
    if (!Number.isFinite(this.maxStarvedMs) || this.maxStarvedMs < 0) throw new RangeError(`query starvation allowance must be >= 0 ms, got ${this.maxStarvedMs}`);
    for (let i = 0; i < workers; i++) this.slots.push(this.spawn());
  }

  /** Runs `job` on a worker; rejects with QueryTimeoutError past the deadline, QueryQueueFullError when saturated. */
  run(job: QueryJob): Promise<QueryResult> {
    if (this.closed) return Promise.reject(new QueryAbortedError('the node is stopping: query not run'));
    if (this.queue.length >= this.maxQueued) return Promise.reject(new QueryQueueFullError(this.queue.length));
    return new Promise<QueryResult>((resolve, reject) => {
      const pending: Pending = { id: this.nextId++, job, resolve, reject, timer: undefined, slot: undefined, settled: false, startedAtMs: 0, cpuAtStartMs: undefined };
      pending.timer = setTimeout(() => this.expireQueued(pending), this.maxQueueWaitMs);
      this.queue.push(pending);
      this.pump();
    });
  }

  /** Resolves once every worker has started (or failed to); the pool works before that, queueing. */
  async whenReady(): Promise<void> {
    while (!this.closed && this.slots.some((slot) => !slot.ready)) await new Promise((resolve) => setTimeout(resolve, 20));
  }

  stats(): QueryPoolStats {
    return {
      workers: this.slots.length,
      ready: this.slots.filter((s) => s.ready).length,
      busy: this.slots.filter((s) => s.job !== undefined).length,
      queued: this.queue.length,
      completed: this.completed,
      timedOut: this.timedOut,
      workerRestarts: this.workerRestarts,
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const aborted = new QueryAbortedError('the node is stopping: query not finished');
    for (const pending of this.queue.splice(0)) this.settle(pending, aborted);
    await Promise.all(
      this.slots.map(async (slot) => {
        if (slot.job !== undefined) this.settle(slot.job, aborted);
        clearTimeout(slot.startTimer);
        await slot.worker.terminate();
      }),
    );
  }

  private spawn(): Slot {
    const worker = new Worker(this.options.workerUrl ?? WORKER_URL, { workerData: this.setup, resourceLimits: { maxOldGenerationSizeMb: WORKER_MAX_HEAP_MB }, stdout: false, stderr: false });
    worker.unref();
    const slot: Slot = { worker, ready: false, job: undefined, startTimer: undefined, cpuClock: undefined };
    slot.startTimer = setTimeout(() => this.replace(slot, `did not start within ${WORKER_START_TIMEOUT_MS} ms`), WORKER_START_TIMEOUT_MS);
    slot.startTimer.unref();
    worker.on('message', (message: WorkerMessage) => this.onMessage(slot, message));
    worker.on('error', (error) => this.replace(slot, error.message));
    worker.on('exit', (code) => this.replace(slot, `exited with code ${code}`));
    return slot;
  }

  private onMessage(slot: Slot, message: WorkerMessage): void {
    if (this.slots.indexOf(slot) < 0) return; // a replaced worker's last words
    switch (message.type) {
      case 'ready':
        clearTimeout(slot.startTimer);
        slot.ready = true;
        slot.cpuClock = typeof message.cpuClock === 'string' ? message.cpuClock : undefined;
        this.pump();
        return;
      case 'failed-to-start':
        this.options.logger?.error({ reason: message.message }, 'query worker could not open the chain store');
        this.replace(slot, message.message, RESTART_BACKOFF_MS);
        return;
      case 'done':
      case 'error': {
        const pending = slot.job;
        if (pending === undefined || pending.id !== message.id) return;
        slot.job = undefined;
        this.completed++;
        if (message.type === 'done') this.settle(pending, undefined, message.result);
        else this.settle(pending, deserializeQueryError(message.error));
        this.pump();
      }
    }
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (!slot.ready || slot.job !== undefined) continue;
      const pending = this.queue.shift()!;
      pending.slot = slot;
      slot.job = pending;
      clearTimeout(pending.timer);
      pending.startedAtMs = performance.now();
      pending.cpuAtStartMs = slot.cpuClock === undefined ? undefined : readThreadCpuMs(slot.cpuClock);
      // The worker's CPU time cannot outrun wall time: the first look is due at the timeout.
      pending.timer = this.timeoutMs > 0 ? setTimeout(() => this.checkDeadline(pending), this.timeoutMs) : undefined;
      const message: JobMessage = { id: pending.id, job: pending.job };
      slot.worker.postMessage(message);
    }
  }

  private expireQueued(pending: Pending): void {
    pending.timer = undefined;
    const queued = this.queue.indexOf(pending);
    if (queued < 0) return;
    this.queue.splice(queued, 1);
    this.settle(pending, new QueryQueueWaitError(this.queue.length, this.maxQueueWaitMs));
  }

  /**
   * Ends the query if its worker has run it for its timeout in CPU time (or in wall time, where
   * that clock is missing), or if it has taken MAX_QUERY_STARVED_MS of wall time past it; else
   * looks again once the CPU time left could have been used.
   */
  private checkDeadline(pending: Pending): void {
    pending.timer = undefined;
    const slot = pending.slot;
    if (pending.settled || slot === undefined || slot.job !== pending) return;
    const cpuNowMs = slot.cpuClock === undefined ? undefined : readThreadCpuMs(slot.cpuClock);
    if (cpuNowMs !== undefined && pending.cpuAtStartMs !== undefined) {
      const cpuLeftMs = this.timeoutMs - (cpuNowMs - pending.cpuAtStartMs);
      const wallLeftMs = this.timeoutMs + this.maxStarvedMs - (performance.now() - pending.startedAtMs);
      if (cpuLeftMs > QUERY_DEADLINE_SLACK_MS && wallLeftMs > QUERY_DEADLINE_SLACK_MS) {
        pending.timer = setTimeout(() => this.checkDeadline(pending), Math.min(cpuLeftMs, wallLeftMs));
        return;
      }
    }
    this.expire(pending);
  }

  private expire(pending: Pending): void {
    pending.timer = undefined;
    this.timedOut++;
    const queued = this.queue.indexOf(pending);
    if (queued >= 0) this.queue.splice(queued, 1);
    const slot = pending.slot;
    this.settle(pending, new QueryTimeoutError(this.timeoutMs));
    // The EVM cannot be interrupted from outside: the worker goes, a fresh one takes its place.
    if (slot !== undefined && slot.job === pending) {
      slot.job = undefined;
      this.replace(slot, 'query timed out');
    }
  }

  /** Retires `slot`'s worker (terminating it), fails its job, and starts a new worker in its place. */
  private replace(slot: Slot, reason: string, delayMs = 0): void {
    const index = this.slots.indexOf(slot);
    if (index < 0 || this.closed) return;
    clearTimeout(slot.startTimer);
    if (slot.job !== undefined) {
      this.settle(slot.job, new QueryAbortedError(`query stopped: its worker ${reason}`));
      slot.job = undefined;
    }
    slot.worker.removeAllListeners('exit');
    slot.worker.on('exit', () => undefined);
    slot.worker.on('error', () => undefined);
    slot.worker.terminate().catch(() => undefined);
    this.workerRestarts++;
    if (reason !== 'query timed out') this.options.logger?.warn({ reason }, 'query worker replaced');
    // A worker that never got ready (it cannot load or open the store) is retried after a pause.
    if (!slot.ready) delayMs = Math.max(delayMs, RESTART_BACKOFF_MS);
    const placeholder: Slot = { worker: slot.worker, ready: false, job: undefined, startTimer: undefined, cpuClock: undefined };
    this.slots[index] = placeholder;
    const start = (): void => {
      if (this.closed || this.slots[index] !== placeholder) return;
      this.slots[index] = this.spawn();
      this.pump();
    };
    if (delayMs > 0) {
      placeholder.startTimer = setTimeout(start, delayMs);
      placeholder.startTimer.unref();
    } else start();
  }

  private settle(pending: Pending, error: Error | undefined, result?: QueryResult): void {
    if (pending.settled) return;
    pending.settled = true;
    if (pending.timer !== undefined) clearTimeout(pending.timer);
    pending.timer = undefined;
    if (error !== undefined) pending.reject(error);
    else pending.resolve(result!);
  }
}
