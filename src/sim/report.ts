// Figures for docs/consensus.md: messages, bytes and decision latency per height for several
// committee sizes, equal and unequal stakes, on a synchronous network where every message takes
// exactly one delay (so latency in message delays is exact), all honest and with silent members
// holding just under 1/3 of the weight. Run:
//   node --import tsx src/sim/report.ts [--heights H] [--seed X]
import { runSimulation } from './simulation.js';
import { judge } from './verdict.js';
import type { Scenario, StakeMode } from './scenario.js';

export const REPORT_SIZES = [4, 7, 10, 16, 31] as const;

export interface ReportRow {
  readonly validators: number;
  readonly byzantine: number;
  readonly stakes: StakeMode;
  readonly messagesPerHeight: number;
  readonly bytesPerHeight: number;
  readonly delaysPerHeightP50: number;
  readonly violations: number;
  readonly wallMs: number;
}

export function reportRow(validators: number, byzantine: number, stakes: StakeMode, heights: number, seed: number): ReportRow {
  const scenario: Scenario = { validators, byzantine, strategy: 'silent', seed, heights, stakes, signatures: 'twin', network: 'synchronous' };
  const started = performance.now();
  const verdict = judge(runSimulation(scenario));
  return {
    validators,
    byzantine,
    stakes,
    messagesPerHeight: Math.round(verdict.messagesPerHeight),
    bytesPerHeight: Math.round(verdict.bytesPerHeight),
    delaysPerHeightP50: Math.round(verdict.delaysPerHeightP50 * 10) / 10,
    violations: verdict.safety.length + verdict.liveness.length,
    wallMs: Math.round(performance.now() - started),
  };
}

function main(argv: readonly string[]): void {
  const flag = (name: string, fallback: number): number => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? Number(argv[i + 1]) : fallback;
  };
  const heights = flag('heights', 10);
  const seed = flag('seed', 1);
  console.log(`| N | Byzantine (silent) | stakes | messages/height | bytes/height | latency (message delays, p50) | violations | wall ms |`);
  console.log(`|---|---|---|---|---|---|---|---|`);
  for (const n of REPORT_SIZES) {
    for (const byzantine of [0, Math.floor((n - 1) / 3)]) {
      for (const stakes of ['equal', 'unequal'] as const) {
        const r = reportRow(n, byzantine, stakes, heights, seed);
        console.log(`| ${r.validators} | ${r.byzantine} | ${r.stakes} | ${r.messagesPerHeight} | ${r.bytesPerHeight} | ${r.delaysPerHeightP50} | ${r.violations} | ${r.wallMs} |`);
      }
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) main(process.argv.slice(2));
