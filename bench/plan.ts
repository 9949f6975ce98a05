// How long each part of a run lasts. The full plan fits `npm run bench` in 15 minutes on a
// 2-core machine with two workloads and two targets; the quick plan fits in 2 minutes.

export interface RunPlan {
  /** Short closed-loop run that warms the node and sizes the saturation phase. */
  readonly probeMs: number;
  readonly saturationMs: number;
  /** Each open-loop latency phase (50% and 90% of saturation). */
  readonly latencyMs: number;
  /** Longest wait for a phase's last transactions to be included; the next phase starts once they are. */
  readonly drainMs: number;
  /** Window with no load over which validator CPU and messages per empty height are read. */
  readonly idleMs: number;
  /** One-validator-down phase: before the kill, while down, after the restart. */
  readonly oneDownSliceMs: number;
  /** Transactions executed for the single-core bound. */
  readonly boundTxs: number;
  /** Generator self-test against the instant node. */
  readonly capacityMs: number;
  readonly senders: number;
  /** Committee sizes whose consensus messages per height the simulator counts (bench/message-scaling.ts). */
  readonly scalingSizes: readonly number[];
}

export const FULL_PLAN: RunPlan = {
  probeMs: 3_000,
  saturationMs: 20_000,
  latencyMs: 15_000,
  drainMs: 60_000,
  idleMs: 10_000,
  oneDownSliceMs: 10_000,
  boundTxs: 5_000,
  capacityMs: 3_000,
  senders: 1_000,
  scalingSizes: [4, 16, 31, 64],
};

export const QUICK_PLAN: RunPlan = {
  probeMs: 1_000,
  saturationMs: 4_000,
  latencyMs: 2_500,
  drainMs: 15_000,
  idleMs: 3_000,
  oneDownSliceMs: 2_500,
  // Three measured blocks of 500 after the warm-up block: one is too noisy on a shared machine.
  boundTxs: 2_000,
  capacityMs: 1_000,
  senders: 200,
  scalingSizes: [4, 31],
};

/** Pre-signed transactions for a closed-loop phase: headroom over the rate seen in the probe. */
export const CLOSED_LOOP_HEADROOM = 2;
/** Lower bound on the closed-loop supply so a slow probe cannot starve the phase. */
export const MIN_CLOSED_LOOP_TPS = 500;
/** Shares of saturation throughput at which latency is measured. */
export const LATENCY_LOADS = [0.5, 0.9] as const;

/** A plan with every phase scaled to `durationS` seconds of saturation (the --duration flag). */
export function withDuration(base: RunPlan, durationS: number): RunPlan {
  const scale = (durationS * 1000) / base.saturationMs;
  return {
    ...base,
    saturationMs: durationS * 1000,
    latencyMs: Math.round(base.latencyMs * scale),
    oneDownSliceMs: Math.round(base.oneDownSliceMs * scale),
  };
}
