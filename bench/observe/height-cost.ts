// What a finalized height costs the validators over a window: CPU per height per validator
// (each validator process's utime + stime from /proc) and consensus messages per height (frames
// received on the consensus channel, summed over the validators, from their /metrics).
import type { ValidatorProbe } from '../targets/types.js';
import { processCpuMs } from './proc-cpu.js';
import { fetchMetrics, sumSamples } from './prometheus.js';

/** Frames received per channel: the consensus channel is 1 (src/node/wire.ts); a label by name is accepted too. */
const MESSAGES_IN = 'synod_messages_in_total';
const CONSENSUS_CHANNEL_LABELS = ['1', 'consensus'];

export interface HeightCostSnapshot {
  readonly atMs: number;
  readonly height: number;
  /** CPU ms by validator pid; undefined where the process or /proc could not be read. */
  readonly cpuMs: readonly (number | undefined)[];
  readonly pids: readonly number[];
  /** Consensus frames received, summed over the validators; undefined if a counter is missing. */
  readonly consensusFramesIn: number | undefined;
}

export interface HeightCost {
  readonly heights: number;
  readonly windowMs: number;
  /** Mean over the validators of CPU ms per finalized height; null when unreadable or no height finalized. */
  readonly cpuPerHeightMs: number | null;
  /** Each validator's CPU ms per height (null where unreadable or restarted in the window). */
  readonly cpuPerHeightByValidatorMs: readonly (number | null)[];
  readonly messagesPerHeight: number | null;
}

export async function snapshot(probe: ValidatorProbe, height: number, clock: () => number): Promise<HeightCostSnapshot> {
  const pids = await probe.pids();
  const cpuMs = await Promise.all(pids.map(processCpuMs));
  let frames: number | undefined = 0;
  for (const endpoint of probe.metricsEndpoints) {
    const text = await fetchMetrics(endpoint).catch(() => undefined);
    const n = text === undefined ? undefined : sumSamples(text, MESSAGES_IN, { channel: CONSENSUS_CHANNEL_LABELS });
    frames = n === undefined || frames === undefined ? undefined : frames + n;
  }
  return { atMs: clock(), height, cpuMs, pids, consensusFramesIn: frames };
}

export function heightCost(from: HeightCostSnapshot, to: HeightCostSnapshot): HeightCost {
  const heights = to.height - from.height;
  const byValidator = from.pids.map((pid, i) => {
    const a = from.cpuMs[i];
    const b = to.cpuMs[i];
    // A validator restarted in the window (another pid) has no comparable counter.
    if (a === undefined || b === undefined || to.pids[i] !== pid || heights <= 0) return null;
    return (b - a) / heights;
  });
  const known = byValidator.filter((v): v is number => v !== null);
  const frames = from.consensusFramesIn !== undefined && to.consensusFramesIn !== undefined ? to.consensusFramesIn - from.consensusFramesIn : undefined;
  return {
    heights,
    windowMs: to.atMs - from.atMs,
    cpuPerHeightMs: known.length === 0 ? null : known.reduce((s, v) => s + v, 0) / known.length,
    cpuPerHeightByValidatorMs: byValidator,
    messagesPerHeight: frames === undefined || heights <= 0 ? null : frames / heights,
  };
}
