// The published shape of bench/results/latest.json (issue 6) and the stdout table.
import type { TargetFigures } from '../suite.js';
import type { BoundFigures } from '../bound/evm-bound.js';

export interface LatencyFigures {
  readonly tps: number;
  /** Submit-to-inclusion latency at 50% of saturation throughput. */
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
}

export interface WorkloadResult {
  readonly workload: string;
  readonly synod: LatencyFigures | null;
  readonly peer: (LatencyFigures & { readonly name: string; readonly version: string }) | null;
  /** synod.tps ÷ peer.tps; null unless both ran. */
  readonly ratio: number | null;
  readonly bound: { readonly singleCoreTps: number; readonly clusterBoundTps: number };
  readonly oneDown: { readonly tpsBefore: number; readonly tpsDuring: number; readonly tpsAfter: number } | null;
}

export interface MeasuredWorkload {
  readonly workload: string;
  readonly synod: TargetFigures | null;
  readonly peer: { readonly name: string; readonly version: string; readonly figures: TargetFigures } | null;
  readonly bound: BoundFigures;
}

const round = (v: number, digits = 1) => Math.round(v * 10 ** digits) / 10 ** digits;
const roundOrNull = (v: number | null) => (v === null ? null : round(v, 2));

function latency(f: TargetFigures): LatencyFigures {
  return { tps: round(f.tps), p50Ms: roundOrNull(f.p50Ms), p99Ms: roundOrNull(f.p99Ms) };
}

export function toResult(m: MeasuredWorkload): WorkloadResult {
  const synod = m.synod ? latency(m.synod) : null;
  const peer = m.peer ? { name: m.peer.name, version: m.peer.version, ...latency(m.peer.figures) } : null;
  const od = m.synod?.oneDown;
  return {
    workload: m.workload,
    synod,
    peer,
    ratio: synod && peer && peer.tps > 0 ? round(synod.tps / peer.tps, 2) : null,
    bound: { singleCoreTps: round(m.bound.singleCoreTps), clusterBoundTps: round(m.bound.clusterBoundTps) },
    oneDown: od ? { tpsBefore: round(od.tpsBefore), tpsDuring: round(od.tpsDuring), tpsAfter: round(od.tpsAfter) } : null,
  };
}

/** One object for one workload, an array for several (the contract). */
export function resultsJson(results: readonly WorkloadResult[]): string {
  return JSON.stringify(results.length === 1 ? results[0] : results, null, 2) + '\n';
}

const cell = (v: number | null, unit = '') => (v === null ? '-' : `${v >= 100 ? v.toFixed(0) : v.toFixed(1)}${unit}`);

export function table(measured: readonly MeasuredWorkload[]): string {
  const head = ['workload', 'target', 'version', 'sat tx/s', 'p50@50%', 'p99@50%', 'p50@90%', 'p99@90%'];
  const rows: string[][] = [];
  for (const m of measured) {
    const add = (name: string, version: string, f: TargetFigures) =>
      rows.push([m.workload, name, version, cell(f.tps), cell(f.p50Ms, ' ms'), cell(f.p99Ms, ' ms'), cell(f.at90.p50Ms, ' ms'), cell(f.at90.p99Ms, ' ms')]);
    if (m.synod) add('synod', '4 validators', m.synod);
    else rows.push([m.workload, 'synod', 'no figures (see notes below)', '-', '-', '-', '-', '-']);
    if (m.peer) add(m.peer.name, m.peer.version, m.peer.figures);
    rows.push([m.workload, 'bound', `1 core; ${m.bound.validators} validators / ${m.bound.cores} cores`, cell(m.bound.singleCoreTps), '', '', '', '']);
    rows.push([m.workload, '', 'cluster bound', cell(m.bound.clusterBoundTps), '', '', '', '']);
  }
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (r: string[]) => r.map((v, c) => (c >= 3 ? v.padStart(widths[c]) : v.padEnd(widths[c]))).join('  ');
  const out = [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
  for (const m of measured) {
    const r = toResult(m);
    if (r.ratio !== null) out.push(`${m.workload}: synod / ${m.peer?.name} = ${r.ratio}x`);
    if (r.oneDown) out.push(`${m.workload}: one validator down: ${r.oneDown.tpsBefore} -> ${r.oneDown.tpsDuring} -> ${r.oneDown.tpsAfter} tx/s (before, during, after)`);
  }
  return out.join('\n') + '\n';
}
