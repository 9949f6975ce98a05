// The published shape of bench/results/latest.json (issue 6's fields, with issue 11's added)
// and the stdout table.
import type { TargetFigures } from '../suite.js';
import type { BoundFigures } from '../bound/evm-bound.js';

export interface LatencyFigures {
  readonly tps: number;
  /** Submit-to-inclusion latency at 50% of saturation throughput. */
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
}

export interface SynodFigures extends LatencyFigures {
  /** One client, one transaction at a time, receipt polled every 2 ms, on the idle devnet. */
  readonly roundTripP50Ms: number | null;
  readonly roundTripP90Ms: number | null;
  /** Validator CPU per finalized height, mean over the validators, over an idle window. */
  readonly cpuPerHeightMs: number | null;
  /** The same over the saturation phase and its drain. */
  readonly cpuPerHeightLoadedMs: number | null;
  /** Consensus frames received per finalized height, summed over the validators, idle window. */
  readonly messagesPerHeight: number | null;
}

export interface PeerFigures extends LatencyFigures {
  readonly name: string;
  readonly version: string;
  readonly roundTripP50Ms: number | null;
}

export interface WorkloadResult {
  readonly workload: string;
  readonly synod: SynodFigures | null;
  /** Hardhat's figures (the peer of issue 6); null when Hardhat did not run. */
  readonly peer: (LatencyFigures & { readonly name: string; readonly version: string }) | null;
  /** synod.tps ÷ Hardhat's tps; null unless both ran. */
  readonly ratio: number | null;
  readonly bound: { readonly singleCoreTps: number; readonly clusterBoundTps: number };
  readonly oneDown: { readonly tpsBefore: number; readonly tpsDuring: number; readonly tpsAfter: number } | null;
  /** Every peer that ran (Hardhat, Anvil), in run order. */
  readonly peers: PeerFigures[];
  /** Per target, per phase: ms from the phase's end to its last inclusion; null if it never drained. */
  readonly drainMs: Record<string, Record<string, number | null>>;
}

export interface MeasuredPeer {
  readonly name: string;
  readonly version: string;
  readonly figures: TargetFigures;
}

export interface MeasuredWorkload {
  readonly workload: string;
  readonly synod: TargetFigures | null;
  readonly peers: readonly MeasuredPeer[];
  readonly bound: BoundFigures;
}

export const HARDHAT = 'hardhat';

const round = (v: number, digits = 1) => Math.round(v * 10 ** digits) / 10 ** digits;
const roundOrNull = (v: number | null | undefined) => (v === null || v === undefined ? null : round(v, 2));

function latency(f: TargetFigures): LatencyFigures {
  return { tps: round(f.tps), p50Ms: roundOrNull(f.p50Ms), p99Ms: roundOrNull(f.p99Ms) };
}

function synodFigures(f: TargetFigures): SynodFigures {
  return {
    ...latency(f),
    roundTripP50Ms: roundOrNull(f.roundTrip?.p50Ms),
    roundTripP90Ms: roundOrNull(f.roundTrip?.p90Ms),
    cpuPerHeightMs: roundOrNull(f.idleCost?.cpuPerHeightMs),
    cpuPerHeightLoadedMs: roundOrNull(f.loadedCost?.cpuPerHeightMs),
    messagesPerHeight: roundOrNull(f.idleCost?.messagesPerHeight),
  };
}

function drains(f: TargetFigures): Record<string, number | null> {
  return Object.fromEntries(f.phases.map((p) => [p.phase, p.drainMs === null ? null : Math.round(p.drainMs)]));
}

export function hardhatOf(m: MeasuredWorkload): MeasuredPeer | undefined {
  return m.peers.find((p) => p.name === HARDHAT);
}

export function toResult(m: MeasuredWorkload): WorkloadResult {
  const synod = m.synod ? synodFigures(m.synod) : null;
  const hardhat = hardhatOf(m);
  const peer = hardhat ? { name: hardhat.name, version: hardhat.version, ...latency(hardhat.figures) } : null;
  const od = m.synod?.oneDown;
  const drainMs: Record<string, Record<string, number | null>> = {};
  if (m.synod) drainMs.synod = drains(m.synod);
  for (const p of m.peers) drainMs[p.name] = drains(p.figures);
  return {
    workload: m.workload,
    synod,
    peer,
    ratio: synod && peer && peer.tps > 0 ? round(synod.tps / peer.tps, 2) : null,
    bound: { singleCoreTps: round(m.bound.singleCoreTps), clusterBoundTps: round(m.bound.clusterBoundTps) },
    oneDown: od ? { tpsBefore: round(od.tpsBefore), tpsDuring: round(od.tpsDuring), tpsAfter: round(od.tpsAfter) } : null,
    peers: m.peers.map((p) => ({ name: p.name, version: p.version, ...latency(p.figures), roundTripP50Ms: roundOrNull(p.figures.roundTrip?.p50Ms) })),
    drainMs,
  };
}

/** One object for one workload, an array for several (the issue's contract). */
export function resultsJson(results: readonly WorkloadResult[]): string {
  return JSON.stringify(results.length === 1 ? results[0] : results, null, 2) + '\n';
}

const cell = (v: number | null | undefined, unit = '') => (v === null || v === undefined ? '-' : `${v >= 100 ? v.toFixed(0) : v.toFixed(1)}${unit}`);
const ratio = (a: number | null | undefined, b: number | null | undefined) => (a === null || a === undefined || b === null || b === undefined || b === 0 ? null : round(a / b, 2));

export function table(measured: readonly MeasuredWorkload[]): string {
  const head = ['workload', 'target', 'version', 'sat tx/s', 'p50@50%', 'p99@50%', 'p50@90%', 'p99@90%', 'rt p50', 'rt p90'];
  const rows: string[][] = [];
  for (const m of measured) {
    const add = (name: string, version: string, f: TargetFigures) =>
      rows.push([m.workload, name, version, cell(f.tps), cell(f.p50Ms, ' ms'), cell(f.p99Ms, ' ms'), cell(f.at90.p50Ms, ' ms'), cell(f.at90.p99Ms, ' ms'), cell(f.roundTrip?.p50Ms, ' ms'), cell(f.roundTrip?.p90Ms, ' ms')]);
    if (m.synod) add('synod', '4 validators', m.synod);
    else rows.push([m.workload, 'synod', 'no figures (see notes below)', '-', '-', '-', '-', '-', '-', '-']);
    for (const p of m.peers) add(p.name, p.version, p.figures);
    rows.push([m.workload, 'bound', `1 core; ${m.bound.validators} validators / ${m.bound.cores} cores`, cell(m.bound.singleCoreTps), '', '', '', '', '', '']);
    rows.push([m.workload, '', 'cluster bound', cell(m.bound.clusterBoundTps), '', '', '', '', '', '']);
  }
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (r: string[]) => r.map((v, c) => (c >= 3 ? v.padStart(widths[c]) : v.padEnd(widths[c]))).join('  ');
  const out = [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
  for (const m of measured) out.push(...ratioLines(m));
  return out.join('\n') + '\n';
}

/** The ratios the targets are stated in, each against a figure of the same run. */
function ratioLines(m: MeasuredWorkload): string[] {
  const out: string[] = [];
  const r = toResult(m);
  const s = m.synod;
  for (const p of m.peers) {
    const tps = ratio(s?.tps, p.figures.tps);
    if (tps !== null) out.push(`${m.workload}: saturation synod / ${p.name} = ${tps}x`);
    const rt = ratio(s?.roundTrip?.p50Ms, p.figures.roundTrip?.p50Ms);
    if (rt !== null) out.push(`${m.workload}: round trip p50 synod / ${p.name} = ${rt}x`);
    const bound = ratio(m.bound.singleCoreTps, p.figures.tps);
    if (bound !== null) out.push(`${m.workload}: single-core execution (${m.bound.method.split(' ')[0]}) / ${p.name} automine = ${bound}x`);
  }
  const ofBound = ratio(s?.tps, m.bound.clusterBoundTps);
  if (ofBound !== null) out.push(`${m.workload}: saturation / cluster bound = ${Math.round(ofBound * 100)}%`);
  const idle = s?.idleCost;
  if (idle) out.push(`${m.workload}: idle ${idle.heights} heights: ${cell(idle.cpuPerHeightMs, ' ms')} CPU per height per validator, ${cell(idle.messagesPerHeight)} consensus messages per height`);
  const loaded = s?.loadedCost;
  if (loaded) out.push(`${m.workload}: under load ${loaded.heights} heights: ${cell(loaded.cpuPerHeightMs, ' ms')} CPU per height per validator, ${cell(loaded.messagesPerHeight)} consensus messages per height`);
  for (const [target, phases] of Object.entries(r.drainMs)) {
    out.push(`${m.workload}: ${target} drain after each phase: ${Object.entries(phases).map(([p, ms]) => `${p} ${ms === null ? 'not drained' : `${ms} ms`}`).join(', ')}`);
  }
  for (const t of [...(s ? [{ name: 'synod', figures: s }] : []), ...m.peers]) {
    const nudged = t.figures.phases.filter((p) => p.nudges > 0);
    if (nudged.length > 0) out.push(`${m.workload}: ${t.name} stalled with accepted transactions unmined and was nudged in: ${nudged.map((p) => `${p.phase} (${p.nudges}x)`).join(', ')}; those phases' latency includes the stall`);
  }
  if (r.oneDown) out.push(`${m.workload}: one validator down: ${r.oneDown.tpsBefore} -> ${r.oneDown.tpsDuring} -> ${r.oneDown.tpsAfter} tx/s (before, during, after)`);
  return out;
}
