// Execution limits and chain parameters, each with its unit in its name.

/** Block gas limit we recommend for genesis: twice Ethereum's 30M, for throughput (see docs/decisions/0005). */
export const DEFAULT_BLOCK_GAS_LIMIT = 60_000_000n;
/** Constant base fee (wei per gas): 1 gwei, which viem, ethers and Hardhat price against without surprises. */
export const DEFAULT_BASE_FEE_PER_GAS_WEI = 1_000_000_000n;
/** Ethereum's header bound on extraData; the consensus digest is 32 bytes. */
export const MAX_EXTRA_DATA_BYTES = 32;
/** Largest signed transaction executed: the chain's limit (chain/transactions.ts), the mempool's too. */
export { MAX_TRANSACTION_BYTES } from '../chain/transactions.js';
/** Most transactions one executeBlock call accepts (a superblock of K batches). */
export const MAX_BLOCK_TRANSACTIONS = 100_000;
/** Accounts kept in the latest-state cache for mempool admission before it is cleared. */
export const LATEST_ACCOUNT_CACHE_MAX = 200_000;
/** eth_getLogs: widest block range scanned in one query. */
export const MAX_LOG_BLOCK_RANGE = 100_000n;
/** eth_getLogs: most logs returned by one query when the caller sets no limit. */
export const DEFAULT_MAX_LOGS_PER_QUERY = 10_000;
/** debug_traceTransaction: most opcode steps recorded before the trace is refused. */
export const MAX_TRACE_STEPS = 200_000;
/**
 * debug_traceTransaction: most bytes of JSON a trace may build (stack, memory and storage words
 * as hex, call inputs and outputs) before it is refused. A memory-expanding loop otherwise
 * traces to gigabytes well within MAX_TRACE_STEPS; 64 MiB keeps a trace far below the heap.
 */
export const MAX_TRACE_BYTES = 64 * 1024 * 1024;
/** debug_traceTransaction with callTracer: most call frames recorded before the trace is refused. */
export const MAX_TRACE_CALL_FRAMES = 10_000;
/** eth_createAccessList: most runs until the list stops changing (geth loops until it does). */
export const MAX_ACCESS_LIST_ITERATIONS = 10;
/** eth_estimateGas: most EVM runs of the binary search (60M gas needs about 12). */
export const MAX_ESTIMATE_ITERATIONS = 40;
/** The gas of a plain transfer: the least any transaction uses. */
export const MIN_TRANSFER_GAS = 21_000n;
/**
 * Most gas one eth_call, eth_estimateGas or eth_createAccessList may run with (geth's
 * `--rpc.gascap`, same default): a call without gas gets min(block gas limit, this); a larger gas
 * is lowered to it, as geth does. 0 means no cap (then the EVM's own bound, 2^64 - 1).
 */
export const DEFAULT_RPC_GAS_CAP = 50_000_000n;
/** The EVM's gas counter is 64-bit: no query runs with more, whatever the cap. */
export const MAX_QUERY_GAS = 2n ** 64n - 1n;
/**
 * executeBlock lets the event loop run after this many transactions, so a long block does not
 * starve the node's sockets (peers drop a connection silent for 15 s) or its RPC. About 25 ms of
 * work per slice at the single-core rate of plain transfers.
 */
export const YIELD_EVERY_TRANSACTIONS = 256;
