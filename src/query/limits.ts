// The query pool's limits, each with its unit in its name.

/**
 * Bound on one EVM query's run (geth's `--rpc.evmtimeout`, same default); 0: none. Where the
 * worker thread's CPU time can be read (Linux) it counts that, so a query is charged for its own
 * work, not for the cores it waited for on a loaded machine (workers run below the node's
 * priority, WORKER_NICE); elsewhere it counts wall time from when a worker takes the query.
 */
export const DEFAULT_EVM_TIMEOUT_MS = 5_000;
/**
 * Wall time a query may take past its timeout while its worker waits for a core (its CPU time
 * still under the timeout): a loaded machine delays queries this long before they are ended
 * anyway, so a starved worker is not held forever. With the default timeout the answer still
 * comes before the HTTP server's write timeout (30 s, geth's), asserted in src/rpc/server.ts.
 */
export const MAX_QUERY_STARVED_MS = 20_000;
/** Below this much CPU time left a query's deadline is not re-armed: it has run its timeout. */
export const QUERY_DEADLINE_SLACK_MS = 5;
/**
 * Worker threads that run EVM queries. Two keep one long call from delaying every other client's
 * calls, and leave the node's own thread (consensus, networking, execution) its core on a small
 * machine; each worker holds its own EVM and caches (tens of MB).
 */
export const DEFAULT_QUERY_WORKERS = 2;
/**
 * How long a query may wait for a free worker before it is answered -32005. The EVM timeout
 * counts from when a worker takes the query (geth's counts the call's own run), so a query asked
 * while workers start or are busy is not charged for their time; this bounds that wait instead
 * (geth's HTTP write timeout, 30 s).
 */
export const MAX_QUERY_QUEUE_WAIT_MS = 30_000;
/** Queries waiting for a worker, past which new ones are refused (-32005) instead of queued. */
export const MAX_QUEUED_QUERIES = 256;
/** A worker that does not report ready within this is replaced (module loading takes about a second). */
export const WORKER_START_TIMEOUT_MS = 30_000;
/** Nice value of a worker thread (Linux): the node's own thread wins the CPU when both want it. */
export const WORKER_NICE = 10;
/** The workers' V8 heap bound: a query that allocates past it kills its worker, not the node. */
export const WORKER_MAX_HEAP_MB = 512;
