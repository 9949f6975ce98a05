// Loads a 4-validator devnet with ETH transfers and reports where the validators spend their
// time: a closed-loop saturation phase (throughput), then an open-loop phase at a fixed rate
// (submit-to-inclusion latency). With --profile, every validator process writes a V8 CPU
// profile (bench/profiler-preload.mjs) on its clean stop, and the top functions by self and inclusive
// time are printed, summed over the validators.
// With --breakdown, it prints where a height's CPU goes instead (signing, verification, encoding,
// journal, storage, execution, timers, ...) per validator, for an idle window (--idle-seconds)
// and for an open-loop window at --rate: every validator is profiled exactly over each window
// (SIGUSR2 starts and stops its profiler, bench/profiler-preload.mjs) and the samples are sorted
// by bench/profile/breakdown.ts, beside the CPU time /proc says the validators used.
// Run: node --import tsx bench/validator-profile.ts [--seconds 10] [--rate 300] [--senders 400] [--open-only] [--profile]
//      [--attach RPC_PORT]  (load a running `synod devnet --rpc-port RPC_PORT` instead of starting one)
//      node --import tsx bench/validator-profile.ts --breakdown [--idle-seconds 10] [--seconds 10] [--rate 100]
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fromHex, toHex } from '../src/crypto/bytes.js';
import { keccak256 } from '../src/crypto/hash.js';
import { BlockIndex, resolveInclusion } from './generator/inclusion.js';
import { runPhase, type LoadMode } from './generator/load.js';
import { phaseFigures, type PhaseFigures } from './generator/metrics.js';
import { watchBlocks, type BlockWatcher } from './rpc/block-watcher.js';
import { HttpRpcClient } from './rpc/http-client.js';
import { fetchNonces } from './targets/rpc-chain.js';
import { SYNOD_VALIDATORS, fundSenders, startSynod } from './targets/synod.js';
import type { Target } from './targets/types.js';
import { benchAccounts, type Account, type Hex } from './tx/accounts.js';
import { transferWorkload } from './workloads/transfer.js';
import type { WorkloadContext } from './workloads/types.js';
import { GAS_PRICE_WEI, generatorConfig } from './suite.js';
import { breakdownTable, perHeight, type CpuProfile } from './profile/breakdown.js';
import { heightCost, snapshot } from './observe/height-cost.js';

/** Longest wait for a phase's last transactions to be included. */
const DRAIN_MS = 10_000;
/** Pre-signed supply of the closed-loop phase, per second of it: far above what 2 cores reach. */
const CLOSED_LOOP_SUPPLY_TPS = 3_000;
const TOP_FUNCTIONS = 30;
/** Starts the CPU profiler in every process it is preloaded in (NODE_OPTIONS refuses --cpu-prof). */
const PRELOAD = new URL('./profiler-preload.mjs', import.meta.url).href;
/** Offered rate of the breakdown's loaded window (tx/s). */
const BREAKDOWN_RATE_TPS = 100;
/** How long to wait for the validators' profiler handlers and profile files. */
const PROFILE_FILE_WAIT_MS = 30_000;

interface Options {
  readonly seconds: number;
  readonly rate: number;
  readonly senders: number;
  readonly profile: boolean;
  /** Skip the saturation phase: measure CPU per transaction and latency below capacity only. */
  readonly openOnly: boolean;
  /** RPC port of validator 0 of a running 4-validator devnet to load instead of starting one. */
  readonly attach: number | undefined;
  /** Print the per-height CPU breakdown of an idle and a loaded window instead. */
  readonly breakdown: boolean;
  readonly idleSeconds: number;
  /** Keep the --breakdown profiles (their folder is printed) instead of deleting them. */
  readonly keepProfiles: boolean;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '10' },
      rate: { type: 'string' },
      senders: { type: 'string', default: '400' },
      profile: { type: 'boolean', default: false },
      'open-only': { type: 'boolean', default: false },
      attach: { type: 'string' },
      breakdown: { type: 'boolean', default: false },
      'idle-seconds': { type: 'string', default: '10' },
      'keep-profiles': { type: 'boolean', default: false },
    },
  });
  const seconds = Number(values.seconds);
  // A loaded window below saturation by default for the breakdown, so its heights are not a backlog's.
  const rate = Number(values.rate ?? (values.breakdown ? BREAKDOWN_RATE_TPS : 300));
  const idleSeconds = Number(values['idle-seconds']);
  if (!(idleSeconds > 0)) throw new Error('--idle-seconds must be a positive number');
  const senders = Number(values.senders);
  if (!(seconds > 0) || !(rate > 0) || !Number.isInteger(senders) || senders < 1) throw new Error('--seconds and --rate must be positive numbers, --senders a positive integer');
  const attach = values.attach === undefined ? undefined : Number(values.attach);
  if (attach !== undefined && !Number.isInteger(attach)) throw new Error('--attach takes the RPC port of validator 0');
  if (values.breakdown && attach !== undefined) throw new Error('--breakdown starts its own devnet (its validators must load the profiler): drop --attach');
  return { seconds, rate, senders, profile: values.profile, openOnly: values['open-only'], attach, breakdown: values.breakdown, idleSeconds, keepProfiles: values['keep-profiles'] };
}

/** CPU seconds the validators have used (prom-client's process_cpu_seconds_total), summed. */
async function validatorCpuSeconds(target: Target): Promise<number> {
  let total = 0;
  for (const endpoint of target.endpoints) {
    const text = await (await fetch(`${endpoint}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith('process_cpu_seconds_total'));
    if (line === undefined) throw new Error(`${endpoint}/metrics has no process_cpu_seconds_total`);
    total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

interface PhaseResult {
  readonly figures: PhaseFigures;
  /** Validator CPU (all of them) per included transaction: the figure a busy machine does not skew. */
  readonly cpuMsPerTx: number;
}

async function phase(target: Target, ctx: WorkloadContext, watcher: BlockWatcher, name: string, mode: LoadMode, durationMs: number, supplyTps: number): Promise<PhaseResult> {
  const clock = () => performance.now();
  const raws = await transferWorkload.buildTransactions(ctx, Math.ceil((supplyTps * durationMs) / 1000));
  const hashes = raws.map((r) => `0x${toHex(keccak256(fromHex(r)))}` as Hex);
  const fromBlock = watcher.latest();
  const cpuBefore = await validatorCpuSeconds(target);
  const record = await runPhase(raws, hashes, { name, mode, durationMs }, generatorConfig(target, ctx.senders.length), clock);
  const client = new HttpRpcClient(target.endpoints[0]);
  const inclusion = await resolveInclusion(record, new BlockIndex(client, fromBlock), watcher, DRAIN_MS, clock);
  client.close();
  const cpuSeconds = (await validatorCpuSeconds(target)) - cpuBefore;
  // Transactions signed but never sent would leave nonce gaps: continue from the node's view.
  const next = await fetchNonces(target.endpoints[0], ctx.senders.map((a) => a.addressHex), 'pending');
  next.forEach((n, i) => (ctx.nonces[i] = n));
  return { figures: phaseFigures(record, inclusion), cpuMsPerTx: (cpuSeconds * 1000) / Math.max(1, inclusion.includedCount) };
}

function print({ figures: f, cpuMsPerTx }: PhaseResult): void {
  const ms = (v: number | null) => (v === null ? '-' : v.toFixed(0));
  console.log(`${f.phase.padEnd(12)} tps ${f.tps.toFixed(1).padStart(7)}  p50 ${ms(f.p50Ms).padStart(6)} ms  p99 ${ms(f.p99Ms).padStart(6)} ms  sent ${f.sent}  included ${f.included}  refused ${f.refused}  validator CPU ${cpuMsPerTx.toFixed(2)} ms/tx`);
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

/** Self and inclusive sample counts by function, summed over the profiles in `dir`. */
function summarize(dir: string): void {
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { nodes: ProfileNode[]; samples: number[] };
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, number>();
    for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const label = (n: ProfileNode) => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(src|bench)\//, '$1/')}:${n.callFrame.lineNumber + 1}`;
    for (const id of profile.samples) {
      total++;
      const leaf = byId.get(id)!;
      self.set(label(leaf), (self.get(label(leaf)) ?? 0) + 1);
      const seen = new Set<string>();
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
        const key = label(byId.get(at)!);
        if (!seen.has(key)) inclusive.set(key, (inclusive.get(key) ?? 0) + 1);
        seen.add(key);
      }
    }
  }
  const top = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, TOP_FUNCTIONS).map(([k, v]) => `${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`).join('\n');
  console.log(`\nself time (all processes, ${total} samples):\n${top(self)}\n\ninclusive time:\n${top(inclusive)}`);
}

/** A devnet someone else runs (`synod devnet --rpc-port P`): funded here, never stopped. */
async function attach(port: number, senders: readonly Account[]): Promise<Target> {
  const endpoints = Array.from({ length: SYNOD_VALIDATORS }, (_, i) => `http://127.0.0.1:${port + i}`);
  const client = new HttpRpcClient(endpoints[0]);
  const chainId = BigInt(await client.call<string>('eth_chainId'));
  client.close();
  await fundSenders(endpoints[0], chainId, senders);
  return { name: 'synod', version: 'attached', chainId, endpoints, wsEndpoint: `ws://127.0.0.1:${port}`, stop: async () => undefined };
}

async function waitForFiles(paths: readonly string[]): Promise<void> {
  const deadline = Date.now() + PROFILE_FILE_WAIT_MS;
  while (!paths.every((p) => existsSync(p))) {
    if (Date.now() > deadline) throw new Error(`profiler files missing after ${PROFILE_FILE_WAIT_MS} ms: ${paths.filter((p) => !existsSync(p)).join(', ')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Profiles every validator over `run` (SIGUSR2 before and after) and sorts its samples per height. */
async function profiledWindow(target: Target, watcher: BlockWatcher, dir: string, label: string, n: number, run: () => Promise<void>) {
  const probe = target.validators!;
  const pids = await probe.pids();
  const clock = () => performance.now();
  const from = await snapshot(probe, watcher.latest(), clock);
  for (const pid of pids) process.kill(pid, 'SIGUSR2');
  await run();
  for (const pid of pids) process.kill(pid, 'SIGUSR2');
  const cost = heightCost(from, await snapshot(probe, watcher.latest(), clock));
  const files = pids.map((pid) => join(dir, `${pid}-${n}.cpuprofile`));
  await waitForFiles(files);
  const profiles = files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as CpuProfile);
  return { label, heights: cost.heights, byCategory: perHeight(profiles, cost.heights), procMsPerHeight: cost.cpuPerHeightMs };
}

/** The per-height CPU breakdown of an idle and a loaded window, as a table on stdout. */
async function breakdown(opts: Options): Promise<void> {
  const keepProfiles = opts.keepProfiles;
  const dir = mkdtempSync(join(tmpdir(), 'synod-breakdown-'));
  process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --import ${PRELOAD}`.trim();
  process.env.SYNOD_PROFILE_DIR = dir;
  process.env.SYNOD_PROFILE_SIGNAL = '1';
  const senders = benchAccounts(opts.senders);
  const target = await startSynod(senders);
  delete process.env.NODE_OPTIONS;
  delete process.env.SYNOD_PROFILE_SIGNAL;
  try {
    await waitForFiles((await target.validators!.pids()).map((pid) => join(dir, `${pid}.ready`)));
    const nonces = await fetchNonces(target.endpoints[0], senders.map((s) => s.addressHex));
    const ctx: WorkloadContext = { chainId: target.chainId, senders, nonces, gasPriceWei: GAS_PRICE_WEI, chain: { submitAndConfirm: async () => undefined }, state: new Map() };
    const watcher = await watchBlocks(target.endpoints[0], target.wsEndpoint, () => performance.now());
    try {
      const idle = await profiledWindow(target, watcher, dir, 'idle', 1, () => new Promise((r) => setTimeout(r, opts.idleSeconds * 1000)));
      let loadedFigures: PhaseResult | undefined;
      const loaded = await profiledWindow(target, watcher, dir, `${opts.rate} tx/s`, 2, async () => {
        loadedFigures = await phase(target, ctx, watcher, `open ${opts.rate}/s`, { kind: 'open', ratePerSecond: opts.rate }, opts.seconds * 1000, opts.rate);
      });
      process.stdout.write(breakdownTable([idle, loaded]));
      if (loadedFigures) print(loadedFigures);
    } finally {
      await watcher.close();
    }
  } finally {
    await target.stop();
    if (keepProfiles) console.log(`profiles kept in ${dir} (open them in Chrome DevTools or speedscope)`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const opts = options();
  if (opts.breakdown) return breakdown(opts);
  const profileDir = mkdtempSync(join(tmpdir(), 'synod-profile-'));
  // The devnet and its validators inherit these; each writes its profile when it stops cleanly.
  if (opts.profile) {
    process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --import ${PRELOAD}`.trim();
    process.env.SYNOD_PROFILE_DIR = profileDir;
  }
  const senders = benchAccounts(opts.senders);
  const target = opts.attach === undefined ? await startSynod(senders) : await attach(opts.attach, senders);
  delete process.env.NODE_OPTIONS;
  try {
    const nonces = await fetchNonces(target.endpoints[0], senders.map((s) => s.addressHex));
    const ctx: WorkloadContext = { chainId: target.chainId, senders, nonces, gasPriceWei: GAS_PRICE_WEI, chain: { submitAndConfirm: async () => undefined }, state: new Map() };
    const watcher = await watchBlocks(target.endpoints[0], target.wsEndpoint, () => performance.now());
    try {
      if (!opts.openOnly) print(await phase(target, ctx, watcher, 'saturation', { kind: 'closed' }, opts.seconds * 1000, CLOSED_LOOP_SUPPLY_TPS));
      print(await phase(target, ctx, watcher, `open ${opts.rate}/s`, { kind: 'open', ratePerSecond: opts.rate }, opts.seconds * 1000, opts.rate));
    } finally {
      await watcher.close();
    }
  } finally {
    await target.stop();
  }
  if (opts.profile) summarize(profileDir);
  rmSync(profileDir, { recursive: true, force: true });
}

await main();
