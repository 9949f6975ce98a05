// Starts the real server on 127.0.0.1 with an ephemeral port over the in-memory backend.
import { DEVNET_RPC_API, startRpcServer, type RpcServer, type RpcServerLimits, type RpcServerOptions } from '../../src/rpc/index.js';
import type { Clock } from '../../src/rpc/filters.js';
import { MemoryBackend } from './memory-backend.js';

export interface Harness {
  readonly backend: MemoryBackend;
  readonly server: RpcServer;
  /** POSTs a raw body; returns status, headers and the parsed JSON (or text when not JSON). */
  post(body: string, headers?: Record<string, string>): Promise<{ status: number; headers: Headers; json: any; text: string }>;
  /** One JSON-RPC call; returns the whole response object. */
  rpc(method: string, params?: unknown[]): Promise<any>;
  close(): Promise<void>;
}

export class ManualClock implements Clock {
  constructor(public ms = 1_000_000) {}
  nowMs(): number {
    return this.ms;
  }
}

export type HarnessOptions = { limits?: Partial<RpcServerLimits>; clock?: Clock; backend?: MemoryBackend } & Pick<RpcServerOptions, 'api' | 'cors' | 'vhosts' | 'wsOrigins' | 'metricsAddr' | 'unlockedKeys'>;

/** Every namespace is served unless `api` says otherwise: the tests cover the whole table. */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const backend = options.backend ?? new MemoryBackend();
  const { limits, clock, api = DEVNET_RPC_API, ...access } = options;
  const server = await startRpcServer({ backend, host: '127.0.0.1', port: 0, limits, clock, api, ...access });
  let nextId = 1;
  const post = async (body: string, headers: Record<string, string> = {}) => {
    const res = await fetch(server.url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
    const text = await res.text();
    let json: any;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, json, text };
  };
  return {
    backend,
    server,
    post,
    rpc: async (method, params = []) => (await post(JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params }))).json,
    close: () => server.close(),
  };
}
