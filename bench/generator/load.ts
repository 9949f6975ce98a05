// The load generator: submits pre-signed raw transactions over many keep-alive lanes with
// JSON-RPC batches, open-loop at a target rate (latency at a given load) or closed-loop as
// fast as the node answers (saturation). It records the submit time of every transaction;
// inclusion is resolved afterwards (see inclusion.ts), so nothing here loads the node beyond
// eth_sendRawTransaction itself.
import { HttpRpcClient, type RpcOutcome } from '../rpc/http-client.js';
import { BenchError } from '../errors.js';
import type { Hex } from '../tx/accounts.js';

/** How often idle lanes look for newly due transactions in open-loop mode. */
export const LANE_TICK_MS = 2;
/** After a lane's endpoint dies, its last this-many transactions are sent again elsewhere, in
 * case the dead node took them without passing them on (duplicates are simply refused). */
export const FAILOVER_RESEND_TXS = 4_096;
/** Distinct error messages kept as samples for the report. */
export const MAX_ERROR_SAMPLES = 5;

export type LoadMode = { readonly kind: 'closed' } | { readonly kind: 'open'; readonly ratePerSecond: number };

export interface GeneratorConfig {
  /** HTTP JSON-RPC endpoints; lanes are spread over them round-robin. */
  readonly endpoints: readonly string[];
  readonly lanesPerEndpoint: number;
  /** Upper bound on transactions per JSON-RPC batch; at most senderCount / lanes, so that no
   * batch holds two transactions of one sender (nodes may run batch items concurrently). */
  readonly maxBatchTxs: number;
  /** Transaction i is signed by sender i % senderCount; a sender always uses the same lane. */
  readonly senderCount: number;
}

export interface PhaseSpec {
  readonly name: string;
  readonly mode: LoadMode;
  readonly durationMs: number;
  /** Called about every 100 ms with the number of transactions sent so far. */
  readonly onTick?: (sent: number, elapsedMs: number) => void;
}

export interface SubmitRecord {
  readonly phase: string;
  readonly mode: LoadMode;
  readonly hashes: readonly Hex[];
  /** Clock time each transaction was handed to the socket; NaN if never sent. */
  readonly submitMs: Float64Array;
  /** true if the node answered the submission with an error. */
  readonly refused: Uint8Array;
  readonly startMs: number;
  readonly endMs: number;
  readonly sent: number;
  readonly refusedCount: number;
  readonly errorSamples: readonly string[];
  /** Endpoints found dead during the phase. */
  readonly deadEndpoints: readonly string[];
  /** True if the phase ran out of pre-signed transactions before its time was up. */
  readonly exhausted: boolean;
}

const PROGRESS_INTERVAL_MS = 100;

class Lane {
  /** Global indices of this lane's transactions, in send order. */
  readonly queue: number[] = [];
  cursor = 0;
  endpointIndex: number;
  client: HttpRpcClient;

  constructor(endpointIndex: number, endpoints: readonly string[]) {
    this.endpointIndex = endpointIndex;
    this.client = new HttpRpcClient(endpoints[endpointIndex]);
  }
}

class PhaseState {
  sent = 0;
  refusedCount = 0;
  stop = false;
  readonly errorSamples: string[] = [];
  readonly dead = new Set<number>();
  readonly submitMs: Float64Array;
  readonly refused: Uint8Array;

  constructor(readonly count: number) {
    this.submitMs = new Float64Array(count).fill(Number.NaN);
    this.refused = new Uint8Array(count);
  }

  noteError(message: string): void {
    if (this.errorSamples.length < MAX_ERROR_SAMPLES && !this.errorSamples.includes(message)) this.errorSamples.push(message);
  }
}

function buildLanes(cfg: GeneratorConfig, count: number): Lane[] {
  if (cfg.endpoints.length === 0) throw new BenchError('BAD_FLAG', 'no endpoint to send load to');
  const laneCount = cfg.endpoints.length * cfg.lanesPerEndpoint;
  const lanes = Array.from({ length: laneCount }, (_, l) => new Lane(l % cfg.endpoints.length, cfg.endpoints));
  for (let i = 0; i < count; i++) lanes[(i % cfg.senderCount) % laneCount].queue.push(i);
  return lanes;
}

/** Sends `raws` under `spec`; resolves when the phase time is over and every request has answered. */
export async function runPhase(raws: readonly Hex[], hashes: readonly Hex[], spec: PhaseSpec, cfg: GeneratorConfig, clock: () => number): Promise<SubmitRecord> {
  const state = new PhaseState(raws.length);
  const lanes = buildLanes(cfg, raws.length);
  const startMs = clock();
  const dueCount = (): number =>
    spec.mode.kind === 'closed' ? raws.length : Math.min(raws.length, Math.floor(((clock() - startMs) / 1000) * spec.mode.ratePerSecond));
  const ticker = startTicker(spec, state, startMs, clock);
  await Promise.all(lanes.map((lane) => driveLane(lane, raws, state, cfg, dueCount, clock)));
  ticker.stop();
  const endMs = Math.min(clock(), startMs + spec.durationMs);
  for (const lane of lanes) lane.client.close();
  return {
    phase: spec.name,
    mode: spec.mode,
    hashes,
    submitMs: state.submitMs,
    refused: state.refused,
    startMs,
    endMs,
    sent: state.sent,
    refusedCount: state.refusedCount,
    errorSamples: state.errorSamples,
    deadEndpoints: [...state.dead].map((i) => cfg.endpoints[i]),
    exhausted: state.sent >= raws.length && clock() - startMs < spec.durationMs * 0.95,
  };

  function startTicker(s: PhaseSpec, st: PhaseState, t0: number, now: () => number) {
    let last = 0;
    const timer = setInterval(() => {
      const elapsed = now() - t0;
      if (elapsed >= s.durationMs) st.stop = true;
      if (elapsed - last >= PROGRESS_INTERVAL_MS) {
        last = elapsed;
        s.onTick?.(st.sent, elapsed);
      }
    }, LANE_TICK_MS);
    return { stop: () => clearInterval(timer) };
  }
}

async function driveLane(lane: Lane, raws: readonly Hex[], state: PhaseState, cfg: GeneratorConfig, dueCount: () => number, clock: () => number): Promise<void> {
  while (!state.stop && lane.cursor < lane.queue.length) {
    const due = dueCount();
    const batch: number[] = [];
    while (batch.length < cfg.maxBatchTxs && lane.cursor < lane.queue.length && lane.queue[lane.cursor] < due) {
      batch.push(lane.queue[lane.cursor++]);
    }
    if (batch.length === 0) {
      await sleep(LANE_TICK_MS);
      continue;
    }
    const now = clock();
    for (const i of batch) state.submitMs[i] = now;
    state.sent += batch.length;
    if (!(await sendWithFailover(lane, batch, raws, state, cfg))) return;
  }
}

/** Sends one batch; on a dead endpoint moves the lane to the next live one. False when none is left. */
async function sendWithFailover(lane: Lane, batch: number[], raws: readonly Hex[], state: PhaseState, cfg: GeneratorConfig): Promise<boolean> {
  for (;;) {
    try {
      const outcomes = await lane.client.batch(batch.map((i) => ({ method: 'eth_sendRawTransaction', params: [raws[i]] })));
      recordOutcomes(batch, outcomes, state);
      return true;
    } catch (err) {
      if (!(err instanceof BenchError) || err.code !== 'RPC_TRANSPORT') throw err;
      state.dead.add(lane.endpointIndex);
      state.noteError(err.message);
      if (!moveLane(lane, cfg, state)) return false;
      // Resend what the dead node may have swallowed, in order, before the failed batch.
      const from = Math.max(0, lane.cursor - batch.length - FAILOVER_RESEND_TXS);
      const resend = lane.queue.slice(from, lane.cursor - batch.length);
      for (let k = 0; k < resend.length; k += cfg.maxBatchTxs) {
        const part = resend.slice(k, k + cfg.maxBatchTxs);
        await lane.client.batch(part.map((i) => ({ method: 'eth_sendRawTransaction', params: [raws[i]] }))).catch(() => undefined);
      }
    }
  }
}

function moveLane(lane: Lane, cfg: GeneratorConfig, state: PhaseState): boolean {
  const n = cfg.endpoints.length;
  for (let step = 1; step <= n; step++) {
    const candidate = (lane.endpointIndex + step) % n;
    if (!state.dead.has(candidate)) {
      lane.client.close();
      lane.endpointIndex = candidate;
      lane.client = new HttpRpcClient(cfg.endpoints[candidate]);
      return true;
    }
  }
  return false;
}

function recordOutcomes(batch: readonly number[], outcomes: readonly RpcOutcome[], state: PhaseState): void {
  for (let k = 0; k < batch.length; k++) {
    const o = outcomes[k];
    if (o.ok) continue;
    state.refused[batch[k]] = 1;
    state.refusedCount++;
    state.noteError(o.error.message);
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
