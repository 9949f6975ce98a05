// The separate metrics listener (geth's --metrics.addr, Besu's --metrics-host/--metrics-port):
// GET /metrics, plus /livez, /readyz and /health for probes, on an address apart from JSON-RPC
// so that monitoring can be reachable where the RPC port is not (and the other way round).
import { createServer, type Server } from 'node:http';
import type { Logger } from 'pino';
import type { RpcBackend } from './backend.js';
import { probe } from './health.js';

export interface MetricsServer {
  readonly address: { readonly host: string; readonly port: number };
  readonly url: string; // http://host:port
  close(): Promise<void>;
}

export class MetricsServerError extends Error {
  override readonly name = 'MetricsServerError';
}

export async function startMetricsServer(options: { backend: RpcBackend; host: string; port: number; logger?: Logger }): Promise<MetricsServer> {
  const { backend, logger } = options;
  const http = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const answer = req.method === 'GET' || req.method === 'HEAD' ? probe(path, backend) : Promise.resolve(undefined);
    answer.then(
      (a) => {
        const { status, contentType, body } = a ?? { status: 404, contentType: 'text/plain', body: 'not found: GET /metrics, /livez, /readyz or /health\n' };
        res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      (err: unknown) => {
        logger?.error({ err }, 'metrics request failed');
        if (!res.headersSent) res.writeHead(500);
        res.end();
      },
    );
  });
  await listen(http, options.host, options.port);
  const port = (http.address() as { port: number }).port;
  const urlHost = options.host.includes(':') ? `[${options.host}]` : options.host;
  logger?.info({ host: options.host, port }, 'metrics listening');
  return {
    address: { host: options.host, port },
    url: `http://${urlHost}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      }),
  };
}

function listen(http: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      const why = err.code === 'EADDRINUSE' ? `port ${port} is in use` : err.code === 'EACCES' ? 'no permission (use a port above 1023)' : err.message;
      reject(new MetricsServerError(`cannot serve metrics on ${host}:${port}: ${why}; choose another --metrics-addr`));
    };
    http.once('error', onError);
    http.listen(port, host, () => {
      http.off('error', onError);
      resolve();
    });
  });
}
