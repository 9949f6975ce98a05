// Reads counters from a node's Prometheus text exposition (/metrics).

/** Sum of every sample of metric `name` whose labels include all of `labels` (any one of the values given per label). */
export function sumSamples(text: string, name: string, labels: Record<string, readonly string[]> = {}): number | undefined {
  let total: number | undefined;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})?\s+(\S+)/.exec(line);
    if (match === null || match[1] !== name) continue;
    const have = new Map<string, string>();
    for (const pair of (match[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) have.set(pair[1], pair[2]);
    if (!Object.entries(labels).every(([k, values]) => values.includes(have.get(k) ?? ''))) continue;
    total = (total ?? 0) + Number(match[4]);
  }
  return total;
}

/** The /metrics text of `endpoint` (an HTTP JSON-RPC base URL). */
export async function fetchMetrics(endpoint: string): Promise<string> {
  const response = await fetch(`${endpoint}/metrics`);
  if (!response.ok) throw new Error(`${endpoint}/metrics answered HTTP ${response.status}`);
  return response.text();
}
