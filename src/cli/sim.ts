// `synod sim`: runs the deterministic simulator (src/sim/) for one seed or a swarm of seeds and
// prints a summary, or exactly the JSON object the issue specifies with --json. Exit code 1 when any
// invariant was violated; every failure prints the single command that replays it.
import { CliError, type CliCommand } from './command.js';
import {
  MAX_SEED,
  NETWORK_MODES,
  SCENARIO_DEFAULTS,
  SIGNATURE_MODES,
  STAKE_MODES,
  STRATEGIES,
  ScenarioError,
  type Layer,
  validateScenario,
  type Scenario,
} from '../sim/scenario.js';
import { defaultSwarmJobs, runSwarmParallel } from '../sim/parallel-swarm.js';
import type { FailedRun, SwarmProgress, SwarmResult } from '../sim/swarm.js';

export const MAX_SWARM_SEEDS = 1_000_000;
const DEFAULT_VALIDATORS = 4;
const PROGRESS_EVERY_RUNS = 50; // when stderr is not a terminal, one progress line per this many runs

const help = `usage: synod sim [--validators N] [--byzantine F] [--strategy S] [--seed X] [--heights H]
                 [--seeds M] [--json] [--stakes ${STAKE_MODES.join('|')}]
                 [--signatures ${SIGNATURE_MODES.join('|')}] [--network ${NETWORK_MODES.join('|')}]
                 [--layer node|consensus] [--jobs J] [--epoch-length E [--committee K]]

Runs N validator nodes in one process on a virtual clock, deterministically from one seed: each
node's consensus core, journal, mempool, proposal pacing, certificates and sync over in-memory
twins of the network, stores and execution. Checks agreement, integrity, validity and liveness
(with the round bound of decision 0010), and the chain's own invariants: same blocks everywhere,
every durable block certified, no transaction applied twice, supply conserved, byte budgets kept.
Byzantine members hold just under 1/3 of the weight. A failing run prints the command that
replays it.

  --validators N   committee size (default ${DEFAULT_VALIDATORS})
  --byzantine F    Byzantine members, 3F < N (default: the largest such F)
  --strategy S     ${STRATEGIES.join(' | ')} (default ${SCENARIO_DEFAULTS.strategy};
                   adversary draws a behaviour per Byzantine member from the seed)
  --seed X         the seed of the run, or of the first run of a swarm (default ${SCENARIO_DEFAULTS.seed})
  --heights H      heights every honest member must deliver (default ${SCENARIO_DEFAULTS.heights})
  --seeds M        run a swarm of M seeds X, X+1, ..., every fault setting drawn from each seed
  --json           print exactly {"runs","safetyViolations","livenessViolations","decidedHeights",
                   "messagesPerHeight","delaysPerHeightP50"} (totals; medians over a swarm)
  --stakes         unequal (default) or equal weights
  --signatures     mixed (default: real ed25519 in one run of ten, a fast twin otherwise), twin, ed25519
  --network        hostile (default: drawn from the seed, arbitrary until GST, then ordered by an
                   adversarial scheduler for 'adversary' and 'split') or synchronous
  --layer          node (default: whole nodes) or consensus (the consensus cores alone, with an
                   oracle for sync; faster)
  --jobs J         threads running a swarm's seeds side by side (default: one per core); the
                   results are the same for any J
  --epoch-length E the committee changes every E heights (consensus layer): K of the N
                   validators are drawn per epoch (--committee K, default N), with the Byzantine
                   ones drawn below 1/3 of each committee's weight; members left out keep running,
                   and Byzantine ones keep sending

Exit status: 0 when every run kept every invariant, 1 otherwise, 2 on bad arguments.`;

interface Options {
  readonly scenario: Scenario;
  readonly seeds: number;
  readonly json: boolean;
  readonly jobs: number;
}

const VALUE_FLAGS = ['validators', 'byzantine', 'strategy', 'seed', 'heights', 'seeds', 'stakes', 'signatures', 'network', 'layer', 'jobs', 'epoch-length', 'committee'] as const;
type ValueFlag = (typeof VALUE_FLAGS)[number];

export function parseSimArgs(argv: readonly string[]): Options {
  const values = new Map<ValueFlag, string>();
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--json') {
      json = true;
      continue;
    }
    const [flag, inline] = arg.startsWith('--') ? splitInline(arg.slice(2)) : [undefined, undefined];
    if (flag === undefined || !(VALUE_FLAGS as readonly string[]).includes(flag)) {
      throw new CliError(`unknown argument '${arg}'; run 'synod sim --help' for the options`);
    }
    const value = inline ?? argv[++i];
    if (value === undefined || value.startsWith('--')) throw new CliError(`--${flag} needs a value; run 'synod sim --help'`);
    if (values.has(flag as ValueFlag)) throw new CliError(`--${flag} given twice; give it once`);
    values.set(flag as ValueFlag, value);
  }
  const validators = integer(values, 'validators', DEFAULT_VALIDATORS);
  const scenario: Scenario = {
    validators,
    byzantine: integer(values, 'byzantine', Math.max(0, Math.floor((validators - 1) / 3))),
    strategy: (values.get('strategy') ?? SCENARIO_DEFAULTS.strategy) as Scenario['strategy'],
    seed: integer(values, 'seed', SCENARIO_DEFAULTS.seed),
    heights: integer(values, 'heights', SCENARIO_DEFAULTS.heights),
    stakes: (values.get('stakes') ?? SCENARIO_DEFAULTS.stakes) as Scenario['stakes'],
    signatures: (values.get('signatures') ?? SCENARIO_DEFAULTS.signatures) as Scenario['signatures'],
    network: (values.get('network') ?? SCENARIO_DEFAULTS.network) as Scenario['network'],
    // Epochs run on the consensus layer: it is the default there.
    layer: (values.get('layer') ?? (values.has('epoch-length') ? 'consensus' : 'node')) as Layer,
    ...(values.has('epoch-length') ? { epochLength: integer(values, 'epoch-length', 0) } : {}),
    ...(values.has('committee') ? { committee: integer(values, 'committee', validators) } : {}),
  };
  try {
    validateScenario(scenario);
  } catch (error) {
    if (error instanceof ScenarioError) throw new CliError(error.message);
    throw error;
  }
  const seeds = integer(values, 'seeds', 1);
  if (seeds < 1 || seeds > MAX_SWARM_SEEDS) throw new CliError(`--seeds must be an integer from 1 to ${MAX_SWARM_SEEDS}, got ${seeds}`);
  if (scenario.seed + seeds - 1 > MAX_SEED) throw new CliError(`--seed ${scenario.seed} plus --seeds ${seeds} passes ${MAX_SEED}; lower --seed`);
  const jobs = values.has('jobs') ? integer(values, 'jobs', 1) : defaultSwarmJobs(seeds);
  if (jobs < 1) throw new CliError(`--jobs must be at least 1, got ${jobs}`);
  return { scenario, seeds, json, jobs };
}

function splitInline(body: string): [string, string | undefined] {
  const eq = body.indexOf('=');
  return eq < 0 ? [body, undefined] : [body.slice(0, eq), body.slice(eq + 1)];
}

function integer(values: ReadonlyMap<ValueFlag, string>, flag: ValueFlag, fallback: number): number {
  const raw = values.get(flag);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) throw new CliError(`--${flag} must be a non-negative integer, got '${raw}'`);
  return Number(raw);
}

function progressReporter(total: number): SwarmProgress | undefined {
  if (total <= 1) return undefined;
  const tty = process.stderr.isTTY === true;
  return (done, all, failures, failure) => {
    // A long swarm names each failing seed as it happens, so an interrupted soak still reports it.
    if (failure !== undefined) process.stderr.write(`${tty ? '\r' : ''}sim: seed ${failure.seed} failed; replay: ${failure.replay}\n`);
    if (!tty && done % PROGRESS_EVERY_RUNS !== 0 && done !== all) return;
    const line = `sim: ${done}/${all} runs, ${failures} failed`;
    process.stderr.write(tty ? `\r${line}${done === all ? '\n' : ''}` : `${line}\n`);
  };
}

function printFailures(failures: readonly FailedRun[], total: number): void {
  for (const failure of failures) {
    console.error(`FAILED seed ${failure.seed}: ${failure.violations.length} violation(s)`);
    for (const v of failure.violations.slice(0, 5)) console.error(`  [${v.invariant}] ${v.message}`);
    console.error(`  replay: ${failure.replay}`);
  }
  if (total > failures.length) console.error(`(${total - failures.length} more failing runs not shown)`);
}

function printHuman(options: Options, result: SwarmResult): void {
  const s = result.summary;
  const { scenario } = options;
  console.log(`synod sim: ${s.runs} run(s) of ${scenario.validators} validators (${scenario.byzantine} Byzantine, ${scenario.strategy}, ${scenario.stakes} stakes), ${scenario.heights} heights, seeds ${scenario.seed}..${scenario.seed + options.seeds - 1}`);
  console.log(`  safety violations:   ${s.safetyViolations}`);
  console.log(`  liveness violations: ${s.livenessViolations}`);
  console.log(`  decided heights:     ${s.decidedHeights}`);
  console.log(`  messages per height: ${s.messagesPerHeight} (median)`);
  console.log(`  delays per height:   ${s.delaysPerHeightP50} mean message delays (median)`);
}

export const command: CliCommand = {
  help,
  async run(argv: string[]): Promise<number> {
    const options = parseSimArgs(argv);
    const result = await runSwarmParallel(options.scenario, options.seeds, options.jobs, progressReporter(options.seeds));
    const failing = result.verdicts.filter((v) => v.safety.length + v.liveness.length > 0).length;
    if (options.json) console.log(JSON.stringify(result.summary));
    else printHuman(options, result);
    printFailures(result.failures, failing);
    return failing === 0 ? 0 : 1;
  },
};
