// `npm run bench`: Synod's 4-validator devnet and a peer (Hardhat automine) on the same
// workloads with the same generator, beside the physical bound measured in the same run.
// Writes bench/results/latest.json (issue 6's shape), a detail file and an SVG plot.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { parseArgs, USAGE, type BenchOptions, type PeerName } from './args.js';
import { BenchError } from './errors.js';
import { FULL_PLAN, QUICK_PLAN, withDuration, type RunPlan } from './plan.js';
import { benchAccounts, benchDeployer, type Account } from './tx/accounts.js';
import { measureGeneratorCapacity, type CapacityFigures } from './generator/capacity.js';
import { measureBound } from './bound/index.js';
import type { BoundFigures } from './bound/evm-bound.js';
import { measureTarget, MAX_BATCH_TXS, TOTAL_LANES, type Progress, type TargetFigures } from './suite.js';
import { startAnvil } from './targets/anvil.js';
import { startHardhat } from './targets/hardhat.js';
import { startSynod, SYNOD_VALIDATORS } from './targets/synod.js';
import type { Target } from './targets/types.js';
import type { Workload } from './workloads/types.js';
import { stderrProgress } from './report/progress.js';
import { measureMessageScaling, scalingTable, type ScalingRow } from './message-scaling.js';
import { resultsJson, table, toResult, type MeasuredWorkload } from './report/results.js';
import { renderSvg, type PlotPanel } from './report/svg.js';

const SYNOD_COLOR = '#1f6feb';
const PEER_COLORS: Record<PeerName, string> = { hardhat: '#e8700a', anvil: '#2da44e' };
const PEER_STARTERS: Record<PeerName, Starter> = { hardhat: startHardhat, anvil: startAnvil };

export interface Machine {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly platform: string;
  /** 1-minute load average when the run started: other work on the machine skews every figure. */
  readonly loadAverage1m: number;
}

function machine(): Machine {
  return { cpuModel: cpus()[0]?.model ?? 'unknown', cores: availableParallelism(), memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, platform: `${process.platform} ${process.arch}`, loadAverage1m: Math.round(loadavg()[0] * 100) / 100 };
}

type Starter = (senders: readonly Account[]) => Promise<Target>;

/**
 * Starts a target, measures every workload on it, always stops it. A target whose automine can
 * die under a burst (it has a `nudge`: Anvil) is started afresh for each workload, so that each
 * workload's round trip and first phases meet a healthy node.
 */
async function measureOn(start: Starter, workloads: readonly Workload[], plan: RunPlan, senders: readonly Account[], progress: Progress, active: Set<Target>, notes: string[]) {
  // The deployer is funded with the senders (genesis for Hardhat, a funding phase for Synod).
  const launch = async () => {
    const started = await start([...senders, benchDeployer()]);
    active.add(started);
    progress.note(`${started.name} ${started.version} at ${started.endpoints.join(', ')}`);
    return started;
  };
  let target = await launch();
  try {
    const out = new Map<string, TargetFigures>();
    for (const [i, w] of workloads.entries()) {
      if (i > 0 && target.nudge !== undefined) {
        active.delete(target);
        await target.stop();
        target = await launch();
      }
      try {
        out.set(w.name, await measureTarget(target, w, plan, progress, senders));
      } catch (err) {
        // One workload failing (a node crash, say) must not discard the others' figures.
        const line = `${target.name} ${w.name} failed (${err instanceof Error ? err.message.split('\n')[0] : String(err)}); its figures are null.`;
        notes.push(line);
        progress.note(line);
      }
    }
    return { target, figures: out };
  } finally {
    active.delete(target);
    await target.stop();
  }
}

async function measureSynod(opts: BenchOptions, plan: RunPlan, senders: readonly Account[], progress: Progress, active: Set<Target>, notes: string[]) {
  if (opts.noSynod) {
    notes.push('Synod was skipped (--no-synod).');
    return undefined;
  }
  try {
    return await measureOn(startSynod, opts.workloads, plan, senders, progress, active, notes);
  } catch (err) {
    // The node is young: a failure on its side must not cost the peer's and the bound's figures.
    const message = err instanceof Error ? err.message : String(err);
    const reason = message.split('\n').filter((l) => l.trim()).slice(-1)[0] ?? message;
    const what = err instanceof BenchError && err.code === 'TARGET_START' ? 'devnet not available' : 'run failed';
    const line = `Synod ${what} (${reason.trim()}); "synod" is null in the results.`;
    notes.push(line);
    progress.note(line);
    return undefined;
  }
}

/** A peer that cannot start (Anvil's binary missing, say) costs its own figures only. */
async function measurePeer(name: PeerName, opts: BenchOptions, plan: RunPlan, senders: readonly Account[], progress: Progress, active: Set<Target>, notes: string[]) {
  try {
    return await measureOn(PEER_STARTERS[name], opts.workloads, plan, senders, progress, active, notes);
  } catch (err) {
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    const line = `${name} did not run (${message}); it is missing from "peers".`;
    notes.push(line);
    progress.note(line);
    return undefined;
  }
}

function plotPanels(measured: readonly MeasuredWorkload[]): PlotPanel[] {
  return measured.map((m) => {
    const lines = [];
    if (m.synod) lines.push({ label: 'synod (4 validators)', color: SYNOD_COLOR, points: m.synod.series });
    for (const p of m.peers) lines.push({ label: p.name, color: PEER_COLORS[p.name as PeerName] ?? '#888', points: p.figures.series });
    const od = m.synod?.oneDown;
    return { title: m.workload, lines, shade: od ? { fromMs: od.downFromMs, toMs: od.downToMs, label: `${od.killed} down` } : undefined };
  });
}

async function writeOutputs(opts: BenchOptions, measured: readonly MeasuredWorkload[], detail: object): Promise<string> {
  await mkdir(dirname(opts.out), { recursive: true });
  const svgPath = opts.out.replace(/\.json$/, '.svg');
  const detailPath = opts.out.replace(/\.json$/, '-detail.json');
  await writeFile(opts.out, resultsJson(measured.map(toResult)));
  await writeFile(detailPath, JSON.stringify(detail, null, 2) + '\n');
  const caption = `npm run bench ${process.argv.slice(2).join(' ')} — ${new Date().toISOString()} — ${machine().cpuModel}, ${machine().cores} cores`;
  await writeFile(svgPath, renderSvg(plotPanels(measured), caption));
  return `results: ${opts.out}, ${detailPath}, ${svgPath}`;
}

async function run(opts: BenchOptions, progress: Progress, active: Set<Target>): Promise<void> {
  const base = opts.quick ? QUICK_PLAN : FULL_PLAN;
  const plan = opts.durationS === undefined ? base : withDuration(base, opts.durationS);
  const started = Date.now();
  const host = machine();
  const notes: string[] = [];
  const senders = benchAccounts(plan.senders);
  progress.note(`machine: ${host.cpuModel}, ${host.cores} cores, Node ${process.version}, load average ${host.loadAverage1m}; ${plan.senders} senders`);
  if (host.loadAverage1m > host.cores) notes.push(`The machine was busy (load average ${host.loadAverage1m} on ${host.cores} cores): every figure is lower than on an idle machine.`);
  const capacity: CapacityFigures = await measureGeneratorCapacity(plan.capacityMs, TOTAL_LANES, MAX_BATCH_TXS, plan.senders);
  progress.note(`generator capacity (instant node, same process): ${Math.round(capacity.submissionsPerSecond).toLocaleString('en-US')} submissions/s`);
  const bounds = new Map<string, BoundFigures>();
  for (const w of opts.workloads) {
    progress.note(`bound: executing ${plan.boundTxs} ${w.name} transactions on one core`);
    const bound = await measureBound(w, plan.boundTxs, Math.min(plan.senders, 500), SYNOD_VALIDATORS);
    if (bound.note !== undefined) notes.push(bound.note);
    bounds.set(w.name, bound);
  }
  const synod = await measureSynod(opts, plan, senders, progress, active, notes);
  const peers: { target: Target; figures: Map<string, TargetFigures> }[] = [];
  for (const name of opts.peers) {
    const peer = await measurePeer(name, opts, plan, senders, progress, active, notes);
    if (peer) peers.push(peer);
  }
  let scaling: ScalingRow[] = [];
  if (!opts.noSynod) {
    progress.note(`messages per height: simulating committees of ${plan.scalingSizes.join(', ')}`);
    scaling = await measureMessageScaling(plan.scalingSizes);
  }
  const measured: MeasuredWorkload[] = opts.workloads.map((w) => ({
    workload: w.name,
    synod: synod?.figures.get(w.name) ?? null,
    peers: peers.flatMap((p) => (p.figures.has(w.name) ? [{ name: p.target.name, version: p.target.version, figures: p.figures.get(w.name)! }] : [])),
    bound: bounds.get(w.name)!,
  }));
  const detail = { date: new Date().toISOString(), command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(), machine: host, loadAverage1mAtEnd: Math.round(loadavg()[0] * 100) / 100, plan, generator: capacity, notes, elapsedS: (Date.now() - started) / 1000, workloads: measured, messageScaling: scaling };
  const where = await writeOutputs(opts, measured, detail);
  process.stdout.write('\n' + table(measured));
  if (scaling.length > 0) process.stdout.write('\n' + scalingTable(scaling));
  for (const n of notes) process.stdout.write(n + '\n');
  process.stdout.write(`generator capacity: ${Math.round(capacity.submissionsPerSecond)} submissions/s (instant node)\n${where}\nelapsed ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
}

async function main(argv: string[]): Promise<number> {
  let opts;
  try {
    opts = parseArgs(argv);
  } catch (err) {
    if (err instanceof BenchError) {
      process.stderr.write(`bench: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  if (opts === 'help') {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const active = new Set<Target>();
  const onSignal = (): void => {
    Promise.all([...active].map((t) => t.stop()))
      .catch((error: unknown) => process.stderr.write(`bench: stopping targets failed: ${String(error)}\n`))
      .finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await run(opts, stderrProgress(), active);
    return 0;
  } catch (err) {
    await Promise.all([...active].map((t) => t.stop()));
    process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
