// Public API of the JSON-RPC server.
export { startRpcServer, RpcServerError, DEFAULT_LIMITS, MAX_BODY_BYTES, MAX_WS_CONNECTIONS, MAX_WS_BUFFERED_BYTES } from './server.js';
export type { RpcServer, RpcServerOptions, RpcServerLimits } from './server.js';
export * from './backend.js';
export { RpcError, RpcErrorCode } from './errors.js';
export { MAX_BATCH_LENGTH } from './dispatch.js';
export { MAX_LOG_BLOCK_RANGE, MAX_LOG_RESULTS } from './logs.js';
export { FILTER_TIMEOUT_MS, MAX_FILTERS, systemClock, type Clock } from './filters.js';
export { DEFAULT_RATE_LIMIT, type RateLimitOptions } from './rate-limit.js';
export { MAX_SUBSCRIPTIONS_PER_CONNECTION, MAX_SUBSCRIPTIONS_TOTAL } from './subscriptions.js';
export { decodeRevertReason } from './revert.js';
