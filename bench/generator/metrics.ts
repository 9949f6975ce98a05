// Figures of one phase: throughput over the measured window, latency percentiles, and a time
// series for the plot. Pure functions over the submit and inclusion times.
import type { SubmitRecord } from './load.js';
import type { Inclusion } from './inclusion.js';

/** Width of one time-series bucket. */
export const SERIES_BUCKET_MS = 500;
/** The first part of a phase is ramp-up (lanes filling, JIT warming) and is not measured. */
export const WARMUP_FRACTION = 0.1;
export const MAX_WARMUP_MS = 2_000;

export interface PhaseFigures {
  readonly phase: string;
  /** Offered rate for open-loop phases; null for closed-loop (as fast as the node answers). */
  readonly offeredTps: number | null;
  /** Transactions included per second over the measured window. */
  readonly tps: number;
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
  readonly sent: number;
  readonly included: number;
  readonly refused: number;
  readonly durationMs: number;
  /** Time after the phase until its last transaction was included; null if it never drained. */
  readonly drainMs: number | null;
  /** Times the drain stalled and the target was nudged to include what it held (Anvil). */
  readonly nudges: number;
}

export interface SeriesPoint {
  /** Milliseconds since the series origin (middle of the bucket). */
  readonly tMs: number;
  readonly tps: number;
  /** Median latency of the transactions included in this bucket; null if none. */
  readonly p50Ms: number | null;
}

/** Nearest-rank percentile (q in 0..1) of an ascending array; null when empty. */
export function percentile(sorted: ArrayLike<number>, q: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}

export function warmupMs(durationMs: number): number {
  return Math.min(MAX_WARMUP_MS, durationMs * WARMUP_FRACTION);
}

/**
 * Throughput counts every transaction of the phase included after the warm-up, over the time
 * from the end of the warm-up to the later of the phase's end and its last inclusion: a node
 * that accepts a burst quickly and includes it slowly is measured by how fast it includes, not
 * by how much happened to land before the submissions stopped.
 */
export function phaseFigures(record: SubmitRecord, inc: Inclusion): PhaseFigures {
  const windowStart = record.startMs + warmupMs(record.endMs - record.startMs);
  let windowEnd = record.endMs;
  let inWindow = 0;
  const latencies: number[] = [];
  for (let i = 0; i < record.hashes.length; i++) {
    const at = inc.includedMs[i];
    if (Number.isNaN(at)) continue;
    if (at >= windowStart) {
      inWindow++;
      if (at > windowEnd) windowEnd = at;
    }
    const submitted = record.submitMs[i];
    if (submitted >= windowStart && submitted <= record.endMs) latencies.push(at - submitted);
  }
  const windowMs = Math.max(1, windowEnd - windowStart);
  const sorted = Float64Array.from(latencies).sort();
  return {
    phase: record.phase,
    offeredTps: record.mode.kind === 'open' ? record.mode.ratePerSecond : null,
    tps: (inWindow * 1000) / windowMs,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    sent: record.sent,
    included: inc.includedCount,
    refused: record.refusedCount,
    durationMs: record.endMs - record.startMs,
    drainMs: inc.drainMs,
    nudges: inc.nudges,
  };
}

/** Transactions included per second in [fromMs, toMs). */
export function tpsBetween(inc: Inclusion, fromMs: number, toMs: number): number {
  let n = 0;
  for (const at of inc.includedMs) if (at >= fromMs && at < toMs) n++;
  return toMs > fromMs ? (n * 1000) / (toMs - fromMs) : 0;
}

/** Buckets inclusions by time since `originMs`: throughput and median latency per bucket. */
export function series(record: SubmitRecord, inc: Inclusion, originMs: number): SeriesPoint[] {
  const buckets = new Map<number, number[]>();
  for (let i = 0; i < record.hashes.length; i++) {
    const at = inc.includedMs[i];
    if (Number.isNaN(at)) continue;
    const b = Math.floor((at - originMs) / SERIES_BUCKET_MS);
    let list = buckets.get(b);
    if (!list) buckets.set(b, (list = []));
    list.push(at - record.submitMs[i]);
  }
  const first = Math.floor((record.startMs - originMs) / SERIES_BUCKET_MS);
  const last = Math.max(first, ...buckets.keys());
  const out: SeriesPoint[] = [];
  for (let b = first; b <= last; b++) {
    const list = Float64Array.from(buckets.get(b) ?? []).sort();
    out.push({ tMs: (b + 0.5) * SERIES_BUCKET_MS, tps: (list.length * 1000) / SERIES_BUCKET_MS, p50Ms: percentile(list, 0.5) });
  }
  return out;
}
