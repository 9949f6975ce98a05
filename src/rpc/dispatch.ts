// JSON-RPC 2.0 framing: parse, validate, batch, dispatch to the method table, and turn every
// failure into a response with the right code. Nothing a client sends can throw out of here.
// A batch runs its calls one after another, letting the event loop through between them (the
// server shares its thread with consensus), and stops at a time budget and a response-size
// budget: the calls left answer an error each, as geth answers them.
import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Logger } from 'pino';
import { StateUnavailableError, TxRejectedError } from './backend.js';
import { RpcError, RpcErrorCode, invalidParams, methodNotFound } from './errors.js';
import type { Json } from './format.js';
import type { MethodContext, MethodSpec, Session } from './methods/context.js';
import type { RpcMetrics } from './metrics.js';
import { methodCostTokens, type RateLimiter } from './rate-limit.js';

export const MAX_BATCH_LENGTH = 1_000;
/**
 * Bytes of JSON one batch may answer (geth's --rpc.batch-response-max-size default); a single
 * response is held to the same bound. Past it, calls answer geth's -32003 "response too large".
 */
export const MAX_BATCH_RESPONSE_BYTES = 25_000_000;
/**
 * Wall time one batch may take; the calls not started by then answer -32005. Well under geth's
 * 30 s HTTP write timeout, so the answer still goes out.
 */
export const BATCH_TIME_BUDGET_MS = 10_000;

type Id = string | number | null;

interface Response {
  jsonrpc: '2.0';
  id: Id;
  result?: Json;
  error?: { code: number; message: string; data?: unknown };
}

export interface DispatcherOptions {
  readonly methods: ReadonlyMap<string, MethodSpec>;
  readonly maxBatchLength: number;
  /** Default MAX_BATCH_RESPONSE_BYTES. */
  readonly maxBatchResponseBytes?: number;
  /** Default BATCH_TIME_BUDGET_MS. */
  readonly batchTimeBudgetMs?: number;
  readonly rateLimiter?: RateLimiter;
  readonly metrics?: RpcMetrics;
  readonly logger?: Logger;
}

function errorResponse(id: Id, error: RpcError): Response {
  return { jsonrpc: '2.0', id, error: error.toJSON() };
}

function invalidRequest(why: string): RpcError {
  return new RpcError(RpcErrorCode.invalidRequest, `invalid request: ${why}`);
}

function isValidId(id: unknown): id is Id {
  return id === null || typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id));
}

function responseTooLarge(limit: number): RpcError {
  return new RpcError(RpcErrorCode.responseTooLarge, `response too large: a response or batch may answer at most ${limit} bytes; ask for less per call`);
}

function batchTimeExceeded(budgetMs: number): RpcError {
  return new RpcError(RpcErrorCode.limitExceeded, `batch time budget exceeded: a batch may run ${budgetMs} ms; this call was not run, send it again or in a smaller batch`);
}

/** The id a request would be answered with, or undefined when it is a notification (no answer due). */
function answerId(request: unknown): Id | undefined {
  if (typeof request !== 'object' || request === null || Array.isArray(request)) return null;
  const r = request as Record<string, unknown>;
  if (!('id' in r)) return undefined;
  return isValidId(r.id) ? r.id : null;
}

export class Dispatcher {
  constructor(
    private readonly ctx: MethodContext,
    private readonly options: DispatcherOptions,
  ) {}

  /** One HTTP body or WebSocket message in; the response text out, or undefined if none is due. */
  async handle(text: string, session: Session): Promise<string | undefined> {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      return this.serialize(errorResponse(null, new RpcError(RpcErrorCode.parseError, `parse error: ${why}`)));
    }
    const maxBytes = this.options.maxBatchResponseBytes ?? MAX_BATCH_RESPONSE_BYTES;
    if (!Array.isArray(message)) {
      const response = await this.call(message, session);
      if (response === undefined) return undefined;
      const text = this.serialize(response);
      return Buffer.byteLength(text) > maxBytes ? this.serialize(errorResponse(response.id, this.failed(responseTooLarge(maxBytes)))) : text;
    }
    if (message.length === 0) return this.serialize(errorResponse(null, invalidRequest('empty batch')));
    if (message.length > this.options.maxBatchLength) {
      return this.serialize(errorResponse(null, invalidRequest(
        `batch too large: ${message.length} requests, limit ${this.options.maxBatchLength}; split it`)));
    }
    return this.batch(message, session, maxBytes);
  }

  /**
   * The calls of a batch in order, one at a time with the event loop let through in between.
   * Once the time budget is spent, or the next answer would take the response past `maxBytes`,
   * that call and every one after it answers an error instead (notifications answer nothing).
   */
  private async batch(requests: readonly unknown[], session: Session, maxBytes: number): Promise<string | undefined> {
    const budgetMs = this.options.batchTimeBudgetMs ?? BATCH_TIME_BUDGET_MS;
    const started = performance.now();
    const parts: string[] = [];
    let bytes = 2; // the brackets
    let stop: RpcError | undefined;
    for (let i = 0; i < requests.length; i++) {
      const request = requests[i];
      if (stop === undefined && i > 0) {
        await yieldToEventLoop();
        if (performance.now() - started > budgetMs) stop = batchTimeExceeded(budgetMs);
      }
      if (stop !== undefined) {
        const id = answerId(request);
        if (id === undefined) continue;
        this.options.metrics?.error(stop.code);
        parts.push(this.serialize(errorResponse(id, stop)));
        continue;
      }
      const response = await this.call(request, session);
      if (response === undefined) continue;
      const text = this.serialize(response);
      const size = Buffer.byteLength(text) + (parts.length > 0 ? 1 : 0);
      if (bytes + size > maxBytes) {
        stop = responseTooLarge(maxBytes);
        this.options.metrics?.error(stop.code);
        parts.push(this.serialize(errorResponse(response.id, stop)));
        continue;
      }
      bytes += size;
      parts.push(text);
    }
    return parts.length === 0 ? undefined : `[${parts.join(',')}]`;
  }

  /** A server-side refusal that is not tied to a request (e.g. body too large). */
  static refusal(error: RpcError): string {
    return JSON.stringify(errorResponse(null, error));
  }

  private serialize(value: Response | Response[]): string {
    try {
      return JSON.stringify(value);
    } catch (err) {
      // Only a handler bug can get here (e.g. a bigint left unformatted): answer, never crash.
      this.options.logger?.error({ err }, 'rpc response not serializable');
      const id = Array.isArray(value) ? null : value.id;
      return JSON.stringify(errorResponse(id, new RpcError(RpcErrorCode.internal, 'internal error')));
    }
  }

  private async call(request: unknown, session: Session): Promise<Response | undefined> {
    if (typeof request !== 'object' || request === null || Array.isArray(request)) {
      return errorResponse(null, invalidRequest('expected a JSON-RPC request object'));
    }
    const r = request as Record<string, unknown>;
    const hasId = 'id' in r;
    const id: Id = hasId && isValidId(r.id) ? r.id : null;
    if (hasId && !isValidId(r.id)) return errorResponse(null, invalidRequest('id must be a string, a number or null'));
    if (r.jsonrpc !== '2.0') return errorResponse(id, invalidRequest('"jsonrpc" must be "2.0"'));
    if (typeof r.method !== 'string') return errorResponse(id, invalidRequest('"method" must be a string'));
    const result = await this.run(r.method, r.params, session);
    if (!hasId) return undefined; // a notification: run it, answer nothing
    return result instanceof RpcError ? errorResponse(id, result) : { jsonrpc: '2.0', id, result };
  }

  private async run(name: string, rawParams: unknown, session: Session): Promise<Json | RpcError> {
    const startedMs = performance.now();
    try {
      return await this.runCounted(name, rawParams, session);
    } finally {
      this.options.metrics?.duration(name, (performance.now() - startedMs) / 1000);
    }
  }

  private async runCounted(name: string, rawParams: unknown, session: Session): Promise<Json | RpcError> {
    this.options.metrics?.call(name);
    const limiter = this.options.rateLimiter;
    const cost = methodCostTokens(name);
    if (limiter !== undefined && !limiter.allow(session.client, cost)) {
      return this.failed(new RpcError(RpcErrorCode.limitExceeded,
        `rate limit exceeded: ${limiter.options.requestsPerSecond} tokens per second per client, ${name} costs ${cost}`));
    }
    const spec = this.options.methods.get(name);
    if (spec === undefined) return this.failed(methodNotFound(name));
    try {
      const params = checkParams(rawParams, spec);
      return await spec.handler(params, this.ctx, session);
    } catch (err) {
      return this.failed(this.toRpcError(name, err));
    }
  }

  private failed(error: RpcError): RpcError {
    this.options.metrics?.error(error.code);
    return error;
  }

  private toRpcError(method: string, err: unknown): RpcError {
    if (err instanceof RpcError) return err;
    if (err instanceof TxRejectedError || err instanceof StateUnavailableError) {
      return new RpcError(RpcErrorCode.server, err.message);
    }
    // The detail stays in the node's log: exception text can carry paths, keys or state.
    this.options.logger?.error({ err, method }, 'rpc handler failed');
    return new RpcError(RpcErrorCode.internal, 'internal error');
  }
}

function checkParams(raw: unknown, spec: MethodSpec): readonly unknown[] {
  if (raw === undefined || raw === null) raw = [];
  if (!Array.isArray(raw)) throw invalidParams('params must be an array (named parameters are not supported)');
  if (raw.length > spec.maxParams) throw invalidParams(`too many arguments, want at most ${spec.maxParams}`);
  if (raw.length < spec.minParams) throw invalidParams(`missing value for required argument ${raw.length}`);
  return raw;
}
