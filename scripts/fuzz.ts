// Long fuzz runs of every decoder target (test/fuzz/targets): the same properties `npm test`
// runs briefly, as many inputs as asked, with progress on stderr. A failure prints the
// counterexample and the one command that replays it.
// Usage: npm run fuzz -- [--runs 20000] [--only <name part>] [--seed <n>] [--list]
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { runOptions } from '../test/fuzz/harness.js';
import { FUZZ_TARGETS } from '../test/fuzz/targets/index.js';

const DEFAULT_RUNS = 20_000;
/** A terminal gets one line rewritten every second; a log file a new line every ten. */
const TTY = process.stderr.isTTY === true;
const PROGRESS_INTERVAL_MS = TTY ? 1_000 : 10_000;
const CLEAR_LINE = TTY ? '\r\x1b[K' : '';

function fail(message: string): never {
  console.error(`synod fuzz: ${message}`);
  process.exit(2);
}

const { values } = parseArgs({
  options: { runs: { type: 'string' }, only: { type: 'string' }, seed: { type: 'string' }, list: { type: 'boolean', default: false } },
  strict: true,
});
const runs = values.runs === undefined ? DEFAULT_RUNS : Number(values.runs);
if (!Number.isSafeInteger(runs) || runs < 1) fail(`--runs must be a positive integer, got ${values.runs}`);
const seed = values.seed === undefined ? Date.now() ^ (process.pid << 8) : Number(values.seed);
if (!Number.isSafeInteger(seed)) fail(`--seed must be an integer, got ${values.seed}`);
const targets = FUZZ_TARGETS.filter((t) => values.only === undefined || t.name.includes(values.only));
if (values.list) {
  for (const t of FUZZ_TARGETS) console.log(t.name);
  process.exit(0);
}
if (targets.length === 0) fail(`no target matches --only ${values.only}; --list shows them`);

let failed = 0;
console.error(`fuzzing ${targets.length} target(s), ${runs} inputs each, seed ${seed}`);
for (const [index, target] of targets.entries()) {
  let done = 0;
  const started = Date.now();
  let shown = started;
  const tick = () => {
    done++;
    const now = Date.now();
    if (now - shown < PROGRESS_INTERVAL_MS) return;
    shown = now;
    const rate = Math.round(done / ((now - started) / 1000));
    const line = `[${index + 1}/${targets.length}] ${target.name}: ${Math.min(done, runs)}/${runs} inputs (${rate}/s)`;
    process.stderr.write(TTY ? `${CLEAR_LINE}${line}` : `${line}\n`);
  };
  const details = await fc.check(target.property(tick), runOptions(runs, seed));
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  process.stderr.write(CLEAR_LINE);
  if (details.failed) {
    failed++;
    console.error(`[${index + 1}/${targets.length}] ${target.name}: FAILED after ${details.numRuns} inputs (${seconds} s)`);
    console.error(fc.defaultReportMessage(details) ?? '');
    console.error(`replay: npm run fuzz -- --only ${target.name} --seed ${seed} --runs ${runs}`);
  } else {
    console.error(`[${index + 1}/${targets.length}] ${target.name}: ${details.numRuns} inputs, no failure (${seconds} s)`);
  }
}
process.exit(failed === 0 ? 0 : 1);
