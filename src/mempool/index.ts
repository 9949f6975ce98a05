// The mempool's public surface: import from here, not from the files behind it.
export { Mempool, MAX_ADDED_LISTENERS, MAX_REMOVED_LISTENERS } from './mempool.js';
export type {
  AccountState,
  AddedListener,
  AddResult,
  IncludedTransaction,
  MempoolOptions,
  MempoolState,
  MempoolStats,
  RemovalReason,
  RemovedListener,
  TakeBatchOptions,
} from './mempool.js';
export { MempoolError, MempoolErrorCode, MEMPOOL_ERROR_TEXT } from './errors.js';
export { ownerOf } from './routing.js';
export { decodeTransaction, transactionHash } from './decode.js';
export type { DecodedTransaction, DecodeContext, SupportedTxType } from './decode.js';
export type { PoolTransaction, TxOrigin } from './sender-queue.js';
export { effectiveTip } from './batch.js';
export * from './limits.js';
