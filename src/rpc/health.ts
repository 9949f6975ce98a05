// Probe routes, answered without a Host check so that load balancers and orchestrators reach
// them under any name: /health (head and syncing, always 200), /livez (200 while the process
// serves), /readyz (503 while the node syncs or reaches less than a quorum of the committee's
// weight, itself included; 200 otherwise) and /metrics (Prometheus). Served on the RPC port and
// on the separate metrics listener when one is configured.
import type { RpcBackend } from './backend.js';

export interface ProbeAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

export const PROBE_PATHS: ReadonlySet<string> = new Set(['/health', '/livez', '/readyz', '/metrics']);

const json = (status: number, value: unknown): ProbeAnswer => ({ status, contentType: 'application/json', body: JSON.stringify(value) });

/** Ready: not syncing, and the node plus its connected peers hold quorum weight. */
export function readiness(backend: RpcBackend): ProbeAnswer {
  const quorumWeight = backend.committee().quorumWeight;
  const connectedWeight = backend.connectedWeight();
  const weights = { connectedWeight: connectedWeight.toString(), quorumWeight: quorumWeight.toString() };
  if (backend.syncing() !== false) {
    return json(503, { ready: false, reason: 'syncing', ...weights });
  }
  if (connectedWeight < quorumWeight) {
    return json(503, { ready: false, reason: `connected peers hold weight ${connectedWeight} with this node, a quorum needs ${quorumWeight}`, ...weights });
  }
  return json(200, { ready: true, reason: 'in sync and connected to a quorum', ...weights });
}

/** The answer for a probe path, or undefined when `path` is not one. */
export async function probe(path: string, backend: RpcBackend): Promise<ProbeAnswer | undefined> {
  switch (path) {
    case '/health':
      return json(200, { head: backend.headNumber().toString(), syncing: backend.syncing() !== false });
    case '/livez':
      return json(200, { live: true });
    case '/readyz':
      return readiness(backend);
    case '/metrics':
      if (backend.metrics === undefined) return { status: 404, contentType: 'text/plain', body: 'metrics are not enabled on this node\n' };
      return { status: 200, contentType: backend.metrics.contentType, body: await backend.metrics.metrics() };
    default:
      return undefined;
  }
}
