// Measures one workload on one target: setup, a probe, saturation (closed loop), latency at
// 50% and 90% of saturation (open loop), and, on a cluster, throughput with one validator down.
import { benchAccounts, benchDeployer, type Account, type Hex } from './tx/accounts.js';
import { keccak256 } from '../src/crypto/hash.js';
import { fromHex, toHex } from '../src/crypto/bytes.js';
import { runPhase, type GeneratorConfig, type LoadMode, type SubmitRecord } from './generator/load.js';
import { BlockIndex, resolveInclusion, type Inclusion } from './generator/inclusion.js';
import { phaseFigures, series, tpsBetween, warmupMs, type PhaseFigures, type SeriesPoint } from './generator/metrics.js';
import { measureRoundTrips, ROUND_TRIP_COUNT, type RoundTripFigures } from './generator/round-trip.js';
import { heightCost, snapshot, type HeightCost } from './observe/height-cost.js';
import { watchBlocks, type BlockWatcher } from './rpc/block-watcher.js';
import { HttpRpcClient } from './rpc/http-client.js';
import { RpcSetupChain, fetchNonces } from './targets/rpc-chain.js';
import type { Target } from './targets/types.js';
import type { Workload, WorkloadContext } from './workloads/types.js';
import { CLOSED_LOOP_HEADROOM, LATENCY_LOADS, MIN_CLOSED_LOOP_TPS, type RunPlan } from './plan.js';

export const GAS_PRICE_WEI = 10n ** 10n;
/** Transactions per JSON-RPC batch: large enough to amortize HTTP, small enough to keep latency honest. */
export const MAX_BATCH_TXS = 50;
/** Parallel keep-alive connections in all, spread over the target's endpoints. */
export const TOTAL_LANES = 8;

export interface OneDownFigures {
  readonly tpsBefore: number;
  readonly tpsDuring: number;
  readonly tpsAfter: number;
  readonly killed: string;
  /** Shaded window of the plot, in ms since the target's series origin. */
  readonly downFromMs: number;
  readonly downToMs: number;
}

export interface TargetFigures {
  readonly tps: number;
  /** Latency at 50% of saturation (the headline figure). */
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
  readonly at90: { readonly p50Ms: number | null; readonly p99Ms: number | null };
  readonly phases: readonly PhaseFigures[];
  readonly series: readonly SeriesPoint[];
  readonly oneDown: OneDownFigures | null;
  readonly signRateTps: number;
  readonly watcherMode: BlockWatcher['mode'];
  /** One client, one transaction at a time, on the idle chain. */
  readonly roundTrip: RoundTripFigures | null;
  /** Validator CPU and consensus messages per height over an idle window (targets with a validator probe). */
  readonly idleCost: HeightCost | null;
  /** The same over the saturation phase and its drain. */
  readonly loadedCost: HeightCost | null;
}

export interface Progress {
  phase(label: string, durationMs: number): void;
  tick(sent: number, elapsedMs: number): void;
  note(line: string): void;
}

interface Session {
  readonly target: Target;
  readonly workload: Workload;
  readonly ctx: WorkloadContext;
  readonly watcher: BlockWatcher;
  readonly gen: GeneratorConfig;
  readonly plan: RunPlan;
  readonly progress: Progress;
  readonly originMs: number;
  readonly clock: () => number;
  readonly series: SeriesPoint[];
  signedTxs: number;
  signMs: number;
}

export function generatorConfig(target: Target, senderCount: number): GeneratorConfig {
  const lanesPerEndpoint = Math.max(1, Math.floor(TOTAL_LANES / target.endpoints.length));
  const lanes = lanesPerEndpoint * target.endpoints.length;
  // A batch never holds two transactions of one sender: nodes may run batch items concurrently
  // (Hardhat does), which would reorder that sender's nonces.
  const maxBatchTxs = Math.max(1, Math.min(MAX_BATCH_TXS, Math.floor(senderCount / lanes)));
  return { endpoints: target.endpoints, lanesPerEndpoint, maxBatchTxs, senderCount };
}

export async function measureTarget(target: Target, workload: Workload, plan: RunPlan, progress: Progress, senders: readonly Account[] = benchAccounts(plan.senders)): Promise<TargetFigures> {
  const clock = () => performance.now();
  const setup = new RpcSetupChain(target.endpoints[0], target.nudge?.bind(target));
  const nonces = await fetchNonces(target.endpoints[0], senders.map((s) => s.addressHex));
  const deployer = benchDeployer();
  const [deployerNonce] = await fetchNonces(target.endpoints[0], [deployer.addressHex]);
  const ctx: WorkloadContext = { chainId: target.chainId, senders, nonces, gasPriceWei: GAS_PRICE_WEI, deployer, deployerNonce, chain: setup, state: new Map() };
  progress.note(`${target.name}: ${workload.name} setup`);
  await workload.setup(ctx);
  setup.close();
  const watcher = await watchBlocks(target.endpoints[0], target.wsEndpoint, clock);
  const s: Session = { target, workload, ctx, watcher, gen: generatorConfig(target, senders.length), plan, progress, originMs: clock(), clock, series: [], signedTxs: 0, signMs: 0 };
  try {
    return await measurePhases(s);
  } finally {
    await watcher.close();
  }
}

async function measurePhases(s: Session): Promise<TargetFigures> {
  const idleCost = await measureIdleCost(s);
  const roundTrip = await measureRoundTrip(s);
  const probe = await phase(s, 'probe', { kind: 'closed' }, s.plan.probeMs, MIN_CLOSED_LOOP_TPS * 6);
  const ceiling = Math.max(MIN_CLOSED_LOOP_TPS, probe.figures.tps * CLOSED_LOOP_HEADROOM);
  const before = s.target.validators ? await snapshot(s.target.validators, s.watcher.latest(), s.clock) : undefined;
  const sat = await phase(s, 'saturation', { kind: 'closed' }, s.plan.saturationMs, ceiling);
  const loadedCost = before && s.target.validators ? heightCost(before, await snapshot(s.target.validators, s.watcher.latest(), s.clock)) : null;
  if (loadedCost) s.progress.note(`${s.target.name}: under load ${costLine(loadedCost)}`);
  const phases = [probe.figures, sat.figures];
  const latency: PhaseFigures[] = [];
  for (const share of LATENCY_LOADS) {
    const rate = Math.max(1, sat.figures.tps * share);
    const r = await phase(s, `load ${Math.round(share * 100)}%`, { kind: 'open', ratePerSecond: rate }, s.plan.latencyMs, rate);
    latency.push(r.figures);
    phases.push(r.figures);
  }
  const oneDown = s.target.faults ? await measureOneDownOrNote(s, ceiling) : null;
  return {
    tps: sat.figures.tps,
    p50Ms: latency[0].p50Ms,
    p99Ms: latency[0].p99Ms,
    at90: { p50Ms: latency[1].p50Ms, p99Ms: latency[1].p99Ms },
    phases,
    series: s.series,
    oneDown,
    signRateTps: s.signMs > 0 ? (s.signedTxs * 1000) / s.signMs : 0,
    watcherMode: s.watcher.mode,
    roundTrip,
    idleCost,
    loadedCost,
  };
}

function costLine(c: HeightCost): string {
  const f = (v: number | null, digits: number) => (v === null ? '-' : v.toFixed(digits));
  return `${c.heights} heights in ${(c.windowMs / 1000).toFixed(1)} s: ${f(c.cpuPerHeightMs, 2)} ms CPU per height per validator, ${f(c.messagesPerHeight, 0)} consensus messages per height`;
}

/** CPU and messages per height while nothing is sent: what an empty height costs. */
async function measureIdleCost(s: Session): Promise<HeightCost | null> {
  const probe = s.target.validators;
  if (!probe) return null;
  s.progress.phase(`${s.target.name} idle`, s.plan.idleMs);
  const from = await snapshot(probe, s.watcher.latest(), s.clock);
  await sleep(s.plan.idleMs);
  const cost = heightCost(from, await snapshot(probe, s.watcher.latest(), s.clock));
  s.progress.note(`${s.target.name}: idle ${costLine(cost)}`);
  return cost;
}

/** ROUND_TRIP_COUNT of the workload's transactions from one sender, each after the previous one's receipt. */
async function measureRoundTrip(s: Session): Promise<RoundTripFigures> {
  const one: WorkloadContext = { ...s.ctx, senders: [s.ctx.senders[0]], nonces: [s.ctx.nonces[0]] };
  const raws = await s.workload.buildTransactions(one, ROUND_TRIP_COUNT);
  s.progress.phase(`${s.target.name} ${s.workload.name} round trip`, 0);
  const figures = await measureRoundTrips(s.target.endpoints[0], raws.map((raw) => ({ raw, hash: `0x${toHex(keccak256(fromHex(raw)))}` as Hex })), s.clock);
  s.ctx.nonces[0] = one.nonces[0];
  const ms = (v: number | null) => (v === null ? '-' : v.toFixed(1));
  s.progress.note(`${s.target.name} ${s.workload.name}: round trip p50 ${ms(figures.p50Ms)} ms, p90 ${ms(figures.p90Ms)} ms (${figures.count} in a row, receipt polled every 2 ms)`);
  return figures;
}

interface PhaseRun {
  readonly record: SubmitRecord;
  readonly inclusion: Inclusion;
  readonly figures: PhaseFigures;
}

/** Pre-signs (clock stopped), runs, drains, resolves inclusion, then re-reads nonces. */
async function phase(s: Session, name: string, mode: LoadMode, durationMs: number, supplyTps: number, during?: (clock: () => number) => Promise<void>): Promise<PhaseRun> {
  const count = Math.ceil((supplyTps * durationMs) / 1000) + s.ctx.senders.length;
  const baseNonces = [...s.ctx.nonces];
  const signStart = s.clock();
  const raws = await s.workload.buildTransactions(s.ctx, count);
  const hashes = raws.map((r) => `0x${toHex(keccak256(fromHex(r)))}` as Hex);
  s.signMs += s.clock() - signStart;
  s.signedTxs += count;
  const fromBlock = s.watcher.latest();
  s.progress.phase(`${s.target.name} ${s.workload.name} ${name}`, durationMs);
  // The script (kill, restart) must not abandon a running phase: its failure is raised after.
  let scriptError: unknown;
  const script = during?.(s.clock).catch((err: unknown) => void (scriptError = err));
  const record = await runPhase(raws, hashes, { name, mode, durationMs, onTick: (n, t) => s.progress.tick(n, t) }, s.gen, s.clock);
  await script;
  if (scriptError !== undefined) throw scriptError;
  const client = new HttpRpcClient(s.target.endpoints[0]);
  const nudge = s.target.nudge?.bind(s.target);
  const inclusion = await resolveInclusion(record, new BlockIndex(client, fromBlock), s.watcher, s.plan.drainMs, s.clock, nudge);
  client.close();
  if (inclusion.nudges > 0) s.progress.note(`${s.target.name} ${name}: the drain stalled; nudged the node ${inclusion.nudges} times`);
  const figures = phaseFigures(record, inclusion);
  s.progress.note(
    inclusion.drainMs === null
      ? `${s.target.name} ${name}: not drained within ${s.plan.drainMs} ms (${record.sent - record.refusedCount - inclusion.includedCount} accepted transactions missing)`
      : `${s.target.name} ${name}: ${inclusion.includedCount} included, drained ${inclusion.drainMs.toFixed(0)} ms after the phase`,
  );
  if (record.exhausted) s.progress.note(`warning: ${name} ran out of pre-signed transactions; its throughput is a lower bound`);
  if (record.refusedCount > 0) s.progress.note(`${name}: ${record.refusedCount} submissions refused, e.g. ${record.errorSamples.join(' | ')}`);
  s.series.push(...series(record, inclusion, s.originMs));
  if (inclusion.includedCount >= record.sent - record.refusedCount) rewindNonces(s.ctx.nonces, baseNonces, record);
  else await resyncNonces(s, record.sent - record.refusedCount - inclusion.includedCount);
  return { record, inclusion, figures };
}

/**
 * Some accepted transactions had not landed when the drain time ran out. The node's pending
 * nonce is the truth: it counts what its pool still holds, and stops at a gap if it dropped
 * one (re-signing that nonce gives a byte-identical transaction, RFC 6979, so nothing doubles).
 */
async function resyncNonces(s: Session, missing: number): Promise<void> {
  s.progress.note(`${missing} accepted transactions not included within ${s.plan.drainMs} ms; senders continue from the node's pending nonces`);
  const next = await fetchNonces(s.target.endpoints[0], s.ctx.senders.map((a) => a.addressHex), 'pending');
  next.forEach((n, i) => (s.ctx.nonces[i] = n));
}

/**
 * Transactions signed but never sent must not leave nonce gaps: sender k's transactions are
 * k, k+S, k+2S... with consecutive nonces and go out in order on one lane, so its next nonce
 * is its base plus the number of them that were sent.
 */
export function rewindNonces(nonces: bigint[], base: readonly bigint[], record: SubmitRecord): void {
  const senders = base.length;
  const sent = new Array<number>(senders).fill(0);
  record.submitMs.forEach((t, i) => {
    if (!Number.isNaN(t)) sent[i % senders]++;
  });
  for (let k = 0; k < senders; k++) nonces[k] = base[k] + BigInt(sent[k]);
}

/** A fault the harness could not inject costs the oneDown figure, not the rest of the target's. */
async function measureOneDownOrNote(s: Session, ceiling: number): Promise<OneDownFigures | null> {
  try {
    return await measureOneDown(s, ceiling);
  } catch (err) {
    s.progress.note(`one-validator-down phase failed: ${err instanceof Error ? err.message : String(err)}`);
    return null;
  }
}

async function measureOneDown(s: Session, ceiling: number): Promise<OneDownFigures> {
  const faults = s.target.faults;
  if (!faults) throw new Error('measureOneDown needs a target with fault control');
  const slice = s.plan.oneDownSliceMs;
  let killAt = 0;
  let restartAt = 0;
  let killed = '';
  const script = async (clock: () => number) => {
    await sleep(slice);
    killed = await faults.killOne();
    killAt = clock();
    s.progress.note(`killed ${killed}`);
    await sleep(slice);
    await faults.restartKilled();
    restartAt = clock();
    s.progress.note(`restarted ${killed}`);
  };
  const r = await phase(s, 'one validator down', { kind: 'closed' }, slice * 3, ceiling, script);
  const start = r.record.startMs + warmupMs(slice);
  return {
    tpsBefore: tpsBetween(r.inclusion, start, killAt),
    tpsDuring: tpsBetween(r.inclusion, killAt, restartAt),
    // After the restart, the phase's backlog still draining counts: the window runs to the last inclusion.
    tpsAfter: tpsBetween(r.inclusion, restartAt, Math.max(r.record.endMs, lastInclusionMs(r.inclusion) + 1)),
    killed,
    downFromMs: killAt - s.originMs,
    downToMs: restartAt - s.originMs,
  };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function lastInclusionMs(inc: { readonly includedMs: ArrayLike<number> }): number {
  let last = 0;
  for (let i = 0; i < inc.includedMs.length; i++) if (inc.includedMs[i]! > last) last = inc.includedMs[i]!;
  return last;
}
