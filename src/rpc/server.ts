// HTTP and WebSocket on one port, as Anvil serves them: POST / for JSON-RPC (single and batch),
// GET / and /explorer for the explorer page, GET /metrics for Prometheus, GET /health, /livez
// and /readyz for probes, and a WebSocket upgrade on any path for JSON-RPC plus eth_subscribe.
// Only the enabled namespaces are served; CORS, WebSocket origins and Host names follow the
// OriginPolicy (origins.ts); /metrics can also have its own listener (metrics-server.ts).
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { DEFAULT_EVM_TIMEOUT_MS, MAX_QUERY_STARVED_MS } from '../query/limits.js';
import { UnlockedAccounts } from './accounts.js';
import type { Hex, RpcBackend } from './backend.js';
import { ClientRegistry, DEFAULT_CLIENT_LIMITS, type ClientLimits } from './clients.js';
import { BATCH_TIME_BUDGET_MS, Dispatcher, MAX_BATCH_LENGTH, MAX_BATCH_RESPONSE_BYTES } from './dispatch.js';
import { RpcError, RpcErrorCode } from './errors.js';
import { FilterManager, systemClock, type Clock } from './filters.js';
import { MethodContext, type Session } from './methods/context.js';
import { PROBE_PATHS, probe } from './health.js';
import { methodsFor } from './methods/index.js';
import { startMetricsServer, type MetricsServer } from './metrics-server.js';
import { DEFAULT_RPC_API, unknownNamespaces } from './namespaces.js';
import { DEFAULT_VHOSTS, DEFAULT_WS_ORIGINS, OriginPolicy } from './origins.js';
import { RpcMetrics } from './metrics.js';
import { DEFAULT_RATE_LIMIT, RateLimiter, type RateLimitOptions } from './rate-limit.js';
import { SubscriptionHub } from './subscriptions.js';

export const MAX_BODY_BYTES = 5 * 1024 * 1024;
export const MAX_WS_CONNECTIONS = 1_024;
/** A WebSocket client that lets this much pile up unread is too slow and is disconnected. */
export const MAX_WS_BUFFERED_BYTES = 16 * 1024 * 1024;
/** Requests one WebSocket connection may have in progress; past it, calls are refused (-32005). */
export const MAX_WS_REQUESTS_IN_FLIGHT = 1_024;
export const FILTER_SWEEP_INTERVAL_MS = 60_000;
/** The server pings each WebSocket this often (geth's wsPingInterval); live clients answer. */
export const WS_PING_INTERVAL_MS = 30_000;
/** A WebSocket that sends nothing (no message, no pong) for this long is closed. */
export const WS_IDLE_TIMEOUT_MS = 120_000;
/** geth's HTTP ReadTimeout: the whole request, headers and body, must arrive within it. */
export const HTTP_READ_TIMEOUT_MS = 30_000;
/** geth's HTTP WriteTimeout: a connection that moves no bytes for this long while answering is closed. */
export const HTTP_WRITE_TIMEOUT_MS = 30_000;
/** geth's HTTP IdleTimeout: a keep-alive connection with no next request for this long is closed. */
export const HTTP_IDLE_TIMEOUT_MS = 120_000;
// A query on a loaded machine may take its CPU timeout plus its starvation allowance: it must still be answered.
if (DEFAULT_EVM_TIMEOUT_MS + MAX_QUERY_STARVED_MS >= HTTP_WRITE_TIMEOUT_MS) throw new Error('a starved query outlives the HTTP write timeout');
const EXPLORER_HTML = readFileSync(new URL('./explorer/index.html', import.meta.url));

export interface RpcServerLimits extends ClientLimits {
  readonly maxBodyBytes: number;
  readonly maxBatchLength: number;
  /** JSON bytes one batch (or one response) may answer; geth's --rpc.batch-response-max-size. */
  readonly maxBatchResponseBytes: number;
  /** Wall time one batch may run before its remaining calls are refused. */
  readonly batchTimeBudgetMs: number;
  readonly maxWsConnections: number;
  readonly maxWsBufferedBytes: number;
  readonly wsPingIntervalMs: number;
  readonly wsIdleTimeoutMs: number;
  /** Per client address; `null` turns rate limiting off. */
  readonly rateLimit: RateLimitOptions | null;
}

export const DEFAULT_LIMITS: RpcServerLimits = {
  ...DEFAULT_CLIENT_LIMITS,
  maxBodyBytes: MAX_BODY_BYTES,
  maxBatchLength: MAX_BATCH_LENGTH,
  maxBatchResponseBytes: MAX_BATCH_RESPONSE_BYTES,
  batchTimeBudgetMs: BATCH_TIME_BUDGET_MS,
  maxWsConnections: MAX_WS_CONNECTIONS,
  maxWsBufferedBytes: MAX_WS_BUFFERED_BYTES,
  wsPingIntervalMs: WS_PING_INTERVAL_MS,
  wsIdleTimeoutMs: WS_IDLE_TIMEOUT_MS,
  rateLimit: DEFAULT_RATE_LIMIT,
};

export interface RpcServerOptions {
  readonly backend: RpcBackend;
  readonly host: string;
  readonly port: number; // 0 picks a free port
  readonly logger?: Logger;
  readonly limits?: Partial<RpcServerLimits>;
  /** Time source for filter expiry and rate limits (tests inject one). */
  readonly clock?: Clock;
  /** Namespaces served (geth's --http.api); default DEFAULT_RPC_API. */
  readonly api?: readonly string[];
  /** Origins that get CORS headers (geth's --http.corsdomain); default none. */
  readonly cors?: readonly string[];
  /** Host names accepted besides IP literals (geth's --http.vhosts); default DEFAULT_VHOSTS. */
  readonly vhosts?: readonly string[];
  /** Browser origins allowed to open a WebSocket (geth's --ws.origins); default DEFAULT_WS_ORIGINS. */
  readonly wsOrigins?: readonly string[];
  /** A separate listener for /metrics, /livez, /readyz and /health (geth's --metrics.addr). */
  readonly metricsAddr?: { readonly host: string; readonly port: number };
  /**
   * Private keys the node signs with for eth_sendTransaction, eth_sign, ... (a devnet's development
   * accounts, `--unlock-dev-accounts`); default none: eth_accounts is [] and signing answers "unknown account".
   */
  readonly unlockedKeys?: readonly Hex[];
}

export interface RpcServer {
  readonly address: { readonly host: string; readonly port: number };
  readonly url: string; // http://host:port
  readonly wsUrl: string; // ws://host:port
  /** http://host:port of the separate metrics listener, when one is configured. */
  readonly metricsUrl?: string;
  close(): Promise<void>;
}

/** The server could not start (port in use, no permission, bad host). */
export class RpcServerError extends Error {
  override readonly name = 'RpcServerError';
}

export async function startRpcServer(options: RpcServerOptions): Promise<RpcServer> {
  const limits: RpcServerLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const clock = options.clock ?? systemClock;
  const { backend, logger } = options;
  const clients = new ClientRegistry(limits);
  const filters = new FilterManager(backend, clock, clients);
  const ctx = new MethodContext(backend, filters, new UnlockedAccounts(options.unlockedKeys));
  const api = options.api ?? DEFAULT_RPC_API;
  const unknown = unknownNamespaces(api);
  if (unknown.length > 0) logger?.warn({ unknown }, 'unknown rpc namespaces enabled: they serve no methods');
  const methods = methodsFor(api);
  const policy = new OriginPolicy({ cors: options.cors ?? [], wsOrigins: options.wsOrigins ?? DEFAULT_WS_ORIGINS, vhosts: options.vhosts ?? DEFAULT_VHOSTS });
  const metrics = new RpcMetrics(backend.metrics, new Set(methods.keys()));
  const dispatcher = new Dispatcher(ctx, {
    methods,
    maxBatchLength: limits.maxBatchLength,
    maxBatchResponseBytes: limits.maxBatchResponseBytes,
    batchTimeBudgetMs: limits.batchTimeBudgetMs,
    rateLimiter: limits.rateLimit === null ? undefined : new RateLimiter(limits.rateLimit, clock),
    metrics,
    logger,
  });
  const hub = new SubscriptionHub(ctx, clients);
  const unsubscribe = [
    backend.onNewBlock((block, receipts) => hub.publishBlock(block, receipts)),
    backend.onPendingTransaction((hash) => {
      filters.addPendingTransaction(hash);
      hub.publishPending(hash);
    }),
  ];
  const http = createServer({
    requestTimeout: HTTP_READ_TIMEOUT_MS,
    headersTimeout: HTTP_READ_TIMEOUT_MS,
    keepAliveTimeout: HTTP_IDLE_TIMEOUT_MS,
  }, (req, res) => {
    res.setTimeout(HTTP_WRITE_TIMEOUT_MS, () => res.destroy());
    handleHttp(req, res, dispatcher, backend, limits, clients, policy, logger).catch((err: unknown) => {
      logger?.error({ err }, 'http request handler failed');
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxBodyBytes });
  http.on('upgrade', (req, socket, head) => handleUpgrade(req, socket, head, wss, limits, clients, policy, logger, (ws) =>
    serveWebSocket(ws, req, dispatcher, hub, limits, clients, metrics, logger)));
  const sweep = setInterval(() => filters.expire(), FILTER_SWEEP_INTERVAL_MS);
  sweep.unref();
  let metricsServer: MetricsServer | undefined;
  try {
    await listen(http, options.host, options.port);
    if (options.metricsAddr !== undefined) {
      metricsServer = await startMetricsServer({ backend, ...options.metricsAddr, logger }).catch(async (err: unknown) => {
        await shutdown(http, wss);
        throw new RpcServerError((err as Error).message);
      });
    }
  } catch (err) {
    clearInterval(sweep);
    for (const stop of unsubscribe) stop();
    throw err;
  }
  const port = (http.address() as { port: number }).port;
  const urlHost = options.host.includes(':') ? `[${options.host}]` : options.host;
  logger?.info({ host: options.host, port, api }, 'json-rpc listening');
  return {
    address: { host: options.host, port },
    url: `http://${urlHost}:${port}`,
    wsUrl: `ws://${urlHost}:${port}`,
    ...(metricsServer === undefined ? {} : { metricsUrl: metricsServer.url }),
    close: async () => {
      clearInterval(sweep);
      for (const stop of unsubscribe) stop();
      await metricsServer?.close();
      return shutdown(http, wss);
    },
  };
}

function listen(http: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => reject(listenError(err, host, port));
    http.once('error', onError);
    http.listen(port, host, () => {
      http.off('error', onError);
      resolve();
    });
  });
}

function listenError(err: NodeJS.ErrnoException, host: string, port: number): RpcServerError {
  switch (err.code) {
    case 'EADDRINUSE':
      return new RpcServerError(`port ${port} is in use: choose another with --rpc-port`);
    case 'EACCES':
      return new RpcServerError(`no permission to listen on ${host}:${port}: use a port above 1023`);
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return new RpcServerError(`cannot listen on ${host}: not an address of this machine; use 127.0.0.1 or 0.0.0.0`);
    default:
      return new RpcServerError(`cannot listen on ${host}:${port}: ${err.message}`);
  }
}

async function shutdown(http: Server, wss: WebSocketServer): Promise<void> {
  for (const client of wss.clients) client.terminate();
  await new Promise<void>((resolve) => wss.close(() => resolve()));
  await new Promise<void>((resolve) => {
    http.close(() => resolve());
    http.closeAllConnections();
  });
}

function clientOf(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}

async function handleHttp(
  req: IncomingMessage,
  res: ServerResponse,
  dispatcher: Dispatcher,
  backend: RpcBackend,
  limits: RpcServerLimits,
  clients: ClientRegistry,
  policy: OriginPolicy,
  logger: Logger | undefined,
): Promise<void> {
  for (const [name, value] of Object.entries(policy.corsHeaders(req.headers.origin))) res.setHeader(name, value);
  try {
    const path = (req.url ?? '/').split('?')[0]!;
    if ((req.method === 'GET' || req.method === 'HEAD') && PROBE_PATHS.has(path)) {
      const answer = (await probe(path, backend))!;
      return send(res, answer.status, answer.contentType, answer.body);
    }
    if (!policy.hostAllowed(req.headers.host)) {
      logger?.debug({ host: req.headers.host, client: clientOf(req) }, 'request for a host not in vhosts refused');
      req.resume();
      return send(res, 403, 'text/plain', 'invalid host specified\n');
    }
    await route(req, res, dispatcher, limits, clients, path);
  } catch (err) {
    logger?.error({ err }, 'http request failed');
    if (!res.headersSent) send(res, 500, 'application/json', Dispatcher.refusal(new RpcError(RpcErrorCode.internal, 'internal error')));
  }
}

async function route(req: IncomingMessage, res: ServerResponse, dispatcher: Dispatcher, limits: RpcServerLimits, clients: ClientRegistry, path: string): Promise<void> {
  if (req.method === 'OPTIONS') return send(res, 204, undefined, '');
  if (req.method === 'POST') return servePost(req, res, dispatcher, limits, clients);
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'use POST for JSON-RPC, GET for the explorer\n');
  if (path === '/' || path === '/explorer' || path === '/explorer/') return send(res, 200, 'text/html; charset=utf-8', EXPLORER_HTML);
  return send(res, 404, 'text/plain', 'not found: POST / for JSON-RPC, GET / for the explorer, GET /metrics\n');
}

function send(res: ServerResponse, status: number, contentType: string | undefined, body: string | Buffer): void {
  const headers: Record<string, string | number> = { 'Content-Length': Buffer.byteLength(body) };
  if (contentType !== undefined) headers['Content-Type'] = contentType;
  res.writeHead(status, headers);
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

function tooLarge(res: ServerResponse, limit: number): void {
  const error = new RpcError(RpcErrorCode.invalidRequest, `request body too large: limit ${limit} bytes`);
  res.setHeader('Connection', 'close'); // the rest of the body is not worth reading
  send(res, 413, 'application/json', Dispatcher.refusal(error));
}

async function servePost(req: IncomingMessage, res: ServerResponse, dispatcher: Dispatcher, limits: RpcServerLimits, clients: ClientRegistry): Promise<void> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limits.maxBodyBytes) {
    tooLarge(res, limits.maxBodyBytes);
    req.resume();
    return;
  }
  const client = clientOf(req);
  if (!clients.beginRequest(client)) {
    req.resume();
    return send(res, 429, 'application/json', Dispatcher.refusal(tooManyInFlight(limits)));
  }
  try {
    const body = await readBody(req, limits.maxBodyBytes);
    if (body === undefined) return tooLarge(res, limits.maxBodyBytes);
    const response = await dispatcher.handle(body, { client });
    send(res, 200, 'application/json', response ?? '');
  } finally {
    clients.endRequest(client);
  }
}

function tooManyInFlight(limits: RpcServerLimits): RpcError {
  return new RpcError(RpcErrorCode.limitExceeded,
    `too many requests in progress from this client: at most ${limits.maxRequestsInFlightPerClient}; wait for answers`);
}

/** The body as text, or undefined once it passes `maxBytes` (the rest is discarded). */
function readBody(req: IncomingMessage, maxBytes: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) over = true;
      if (!over) chunks.push(chunk);
    });
    req.on('end', () => resolve(over ? undefined : Buffer.concat(chunks, size).toString('utf8')));
    req.on('error', reject);
  });
}

function handleUpgrade(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  wss: WebSocketServer,
  limits: RpcServerLimits,
  clients: ClientRegistry,
  policy: OriginPolicy,
  logger: Logger | undefined,
  serve: (ws: WebSocket) => void,
): void {
  if (!policy.hostAllowed(req.headers.host)) {
    socket.end('HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\ninvalid host specified\n');
    return;
  }
  if (!policy.wsOriginAllowed(req.headers.origin, req.headers.host)) {
    logger?.warn({ origin: req.headers.origin, client: clientOf(req) }, 'websocket connection from an origin not in ws origins refused');
    socket.end('HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nwebsocket origin not allowed\n');
    return;
  }
  if (wss.clients.size >= limits.maxWsConnections) {
    socket.end(`HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\ntoo many WebSocket connections: at most ${limits.maxWsConnections}\n`);
    return;
  }
  const client = clientOf(req);
  if (!clients.openWebSocket(client)) {
    socket.end(`HTTP/1.1 429 Too Many Requests\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\ntoo many WebSocket connections from this address: at most ${limits.maxWsConnectionsPerClient}\n`);
    return;
  }
  // The slot is held for as long as the socket lives, however the upgrade ends.
  if (socket.destroyed) {
    clients.closeWebSocket(client);
    return;
  }
  socket.once('close', () => clients.closeWebSocket(client));
  wss.handleUpgrade(req, socket, head, (ws) => {
    wss.emit('connection', ws, req);
    serve(ws);
  });
}

function serveWebSocket(
  ws: WebSocket,
  req: IncomingMessage,
  dispatcher: Dispatcher,
  hub: SubscriptionHub,
  limits: RpcServerLimits,
  clients: ClientRegistry,
  metrics: RpcMetrics,
  logger: Logger | undefined,
): void {
  const client = clientOf(req);
  const sendText = (text: string) => {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > limits.maxWsBufferedBytes) {
      logger?.warn({ client, buffered: ws.bufferedAmount }, 'websocket client too slow: disconnected');
      ws.terminate();
      return;
    }
    ws.send(text);
  };
  const subscriptions = hub.connect(sendText, client);
  const session: Session = { client, subscriptions };
  metrics.wsConnections?.inc();
  // Silent for wsIdleTimeoutMs (no message, no pong to our pings): the peer is gone or idling.
  const idle = setTimeout(() => {
    logger?.debug({ client }, 'websocket idle: closed');
    ws.terminate();
  }, limits.wsIdleTimeoutMs);
  idle.unref();
  const ping = setInterval(() => {
    if (ws.readyState === ws.OPEN) ws.ping();
  }, limits.wsPingIntervalMs);
  ping.unref();
  ws.on('pong', () => idle.refresh());
  let inFlight = 0;
  ws.on('message', (data: RawData) => {
    idle.refresh();
    if (inFlight >= MAX_WS_REQUESTS_IN_FLIGHT) {
      sendText(Dispatcher.refusal(new RpcError(RpcErrorCode.limitExceeded,
        `too many requests in flight on this connection: at most ${MAX_WS_REQUESTS_IN_FLIGHT}; wait for answers`)));
      return;
    }
    if (!clients.beginRequest(client)) {
      sendText(Dispatcher.refusal(tooManyInFlight(limits)));
      return;
    }
    inFlight++;
    const done = () => {
      inFlight--;
      clients.endRequest(client);
    };
    const text = Buffer.isBuffer(data) ? data.toString('utf8')
      : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');
    dispatcher.handle(text, session).then(
      (response) => {
        done();
        if (response !== undefined) sendText(response);
      },
      (err: unknown) => {
        done();
        logger?.error({ err, client }, 'websocket request handler failed');
      },
    );
  });
  ws.on('close', () => {
    clearTimeout(idle);
    clearInterval(ping);
    subscriptions.close();
    metrics.wsConnections?.dec();
  });
  ws.on('error', (err) => logger?.debug({ err, client }, 'websocket error'));
}
