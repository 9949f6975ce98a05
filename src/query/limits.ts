// The query pool's limits, each with its unit in its name.

/** Wall-clock bound on one EVM query (geth's `--rpc.evmtimeout`, same default); 0: none. */
export const DEFAULT_EVM_TIMEOUT_MS = 5_000;
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
