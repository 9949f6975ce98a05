// JSON-RPC 2.0 framing: parse, validate, batch, dispatch to the method table, and turn every
// failure into a response with the right code. Nothing a client sends can throw out of here.
import type { Logger } from 'pino';
import { StateUnavailableError, TxRejectedError } from './backend.js';
import { RpcError, RpcErrorCode, invalidParams, methodNotFound } from './errors.js';
import type { Json } from './format.js';
import type { MethodContext, MethodSpec, Session } from './methods/context.js';
import type { RpcMetrics } from './metrics.js';
import type { RateLimiter } from './rate-limit.js';

export const MAX_BATCH_LENGTH = 1_000;
/** Bytes the answers of one batch may add up to (geth's --rpc.batch-response-max-size). */
export const MAX_BATCH_RESPONSE_BYTES = 25_000_000;

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
    if (!Array.isArray(message)) {
      const response = await this.call(message, session);
      return response === undefined ? undefined : this.serialize(response);
    }
    if (message.length === 0) return this.serialize(errorResponse(null, invalidRequest('empty batch')));
    if (message.length > this.options.maxBatchLength) {
      return this.serialize(errorResponse(null, invalidRequest(
        `batch too large: ${message.length} requests, limit ${this.options.maxBatchLength}; split it`)));
    }
    const responses = await Promise.all(message.map((m) => this.call(m, session)));
    const due = responses.filter((r): r is Response => r !== undefined);
    return due.length === 0 ? undefined : this.serialize(due);
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
      return JSON.stringify(errorResponse(id, new RpcError(RpcErrorCode.internal, 'internal error: response not serializable')));
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
    this.options.metrics?.call(name);
    const limiter = this.options.rateLimiter;
    if (limiter !== undefined && !limiter.allow(session.client)) {
      return this.failed(new RpcError(RpcErrorCode.limitExceeded,
        `rate limit exceeded: ${limiter.options.requestsPerSecond} requests per second per client`));
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
    this.options.logger?.error({ err, method }, 'rpc handler failed');
    const why = err instanceof Error ? err.message : String(err);
    return new RpcError(RpcErrorCode.internal, `internal error in ${method}: ${why}`);
  }
}

function checkParams(raw: unknown, spec: MethodSpec): readonly unknown[] {
  if (raw === undefined || raw === null) raw = [];
  if (!Array.isArray(raw)) throw invalidParams('params must be an array (named parameters are not supported)');
  if (raw.length > spec.maxParams) throw invalidParams(`too many arguments, want at most ${spec.maxParams}`);
  if (raw.length < spec.minParams) throw invalidParams(`missing value for required argument ${raw.length}`);
  return raw;
}
