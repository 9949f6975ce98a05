// The server's own Prometheus series, registered in the backend's registry so GET /metrics shows
// node and RPC figures together: calls and their duration by method, errors by code, open
// WebSockets. Labels take known method names only, so a client sending random method names
// cannot grow the series without bound.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Buckets of a call's duration, in seconds: 100 µs (a cached read) to 30 s (past geth's 5 s EVM timeout). */
export const RPC_DURATION_SECONDS_BUCKETS: readonly number[] = [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** The label of every method name the server does not know. */
export const OTHER_METHOD_LABEL = 'other';

export class RpcMetrics {
  private readonly requests?: Counter<'method'>;
  private readonly durations?: Histogram<'method'>;
  private readonly errors?: Counter<'code'>;
  readonly wsConnections?: Gauge;

  constructor(registry: Registry | undefined, private readonly knownMethods: ReadonlySet<string>) {
    if (registry === undefined) return;
    this.requests = reuse(registry, 'synod_rpc_requests_total', () =>
      new Counter({ name: 'synod_rpc_requests_total', help: 'JSON-RPC calls by method', labelNames: ['method'], registers: [registry] }));
    this.durations = reuse(registry, 'synod_rpc_request_duration_seconds', () =>
      new Histogram({
        name: 'synod_rpc_request_duration_seconds',
        help: 'Time to answer one JSON-RPC call (within a batch: that call alone), by method',
        labelNames: ['method'],
        buckets: [...RPC_DURATION_SECONDS_BUCKETS],
        registers: [registry],
      }));
    this.errors = reuse(registry, 'synod_rpc_errors_total', () =>
      new Counter({ name: 'synod_rpc_errors_total', help: 'JSON-RPC error responses by code', labelNames: ['code'], registers: [registry] }));
    this.wsConnections = reuse(registry, 'synod_rpc_ws_connections', () =>
      new Gauge({ name: 'synod_rpc_ws_connections', help: 'Open JSON-RPC WebSocket connections', registers: [registry] }));
  }

  private label(method: string): string {
    return this.knownMethods.has(method) ? method : OTHER_METHOD_LABEL;
  }

  call(method: string): void {
    this.requests?.inc({ method: this.label(method) });
  }

  duration(method: string, seconds: number): void {
    this.durations?.observe({ method: this.label(method) }, seconds);
  }

  error(code: number): void {
    this.errors?.inc({ code: String(code) });
  }
}

/** A registry holds one series per name: a second server over the same registry shares it. */
function reuse<T>(registry: Registry, name: string, create: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? create();
}
