// A query worker thread: opens the chain store to read, then runs the jobs the node sends, one at a
// time. It never writes: the store is opened read-only and every EVM view has its own scratch node
// database. The node terminates a worker whose job runs past its timeout (counted in this thread's CPU
// time, which it reads from the clock the worker names when ready) and starts another.
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { createChainCommon } from '../execution/engine.js';
import { runQuery, serializeQueryError } from '../execution/query-jobs.js';
import { openChainStoreReader } from '../storage/lmdb-store.js';
import type { JobMessage, WorkerMessage, WorkerSetup } from './protocol.js';
import { threadCpuClockOfThisThread } from './thread-cpu.js';

const port = parentPort;
if (port === null) throw new Error('src/query/worker.ts runs as a worker thread (see pool.ts)');
const setup = workerData as WorkerSetup;
const post = (message: WorkerMessage): void => port.postMessage(message);

try {
  // On Linux a thread has its own nice value: pid 0 means this thread only.
  setPriority(0, setup.nice);
} catch {
  // Not permitted or not supported here: the worker just runs at the node's priority.
}

try {
  const store = await openChainStoreReader(setup.dataDir);
  const common = createChainCommon(setup.chainId);
  let queue: Promise<void> = Promise.resolve();
  port.on('message', (message: JobMessage) => {
    // One job at a time, in arrival order (the pool sends one per worker anyway).
    queue = queue.then(async () => {
      try {
        store.refresh();
        post({ type: 'done', id: message.id, result: await runQuery(store, common, message.job) });
      } catch (error) {
        post({ type: 'error', id: message.id, error: serializeQueryError(error) });
      }
    });
  });
  const cpuClock = threadCpuClockOfThisThread();
  post(cpuClock === undefined ? { type: 'ready' } : { type: 'ready', cpuClock });
} catch (error) {
  post({ type: 'failed-to-start', message: error instanceof Error ? error.message : String(error) });
}
