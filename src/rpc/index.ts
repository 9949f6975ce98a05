// Public API of the JSON-RPC server.
export {
  startRpcServer, RpcServerError, DEFAULT_LIMITS, MAX_BODY_BYTES, MAX_WS_CONNECTIONS, MAX_WS_BUFFERED_BYTES,
  WS_PING_INTERVAL_MS, WS_IDLE_TIMEOUT_MS, HTTP_READ_TIMEOUT_MS, HTTP_WRITE_TIMEOUT_MS, HTTP_IDLE_TIMEOUT_MS,
} from './server.js';
export type { RpcServer, RpcServerOptions, RpcServerLimits } from './server.js';
export * from './backend.js';
export { RpcError, RpcErrorCode } from './errors.js';
export { MAX_BATCH_LENGTH, MAX_BATCH_RESPONSE_BYTES, BATCH_TIME_BUDGET_MS } from './dispatch.js';
export {
  MAX_WS_CONNECTIONS_PER_CLIENT, MAX_REQUESTS_IN_FLIGHT_PER_CLIENT, MAX_FILTERS_PER_CLIENT,
  MAX_SUBSCRIPTIONS_PER_CLIENT, MAX_LOG_CRITERIA_PER_CLIENT,
} from './clients.js';
export { MAX_RETURN_DATA_BYTES } from './methods/state.js';
export { DEFAULT_RPC_API, DEVNET_RPC_API, KNOWN_RPC_NAMESPACES, namespaceProblem, unknownNamespaces } from './namespaces.js';
export { DEFAULT_VHOSTS, DEFAULT_WS_ORIGINS, DEVNET_ORIGINS, originProblem, vhostProblem } from './origins.js';
export { MAX_LOG_BLOCK_RANGE, MAX_LOG_RESULTS } from './logs.js';
export { FILTER_TIMEOUT_MS, MAX_FILTERS, systemClock, type Clock } from './filters.js';
export { DEFAULT_RATE_LIMIT, METHOD_COST_TOKENS, DEFAULT_METHOD_COST_TOKENS, type RateLimitOptions } from './rate-limit.js';
export { MAX_SUBSCRIPTIONS_PER_CONNECTION, MAX_SUBSCRIPTIONS_TOTAL } from './subscriptions.js';
export { decodeRevertReason } from './revert.js';
