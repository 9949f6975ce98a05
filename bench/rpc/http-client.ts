// A JSON-RPC 2.0 client over one keep-alive HTTP/1.1 connection. One client is one "lane":
// it carries at most one request at a time, so requests on a lane reach the node in order
// (one sender's nonces stay ordered) and the generator gets its parallelism from many lanes,
// never from pipelining on one socket.
import http from 'node:http';
import { BenchError } from '../errors.js';

/** A request that takes longer than this is treated as a dead endpoint. */
export const RPC_REQUEST_TIMEOUT_MS = 30_000;
/** Refuse to buffer a response larger than this (a block list or a batch of receipts). */
export const MAX_RPC_RESPONSE_BYTES = 64 * 1024 * 1024;

export interface RpcRequest {
  readonly method: string;
  readonly params: readonly unknown[];
}

export interface RpcErrorObject {
  readonly code: number;
  readonly message: string;
}

/** One entry of a batch answer: a result or an error, in request order. */
export type RpcOutcome = { readonly ok: true; readonly result: unknown } | { readonly ok: false; readonly error: RpcErrorObject };

export class HttpRpcClient {
  private readonly agent: http.Agent;
  private readonly url: URL;
  private nextId = 1;

  constructor(readonly endpoint: string) {
    this.url = new URL(endpoint);
    // maxSockets 1: the lane's ordering guarantee; keepAlive: no handshake per request.
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  }

  /** One call; throws BenchError RPC_ERROR if the node answers with a JSON-RPC error. */
  async call<T = unknown>(method: string, params: readonly unknown[] = []): Promise<T> {
    const [outcome] = await this.batch([{ method, params }]);
    if (!outcome.ok) {
      throw new BenchError('RPC_ERROR', `${method} failed at ${this.endpoint}: ${outcome.error.message} (code ${outcome.error.code})`);
    }
    return outcome.result as T;
  }

  /** A JSON-RPC batch: one HTTP round trip, answers in request order. */
  async batch(requests: readonly RpcRequest[]): Promise<RpcOutcome[]> {
    if (requests.length === 0) return [];
    const firstId = this.nextId;
    this.nextId += requests.length;
    const body = JSON.stringify(requests.map((r, i) => ({ jsonrpc: '2.0', id: firstId + i, method: r.method, params: r.params })));
    const text = await this.post(body);
    return orderAnswers(parseJson(text, this.endpoint), firstId, requests.length, this.endpoint);
  }

  close(): void {
    this.agent.destroy();
  }

  private post(body: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        this.url,
        { method: 'POST', agent: this.agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }, timeout: RPC_REQUEST_TIMEOUT_MS },
        (res) => collectBody(res, this.endpoint, resolve, reject),
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${RPC_REQUEST_TIMEOUT_MS} ms`)));
      req.on('error', (err) => reject(new BenchError('RPC_TRANSPORT', `cannot reach ${this.endpoint}: ${err.message}; is the node running?`, { cause: err })));
      req.end(body);
    });
  }
}

function collectBody(res: http.IncomingMessage, endpoint: string, resolve: (s: string) => void, reject: (e: Error) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  res.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_RPC_RESPONSE_BYTES) {
      res.destroy();
      reject(new BenchError('RPC_TRANSPORT', `answer from ${endpoint} exceeds ${MAX_RPC_RESPONSE_BYTES} bytes; request fewer items per batch`));
      return;
    }
    chunks.push(chunk);
  });
  res.on('end', () => {
    if (res.statusCode !== 200) {
      reject(new BenchError('RPC_TRANSPORT', `${endpoint} answered HTTP ${res.statusCode}: ${Buffer.concat(chunks).toString('utf8').slice(0, 200)}`));
      return;
    }
    resolve(Buffer.concat(chunks).toString('utf8'));
  });
  res.on('error', reject);
}

function parseJson(text: string, endpoint: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new BenchError('RPC_TRANSPORT', `${endpoint} answered with invalid JSON: ${text.slice(0, 120)}`, { cause: err });
  }
}

function orderAnswers(parsed: unknown, firstId: number, count: number, endpoint: string): RpcOutcome[] {
  // A node may answer a one-element batch with a bare object or a batch-level error object.
  const answers = Array.isArray(parsed) ? parsed : [parsed];
  const out: (RpcOutcome | undefined)[] = new Array(count);
  for (const a of answers as { id?: number; result?: unknown; error?: RpcErrorObject }[]) {
    const index = typeof a.id === 'number' ? a.id - firstId : -1;
    if (index < 0 || index >= count) {
      if (a.error && count > 0) throw new BenchError('RPC_ERROR', `${endpoint} rejected the batch: ${a.error.message} (code ${a.error.code})`);
      continue;
    }
    out[index] = a.error ? { ok: false, error: a.error } : { ok: true, result: a.result };
  }
  return out.map((o, i) => o ?? { ok: false, error: { code: -32603, message: `no answer for batch item ${i}` } });
}
