// `synod analyze`: the seed's stake model as a command. Weights, selection and "verification"
// probabilities in the article's closed forms, beside the exact inclusion probability under the
// real committee sampler, the committee risk, the recommended K and an SVG plot of risk against K.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CliError, type CliCommand } from './command.js';
import { StakeError } from '../stake/errors.js';
import { type Rational, fromNumber, toNumber } from '../stake/rational.js';
import { CASE_STUDY, type CaseStudy, caseStudy, caseStudyRecords, consensusProbability, selectionProbabilities, stakeWeights, verificationProbability, weightUnits } from '../stake/weight.js';
import { parseStakeFile, type StakeFile } from '../stake/stake-file.js';
import { VALIDATORS_FILE_NODE_FIELDS } from '../node/validators-file.js';
import { DEFAULT_TRIALS, analyzeCommittee, recommendK, type CommitteeAnalysis, type Recommendation } from '../stake/analysis.js';
import type { Estimate } from '../stake/montecarlo.js';
import { encodeFunctionData, formatEther, type Hex } from 'viem';
import { STAKING_ADDRESS, stakingAbi } from '../node/staking.js';

export const DEFAULT_TARGET = 1e-9;

const HELP = `usage: synod analyze --case-study [--pc X] [--json]
       synod analyze --stakes FILE --k K [--target R] [--pc X] [--json] [--plot FILE.svg]
                     [--k-max N] [--trials N] [--mc-seed N]
       synod analyze --rpc URL [--byzantine ID,ID] [--k K] [the options of --stakes]

The seed's stake model (README.md "The seed"): weights V_i, selection probabilities P_j, the article's
"distributed verification" probability (1-P_j)^K, and, for the real committee sampler (K distinct
members, weighted, without replacement), each node's exact inclusion probability, the committee
risk (adversary weight >= 1/3 and >= 2/3 of the committee) and the smallest K that keeps the
first below a target.

options:
  --case-study     reproduce the article's section 4.3 (V_1 = 66.67, P_1 = 0.1, P_1v = 0.81)
  --stakes FILE    JSON: {"T": 90, "form": "product"|"normalized", "nodes": [{"id": "n1",
                   "stake": 100, "lock": 60, "coefficient": 1, "byzantine": false}]}
                   (form defaults to product, coefficient to 1, byzantine to false); a network's
                   validators file (synod init --validators-file) reads as one
  --rpc URL        read the live staking state of a running chain (synod_validators, T from the
                   staking contract, the weight form and K from synod_committee) and analyse it
                   as --stakes would: each registered validator's V_i, P_j and exact inclusion
                   probability in the next committee
  --byzantine IDS  with --rpc: the validators (comma-separated ids) to count as the adversary
  --k K            committee size (1 to the number of nodes with positive weight; with --rpc,
                   default: the chain's committee size)
  --target R       risk target for the recommended K (default ${DEFAULT_TARGET})
  --pc X           P_jc in [0, 1]: also print the article's consensus probability
  --json           print JSON instead of tables (numbers unrounded)
  --plot FILE.svg  draw committee risk against K (log scale) into FILE.svg
  --k-max N        largest K to scan for the recommendation (default: all for exact methods,
                   100 for Monte Carlo)
  --trials N       Monte Carlo trials when no exact method applies (default ${DEFAULT_TRIALS})
  --mc-seed N      base seed of the Monte Carlo trials (default 0); results are reproducible

Methods: exact enumeration up to 20 nodes with positive weight; the hypergeometric law when all
weights are equal; otherwise Monte Carlo over the real sampler with 95% Wilson intervals.`;

const OPTIONS = {
  'case-study': { type: 'boolean' },
  stakes: { type: 'string' },
  rpc: { type: 'string' },
  byzantine: { type: 'string' },
  k: { type: 'string' },
  target: { type: 'string' },
  pc: { type: 'string' },
  json: { type: 'boolean' },
  plot: { type: 'string' },
  'k-max': { type: 'string' },
  trials: { type: 'string' },
  'mc-seed': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; strict: true }>>['values'];

export const command: CliCommand = {
  help: HELP,
  async run(argv: string[]): Promise<number> {
    const values = parseOptions(argv);
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    try {
      if (values['case-study']) return runCaseStudy(values);
      if (values.stakes !== undefined && values.rpc !== undefined) throw new CliError('--stakes and --rpc exclude each other: analyse a file or a running chain');
      if (values.stakes !== undefined) return runStakes(values);
      if (values.rpc !== undefined) return await runRpc(values);
    } catch (error) {
      if (error instanceof StakeError) throw new CliError(`${error.message}`);
      throw error;
    }
    throw new CliError('give --case-study, --stakes FILE --k K or --rpc URL (see synod analyze --help)');
  },
};

function parseOptions(argv: string[]): Values {
  try {
    return parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new CliError(`${(error as Error).message.replace(/\s*\n\s*/g, ' ')} (see synod analyze --help)`);
  }
}

// ---- option values -------------------------------------------------------------------------

function integerOption(text: string | undefined, flag: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (text === undefined) return undefined;
  const value = /^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new CliError(`--${flag} must be an integer from ${min} to ${max} (got "${text}")`);
  }
  return value;
}

function probabilityOption(text: string | undefined, flag: string, open: boolean): number | undefined {
  if (text === undefined) return undefined;
  const value = text.trim() === '' ? NaN : Number(text);
  const ok = Number.isFinite(value) && (open ? value > 0 && value < 1 : value >= 0 && value <= 1);
  if (!ok) throw new CliError(`--${flag} must be a number ${open ? 'strictly between 0 and 1' : 'from 0 to 1'} (got "${text}")`);
  return value;
}

function rejectWith(values: Values, mode: string, flags: readonly (keyof Values)[]): void {
  const extra = flags.find((flag) => values[flag] !== undefined);
  if (extra !== undefined) throw new CliError(`--${String(extra)} does not apply to ${mode}; remove it`);
}

// ---- --case-study ----------------------------------------------------------------------------

function runCaseStudy(values: Values): number {
  rejectWith(values, '--case-study', ['stakes', 'rpc', 'byzantine', 'k', 'target', 'plot', 'k-max', 'trials', 'mc-seed']);
  const pc = probabilityOption(values.pc, 'pc', false);
  const study = caseStudy();
  const real = caseStudyUnderSampler();
  const consensus = pc === undefined ? undefined : consensusProbability(study.verificationProbability, fromNumber(pc), CASE_STUDY.consensusFactors);
  if (values.json) {
    const caseStudyJson = {
      weight: toNumber(study.weight),
      weightByFormula: toNumber(study.weightByFormula),
      selectionProbability: toNumber(study.selectionProbability),
      verificationProbability: toNumber(study.verificationProbability),
      samplerInclusionProbability: real,
      samplerNotDrawnProbability: 1 - real,
      ...(consensus === undefined ? {} : { consensusProbability: toNumber(consensus) }),
    };
    console.log(JSON.stringify({ caseStudy: caseStudyJson }, null, 2));
  } else {
    console.log(caseStudyTable(study, real, pc, consensus));
  }
  return 0;
}

/** Node 1's inclusion probability under the real sampler, by the same exact analysis as --stakes. */
function caseStudyUnderSampler(): number {
  const records = caseStudyRecords();
  const units = weightUnits(stakeWeights(records, { maxLock: CASE_STUDY.maxLock, form: 'product' }));
  const validators = records.map((n, i) => ({ id: n.id, weight: units[i]!, byzantine: false }));
  return analyzeCommittee(validators, CASE_STUDY.k, { trials: 1, monteCarloSeed: 0 }).inclusion.get('n1')!.value;
}

function caseStudyTable(study: CaseStudy, real: number, pc: number | undefined, consensus: Rational | undefined): string {
  const c = CASE_STUDY;
  const rows: string[][] = [
    ['quantity', 'formula', 'article', 'Synod (unrounded)'],
    ['V_1   weight', `${c.stake} x ${c.coefficient} x (1 - ${c.lock}/${c.maxLock}), read as 2/3`, '66.67', String(toNumber(study.weight))],
    ['P_1   selection probability', `V_1 / (${c.stakedNodes} x V_1)`, '0.1', String(toNumber(study.selectionProbability))],
    ['P_1v  verification probability', `(1 - P_1)^${c.k}`, '0.81', String(toNumber(study.verificationProbability))],
    ['P_1(consensus)', `P_1v x P_1c^${c.consensusFactors}`, `0.81 x P_1c^${c.consensusFactors}`, consensus === undefined ? 'give --pc X' : `${toNumber(consensus)}  (P_1c = ${pc})`],
  ];
  return [
    `The seed's case study (section 4.3): ${c.totalNodes} nodes, ${c.stakedNodes} of them staked equally, the rest with no stake;`,
    `node 1: S = ${c.stake}, L = ${c.lock} days, C = ${c.coefficient}, T = ${c.maxLock} days; K = ${c.k}.`,
    '',
    formatTable(rows, [false, false, true, true]),
    '',
    'Quirks kept visible:',
    `- The article evaluates 1 - ${c.lock}/${c.maxLock} as 2/3; it is 1/3, so the formula as written gives V_1 = ${fmt(toNumber(study.weightByFormula))}.`,
    '  The row above follows the article (P_1 and P_1v do not depend on it: all 10 staked nodes are equal).',
    '- V_i falls as the lock grows (0 at L = T) and P_1v treats the K draws as independent, with replacement.',
    `  Synod's sampler draws K distinct members: node 1 is in the committee with probability ${fmt(real)}`,
    `  and left out with probability ${fmt(1 - real)} (the article's 0.81 is the with-replacement figure).`,
    `- The consensus formula multiplies P_1c over K - 1 = ${c.k - 1} validator; the case study over ${c.consensusFactors}. The row follows the case study.`,
  ].join('\n');
}

// ---- --stakes ----------------------------------------------------------------------------------

interface StakesReport {
  readonly file: StakeFile;
  readonly k: number;
  readonly target: number;
  readonly pc: number | undefined;
  readonly weights: readonly Rational[];
  readonly selection: readonly Rational[];
  readonly verification: readonly Rational[];
  readonly analysis: CommitteeAnalysis;
  readonly recommendation: Recommendation;
}

function runStakes(values: Values): number {
  if (values.pc !== undefined && values['case-study']) throw new CliError('--case-study and --stakes exclude each other; pick one');
  if (values.byzantine !== undefined) throw new CliError('--byzantine goes with --rpc; in a stake file mark nodes with "byzantine": true');
  const k = integerOption(values.k, 'k', 1);
  if (k === undefined) throw new CliError('--k is required with --stakes: give the committee size, e.g. --k 4');
  return printReport(values, readStakeFile(values.stakes!), k);
}

function printReport(values: Values, file: StakeFile, k: number): number {
  if (values.plot !== undefined && !values.plot.toLowerCase().endsWith('.svg')) throw new CliError(`--plot must name an .svg file (got "${values.plot}")`);
  const report = buildReport(values, file, k);
  console.log(values.json ? JSON.stringify(reportJson(report), null, 2) : reportText(report));
  if (values.plot !== undefined) writePlot(values.plot, report);
  return 0;
}

function readStakeFile(path: string): StakeFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read --stakes ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); check the path`);
  }
  // A network's validators file (synod init --validators-file) is a stake file with more per node.
  return parseStakeFile(text, { extraNodeFields: VALIDATORS_FILE_NODE_FIELDS });
}

function buildReport(values: Values, file: StakeFile, k: number): StakesReport {
  const target = probabilityOption(values.target, 'target', true) ?? DEFAULT_TARGET;
  const pc = probabilityOption(values.pc, 'pc', false);
  const weights = stakeWeights(file.nodes, { maxLock: file.maxLock, form: file.form });
  const selection = selectionProbabilities(weights);
  const units = weightUnits(weights);
  const positive = units.filter((u) => u > 0n).length;
  if (k > positive) throw new CliError(`--k ${k} is larger than the ${positive} nodes with positive weight; choose K from 1 to ${positive}`);
  const kMax = integerOption(values['k-max'], 'k-max', k, positive);
  const trials = integerOption(values.trials, 'trials', 1) ?? DEFAULT_TRIALS;
  const monteCarloSeed = integerOption(values['mc-seed'], 'mc-seed', 0) ?? 0;
  const validators = file.nodes.map((n, i) => ({ id: n.id, weight: units[i]!, byzantine: n.byzantine }));
  const analysis = analyzeCommittee(validators, k, { trials, monteCarloSeed, ...(kMax === undefined ? {} : { kMax }) });
  return { file, k, target, pc, weights, selection, verification: selection.map((p) => verificationProbability(p, k)), analysis, recommendation: recommendK(analysis.risk, target) };
}

function consensusFor(report: StakesReport, i: number): number | undefined {
  return report.pc === undefined ? undefined : toNumber(consensusProbability(report.verification[i]!, fromNumber(report.pc), report.k - 1));
}

function reportJson(report: StakesReport): unknown {
  const { analysis, recommendation } = report;
  const atK = analysis.risk[report.k - 1]!;
  const withInterval = (e: Estimate) => (analysis.method === 'monte-carlo' ? { interval95: [e.low, e.high] } : {});
  return {
    nodes: report.file.nodes.map((node, i) => {
      const inclusion = analysis.inclusion.get(node.id)!;
      const consensus = consensusFor(report, i);
      return {
        id: node.id,
        weight: toNumber(report.weights[i]!),
        selectionProbability: toNumber(report.selection[i]!),
        verificationProbability: toNumber(report.verification[i]!),
        inclusionProbability: inclusion.value,
        ...(analysis.method === 'monte-carlo' ? { inclusionInterval95: [inclusion.low, inclusion.high] } : {}),
        byzantine: node.byzantine,
        ...(consensus === undefined ? {} : { consensusProbability: consensus }),
      };
    }),
    committeeRisk: {
      byzantineAtLeastOneThird: atK.atLeastOneThird.value,
      byzantineAtLeastTwoThirds: atK.atLeastTwoThirds.value,
      k: report.k,
      method: analysis.method,
      ...(analysis.method === 'monte-carlo' ? { trials: analysis.trials, oneThirdInterval95: [atK.atLeastOneThird.low, atK.atLeastOneThird.high], twoThirdsInterval95: [atK.atLeastTwoThirds.low, atK.atLeastTwoThirds.high] } : {}),
    },
    recommendedK: recommendation.k,
    recommendation: { target: report.target, reachesTarget: recommendation.reachesTarget, risk: recommendation.risk.value, ...withInterval(recommendation.risk), kMax: analysis.risk.length },
  };
}

const METHOD_TEXT = {
  exact: 'exact enumeration of the sampler',
  hypergeometric: 'exact, hypergeometric (equal weights)',
  'monte-carlo': 'Monte Carlo over the real sampler',
} as const;

function reportText(report: StakesReport): string {
  const { analysis, recommendation, k } = report;
  const mc = analysis.method === 'monte-carlo';
  const header = ['id', 'weight', 'P_j', `(1-P_j)^${k}`, mc ? 'inclusion [95% CI]' : 'inclusion (exact)', ...(report.pc === undefined ? [] : ['P_j(consensus)']), 'byzantine'];
  const rows = report.file.nodes.map((node, i) => {
    const inclusion = analysis.inclusion.get(node.id)!;
    const consensus = consensusFor(report, i);
    return [node.id, fmtWeight(toNumber(report.weights[i]!)), fmt(toNumber(report.selection[i]!)), fmt(toNumber(report.verification[i]!)), fmtEstimate(inclusion, mc), ...(consensus === undefined ? [] : [fmt(consensus)]), node.byzantine ? 'yes' : ''];
  });
  const atK = analysis.risk[k - 1]!;
  const kMax = analysis.risk.length;
  const positive = report.weights.filter((w) => w.num > 0n).length;
  const lines = [
    `${report.file.nodes.length} nodes (${positive} with positive weight), form ${report.file.form}, T = ${report.file.maxLock}, K = ${k}`,
    `method: ${METHOD_TEXT[analysis.method]}${mc ? ` (${analysis.trials} trials, 95% Wilson intervals)` : ''}`,
    '',
    formatTable([header, ...rows], header.map((_, i) => i > 0 && i < header.length - 1)),
    '',
    `Committee risk at K = ${k}:`,
    `  adversary holds >= 1/3 of the committee's weight (safety at risk):  ${fmtEstimate(atK.atLeastOneThird, mc)}`,
    `  adversary holds >= 2/3 (it could finalize alone):                   ${fmtEstimate(atK.atLeastTwoThirds, mc)}`,
    '',
    recommendation.reachesTarget
      ? `Recommended K: ${recommendation.k} (smallest K whose risk of >= 1/3 is below ${report.target}: ${fmtEstimate(recommendation.risk, mc)}${mc ? ', upper bound used' : ''})`
      : `Recommended K: none up to K = ${kMax} keeps the risk below ${report.target}; best reachable is K = ${recommendation.k} with risk ${fmtEstimate(recommendation.risk, mc)}` +
        (mc && report.target < 3.84 / analysis.trials! ? `\n  (Monte Carlo with ${analysis.trials} trials cannot certify risks below about ${fmt(3.84 / analysis.trials!)}; raise --trials, or use equal stakes for an exact figure)` : ''),
  ];
  return lines.join('\n');
}

// ---- formatting --------------------------------------------------------------------------------

function fmt(p: number): string {
  if (p === 0) return '0';
  return p >= 1e-3 ? String(Number(p.toPrecision(4))) : p.toExponential(2);
}

const fmtWeight = (w: number): string => String(Number(w.toPrecision(6)));

function fmtEstimate(e: Estimate, interval: boolean): string {
  return interval ? `${fmt(e.value)} [${fmt(e.low)}, ${fmt(e.high)}]` : fmt(e.value);
}

function formatTable(rows: readonly string[][], rightAligned: readonly boolean[]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: readonly string[]) => r.map((cell, c) => (rightAligned[c] ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd();
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

// ---- --plot ------------------------------------------------------------------------------------

function writePlot(path: string, report: StakesReport): void {
  try {
    writeFileSync(path, riskPlotSvg(report));
  } catch (error) {
    throw new CliError(`cannot write --plot ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); check the directory exists and is writable`);
  }
}

const PLOT = { width: 800, height: 480, left: 78, right: 28, top: 64, bottom: 58, maxDecades: 40 } as const;
const COLORS = { oneThird: '#1f5fbf', twoThirds: '#c0392b', target: '#555', recommended: '#1e8449', grid: '#e3e6ea', band: '#1f5fbf' } as const;

/** Risk against K on a log10 axis: the picture an operator wants when choosing K. */
export function riskPlotSvg(report: StakesReport): string {
  const { analysis, recommendation, target } = report;
  const points = analysis.risk;
  const kMax = points.length;
  const positives = points.flatMap((p) => [p.atLeastOneThird.value, p.atLeastTwoThirds.value, p.atLeastOneThird.high]).filter((v) => v > 0);
  const topExp = 0;
  const lowest = Math.min(target, ...positives);
  const bottomExp = Math.max(Math.floor(Math.log10(lowest)) - 1, -PLOT.maxDecades);
  const plotW = PLOT.width - PLOT.left - PLOT.right;
  const plotH = PLOT.height - PLOT.top - PLOT.bottom;
  const x = (k: number) => PLOT.left + (kMax === 1 ? plotW / 2 : ((k - 1) / (kMax - 1)) * plotW);
  const y = (p: number) => {
    const e = p <= 0 ? bottomExp : Math.max(bottomExp, Math.log10(p));
    return PLOT.top + ((topExp - e) / (topExp - bottomExp)) * plotH;
  };
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${PLOT.width}" height="${PLOT.height}" viewBox="0 0 ${PLOT.width} ${PLOT.height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
  parts.push(`<rect width="100%" height="100%" fill="#fff"/>`);
  parts.push(...yAxis(bottomExp, topExp, y, plotW), ...xAxis(kMax, x, plotH));
  if (analysis.method === 'monte-carlo') parts.push(band(points, x, y));
  parts.push(series(points.map((p) => [p.k, p.atLeastTwoThirds.value]), x, y, COLORS.twoThirds, 'none'));
  parts.push(series(points.map((p) => [p.k, p.atLeastOneThird.value]), x, y, COLORS.oneThird, 'none'));
  parts.push(...targetLine(target, y, plotW), ...recommendedMarker(recommendation, x, y, plotH));
  parts.push(...titles(report), ...legend(analysis.method === 'monte-carlo'));
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

function yAxis(bottomExp: number, topExp: number, y: (p: number) => number, plotW: number): string[] {
  const decades = topExp - bottomExp;
  const step = Math.max(1, Math.ceil(decades / 10)); // at most ~10 labelled decades
  const out: string[] = [];
  for (let e = topExp; e >= bottomExp; e -= step) {
    const yy = y(10 ** e).toFixed(1);
    out.push(`<line x1="${PLOT.left}" y1="${yy}" x2="${PLOT.left + plotW}" y2="${yy}" stroke="${COLORS.grid}"/>`);
    out.push(`<text x="${PLOT.left - 8}" y="${yy}" text-anchor="end" dominant-baseline="middle">${e === 0 ? '1' : `10<tspan dy="-6" font-size="9">${e}</tspan>`}</text>`);
  }
  out.push(`<line x1="${PLOT.left}" y1="${PLOT.top}" x2="${PLOT.left}" y2="${PLOT.height - PLOT.bottom}" stroke="#222"/>`);
  out.push(`<text transform="translate(20 ${PLOT.top + (PLOT.height - PLOT.top - PLOT.bottom) / 2}) rotate(-90)" text-anchor="middle">probability (log scale)</text>`);
  return out;
}

function xAxis(kMax: number, x: (k: number) => number, plotH: number): string[] {
  const base = PLOT.top + plotH;
  const step = niceStep(kMax);
  const out = [`<line x1="${PLOT.left}" y1="${base}" x2="${PLOT.width - PLOT.right}" y2="${base}" stroke="#222"/>`];
  const ticks = [1, ...Array.from({ length: Math.floor(kMax / step) }, (_, i) => (i + 1) * step).filter((k) => k > 1)];
  for (const k of ticks) {
    out.push(`<line x1="${x(k).toFixed(1)}" y1="${base}" x2="${x(k).toFixed(1)}" y2="${base + 5}" stroke="#222"/>`);
    out.push(`<text x="${x(k).toFixed(1)}" y="${base + 18}" text-anchor="middle">${k}</text>`);
  }
  out.push(`<text x="${PLOT.left + (PLOT.width - PLOT.left - PLOT.right) / 2}" y="${PLOT.height - 14}" text-anchor="middle">committee size K</text>`);
  return out;
}

/** 1, 2 or 5 times a power of ten, giving at most about 12 ticks. */
function niceStep(span: number): number {
  for (let power = 1; ; power *= 10) for (const m of [1, 2, 5]) if (span / (m * power) <= 12) return m * power;
}

function series(points: readonly (readonly [number, number])[], x: (k: number) => number, y: (p: number) => number, color: string, fill: string): string {
  const d = points.map(([k, p], i) => `${i === 0 ? 'M' : 'L'}${x(k).toFixed(1)},${y(p).toFixed(1)}`).join(' ');
  const dots = points.length <= 60 ? points.map(([k, p]) => `<circle cx="${x(k).toFixed(1)}" cy="${y(p).toFixed(1)}" r="2.5" fill="${color}"/>`).join('') : '';
  return `<path d="${d}" fill="${fill}" stroke="${color}" stroke-width="2" stroke-linejoin="round"/>${dots}`;
}

function band(points: readonly { k: number; atLeastOneThird: Estimate }[], x: (k: number) => number, y: (p: number) => number): string {
  const upper = points.map((p) => `${x(p.k).toFixed(1)},${y(p.atLeastOneThird.high).toFixed(1)}`);
  const lower = [...points].reverse().map((p) => `${x(p.k).toFixed(1)},${y(p.atLeastOneThird.low).toFixed(1)}`);
  return `<polygon points="${[...upper, ...lower].join(' ')}" fill="${COLORS.band}" fill-opacity="0.15" stroke="none"/>`;
}

function targetLine(target: number, y: (p: number) => number, plotW: number): string[] {
  const yy = y(target).toFixed(1);
  return [
    `<line x1="${PLOT.left}" y1="${yy}" x2="${PLOT.left + plotW}" y2="${yy}" stroke="${COLORS.target}" stroke-width="1.5" stroke-dasharray="6 4"/>`,
    `<text x="${PLOT.left + plotW - 4}" y="${Number(yy) - 6}" text-anchor="end" fill="${COLORS.target}">target ${target}</text>`,
  ];
}

function recommendedMarker(rec: Recommendation, x: (k: number) => number, y: (p: number) => number, plotH: number): string[] {
  const xx = x(rec.k).toFixed(1);
  const label = rec.reachesTarget ? `recommended K = ${rec.k}` : `best reachable K = ${rec.k}`;
  return [
    `<line x1="${xx}" y1="${PLOT.top}" x2="${xx}" y2="${PLOT.top + plotH}" stroke="${COLORS.recommended}" stroke-width="1.5" stroke-dasharray="3 3"/>`,
    `<circle cx="${xx}" cy="${y(rec.risk.value).toFixed(1)}" r="5.5" fill="none" stroke="${COLORS.recommended}" stroke-width="2"/>`,
    // Label on the right of the line, or on its left when the line is near the right edge.
    Number(xx) > PLOT.width - PLOT.right - 170
      ? `<text x="${Number(xx) - 6}" y="${PLOT.top + 14}" text-anchor="end" fill="${COLORS.recommended}" font-weight="bold">${label}</text>`
      : `<text x="${Number(xx) + 6}" y="${PLOT.top + 14}" fill="${COLORS.recommended}" font-weight="bold">${label}</text>`,
  ];
}

function titles(report: StakesReport): string[] {
  const byzantineShare = report.file.nodes.reduce((s, n, i) => s + (n.byzantine ? toNumber(report.selection[i]!) : 0), 0);
  const subtitle = `${report.file.nodes.length} nodes, adversary holds ${(byzantineShare * 100).toPrecision(3)}% of the weight; ${METHOD_TEXT[report.analysis.method]}`;
  return [
    `<text x="${PLOT.left}" y="26" font-size="16" font-weight="bold">Committee risk against committee size K</text>`,
    `<text x="${PLOT.left}" y="46" fill="#444">${escapeXml(subtitle)}</text>`,
  ];
}

function legend(monteCarlo: boolean): string[] {
  const x0 = PLOT.width - PLOT.right - 250;
  const entries: [string, string][] = [
    [COLORS.oneThird, 'adversary >= 1/3 of committee weight'],
    [COLORS.twoThirds, 'adversary >= 2/3 (finalizes alone)'],
  ];
  const out = entries.map(([color, text], i) => {
    const yy = PLOT.top + 40 + i * 18;
    return `<line x1="${x0}" y1="${yy}" x2="${x0 + 22}" y2="${yy}" stroke="${color}" stroke-width="2"/><text x="${x0 + 28}" y="${yy + 4}">${escapeXml(text)}</text>`;
  });
  if (monteCarlo) out.push(`<rect x="${x0}" y="${PLOT.top + 70}" width="22" height="10" fill="${COLORS.band}" fill-opacity="0.15"/><text x="${x0 + 28}" y="${PLOT.top + 79}">95% interval (Monte Carlo)</text>`);
  return out;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

// ---- --rpc -------------------------------------------------------------------------------------

async function rpcCall<T>(url: string, method: string, params: unknown[]): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }), signal: AbortSignal.timeout(RPC_TIMEOUT_MS) });
  } catch (error) {
    throw new CliError(`--rpc ${url}: cannot reach the node (${(error as Error).message}); check the URL and that the node serves JSON-RPC`);
  }
  const body = (await response.json().catch(() => undefined)) as { result?: T; error?: { message: string } } | undefined;
  if (body === undefined) throw new CliError(`--rpc ${url}: the answer to ${method} is not JSON-RPC (HTTP ${response.status})`);
  if (body.error !== undefined) throw new CliError(`--rpc ${url}: ${method} failed: ${body.error.message}${/not found|does not exist/i.test(body.error.message) ? ' (is the synod namespace enabled on that node?)' : ''}`);
  return body.result as T;
}
const RPC_TIMEOUT_MS = 10_000;

interface ChainValidator {
  readonly id: string;
  readonly stake: string;
  readonly lock: string;
  readonly coefficient: number;
  readonly status: string;
}

/** The live staking state of a chain as a stake file: the same analysis as --stakes. */
async function runRpc(values: Values): Promise<number> {
  const url = values.rpc!;
  const [validators, committee, maxLockWord] = await Promise.all([
    rpcCall<ChainValidator[]>(url, 'synod_validators', []),
    rpcCall<{ committeeSize: number; weightForm: string }>(url, 'synod_committee', []),
    rpcCall<Hex>(url, 'eth_call', [{ to: STAKING_ADDRESS, data: encodeFunctionData({ abi: stakingAbi(), functionName: 'maxLock' }) }, 'latest']),
  ]);
  if (validators.length === 0) throw new CliError(`--rpc ${url}: the chain lists no validators`);
  const byzantine = new Set((values.byzantine ?? '').split(',').map((s) => s.trim()).filter((s) => s !== ''));
  const known = new Set(validators.map((v) => v.id));
  const unknown = [...byzantine].filter((id) => !known.has(id));
  if (unknown.length > 0) throw new CliError(`--byzantine names ${unknown.join(', ')}, not registered on this chain; its validators: ${[...known].join(', ')}`);
  const file: StakeFile = {
    maxLock: Number(BigInt(maxLockWord)),
    form: committee.weightForm === 'normalized' ? 'normalized' : 'product',
    // Exited validators stake nothing: they weigh 0, as the chain's draw counts them.
    nodes: validators.map((v) => ({ id: v.id, stake: v.status === 'active' ? Number(formatEther(BigInt(v.stake))) : 0, lock: Number(BigInt(v.lock)), coefficient: v.coefficient, byzantine: byzantine.has(v.id) })),
  };
  const k = integerOption(values.k, 'k', 1) ?? committee.committeeSize;
  return printReport(values, file, k);
}
