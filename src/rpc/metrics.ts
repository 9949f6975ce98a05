// The server's own Prometheus series, registered in the backend's registry so GET /metrics shows
// node and RPC figures together. Labels take known method names only, so a client sending random
// method names cannot grow the series without bound.
import { Counter, Gauge, type Registry } from 'prom-client';

export class RpcMetrics {
  private readonly requests?: Counter<'method'>;
  private readonly errors?: Counter<'code'>;
  readonly wsConnections?: Gauge;

  constructor(registry: Registry | undefined, private readonly knownMethods: ReadonlySet<string>) {
    if (registry === undefined) return;
    this.requests = reuse(registry, 'synod_rpc_requests_total', () =>
      new Counter({ name: 'synod_rpc_requests_total', help: 'JSON-RPC calls by method', labelNames: ['method'], registers: [registry] }));
    this.errors = reuse(registry, 'synod_rpc_errors_total', () =>
      new Counter({ name: 'synod_rpc_errors_total', help: 'JSON-RPC error responses by code', labelNames: ['code'], registers: [registry] }));
    this.wsConnections = reuse(registry, 'synod_rpc_ws_connections', () =>
      new Gauge({ name: 'synod_rpc_ws_connections', help: 'Open JSON-RPC WebSocket connections', registers: [registry] }));
  }

  call(method: string): void {
    this.requests?.inc({ method: this.knownMethods.has(method) ? method : 'other' });
  }

  error(code: number): void {
    this.errors?.inc({ code: String(code) });
  }
}

/** A registry holds one series per name: a second server over the same registry shares it. */
function reuse<T>(registry: Registry, name: string, create: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? create();
}
