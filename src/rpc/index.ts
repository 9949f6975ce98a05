// Public API of the JSON-RPC server.
export { startRpcServer, RpcServerError, DEFAULT_LIMITS, MAX_BODY_BYTES, MAX_WS_CONNECTIONS, MAX_WS_BUFFERED_BYTES } from './server.js';
export type { RpcServer, RpcServerOptions, RpcServerLimits } from './server.js';
export * from './backend.js';
export { RpcError, RpcErrorCode } from './errors.js';
export { MAX_BATCH_LENGTH, MAX_BATCH_RESPONSE_BYTES } from './dispatch.js';
export { DEFAULT_RPC_API, DEVNET_RPC_API, KNOWN_RPC_NAMESPACES, namespaceProblem, unknownNamespaces } from './namespaces.js';
export { DEFAULT_VHOSTS, DEFAULT_WS_ORIGINS, DEVNET_ORIGINS, originProblem, vhostProblem } from './origins.js';
export { MAX_LOG_BLOCK_RANGE, MAX_LOG_RESULTS } from './logs.js';
export { FILTER_TIMEOUT_MS, MAX_FILTERS, systemClock, type Clock } from './filters.js';
export { DEFAULT_RATE_LIMIT, type RateLimitOptions } from './rate-limit.js';
export { MAX_SUBSCRIPTIONS_PER_CONNECTION, MAX_SUBSCRIPTIONS_TOTAL } from './subscriptions.js';
export { decodeRevertReason } from './revert.js';
