import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { command } from '../../src/cli/analyze.js';
import { CliError } from '../../src/cli/command.js';

const dir = mkdtempSync(join(tmpdir(), 'synod-analyze-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

function stakesFile(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

function synod(...args: string[]) {
  const result = spawnSync(process.execPath, ['scripts/synod-from-source.mjs', 'analyze', ...args], { encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs the command in-process, capturing what it prints. */
async function run(...args: string[]): Promise<{ code: number; stdout: string }> {
  const lines: string[] = [];
  const original = console.log;
  console.log = (...parts: unknown[]) => void lines.push(parts.join(' '));
  try {
    return { code: await command.run(args), stdout: lines.join('\n') };
  } finally {
    console.log = original;
  }
}

const SMALL = {
  T: 90,
  nodes: [
    { id: 'a', stake: 100, lock: 10 },
    { id: 'b', stake: 50, lock: 0, byzantine: true },
    { id: 'c', stake: 80, lock: 30, coefficient: 1.5 },
    { id: 'd', stake: 20, lock: 90 },
    { id: 'e', stake: 60, lock: 5 },
  ],
};

test('--case-study prints the article\'s digits as a table (spawned)', () => {
  const { code, stdout, stderr } = synod('--case-study');
  assert.equal(code, 0, stderr);
  const row = (label: string) => stdout.split('\n').find((l) => l.startsWith(label))!;
  assert.match(row('V_1'), /66\.67\s+66\.6666666666666/);
  assert.match(row('P_1   '), /\s0\.1\s+0\.1$/);
  assert.match(row('P_1v'), /\s0\.81\s+0\.81$/);
});

test('--case-study --json: exact names, unrounded numbers', async () => {
  const { code, stdout } = await run('--case-study', '--json', '--pc', '0.5');
  assert.equal(code, 0);
  const { caseStudy } = JSON.parse(stdout);
  assert.equal(caseStudy.weight, 200 / 3);
  assert.equal(caseStudy.selectionProbability, 0.1);
  assert.equal(caseStudy.verificationProbability, 0.81);
  assert.equal(caseStudy.consensusProbability, 0.81 * 0.25);
  assert.equal(caseStudy.samplerInclusionProbability, 0.2); // 2 distinct of 10 equal nodes
});

test('--stakes --json: exact names and figures for a small set (spawned)', () => {
  const { code, stdout, stderr } = synod('--stakes', stakesFile('small.json', SMALL), '--k', '2', '--json');
  assert.equal(code, 0, stderr);
  const out = JSON.parse(stdout);
  assert.deepEqual(Object.keys(out.nodes[0]).slice(0, 5), ['id', 'weight', 'selectionProbability', 'verificationProbability', 'inclusionProbability']);
  assert.deepEqual(Object.keys(out.committeeRisk).slice(0, 2), ['byzantineAtLeastOneThird', 'byzantineAtLeastTwoThirds']);
  assert.equal(typeof out.recommendedK, 'number');
  // Weights: a 100*(1-10/90), b 50, c 80*1.5*(1-30/90) = 80, d 0 (L = T), e 60*(1-5/90).
  const [a, b, c, d, e] = [800 / 9, 50, 80, 0, 170 / 3];
  const total = a + b + c + d + e;
  assert.ok(Math.abs(out.nodes[0].weight - a) < 1e-12);
  assert.equal(out.nodes[3].weight, 0);
  assert.equal(out.nodes[3].inclusionProbability, 0);
  assert.ok(Math.abs(out.nodes[1].selectionProbability - b / total) < 1e-15);
  assert.ok(Math.abs(out.nodes[1].verificationProbability - (1 - b / total) ** 2) < 1e-15);
  // Inclusion of b under sampling without replacement, by hand: first draw, or second draw.
  const others = [a, c, e];
  const second = others.reduce((s, w) => s + (w / total) * (b / (total - w)), 0);
  assert.ok(Math.abs(out.nodes[1].inclusionProbability - (b / total + second)) < 1e-12);
  // Risk at K = 2: b alone holds >= 1/3 in any pair containing it (50 vs at most 88.9).
  assert.ok(Math.abs(out.committeeRisk.byzantineAtLeastOneThird - out.nodes[1].inclusionProbability) < 1e-12);
});

test('--plot writes an SVG with axes, the target line and the recommended K', async () => {
  const plot = join(dir, 'risk.svg');
  const { code, stdout } = await run('--stakes', stakesFile('plot.json', SMALL), '--k', '2', '--plot', plot, '--target', '1e-3');
  assert.equal(code, 0);
  assert.match(stdout, /Recommended K/);
  const svg = readFileSync(plot, 'utf8');
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(svg, /stroke-dasharray="6 4"/); // the target
  assert.match(svg, /(recommended|best reachable) K = \d+/);
  assert.match(svg, /committee size K/);
  assert.match(svg, /<\/svg>\n$/);
});

test('bad input exits 2 with one line naming the field, never a stack (spawned)', () => {
  const negative = stakesFile('neg.json', { T: 90, nodes: [{ id: 'a', stake: -1, lock: 0 }] });
  for (const [args, field] of [
    [['--stakes', negative, '--k', '1'], 'nodes[0].stake'],
    [['--stakes', stakesFile('bad.json', '{"T": 90,'), '--k', '1'], 'JSON'],
    [['--case-study', '--bogus'], '--bogus'],
  ] as const) {
    const { code, stdout, stderr } = synod(...args);
    assert.equal(code, 2, `${args.join(' ')}: ${stderr}`);
    assert.equal(stdout, '');
    assert.match(stderr, /^synod analyze: .+\n$/);
    assert.ok(stderr.includes(field), stderr);
    assert.doesNotMatch(stderr, /\n\s+at /);
  }
});

test('every bad-input case of the issue is a CliError naming the field and the fix', async () => {
  const node = (extra: object = {}) => ({ id: 'n1', stake: 100, lock: 10, ...extra });
  const two = [node(), node({ id: 'n2' })];
  const cases: [string[], RegExp][] = [
    [['--stakes', stakesFile('s.json', { T: 90, nodes: [node({ stake: -5 })] }), '--k', '1'], /nodes\[0\]\.stake must be a number >= 0/],
    [['--stakes', stakesFile('l.json', { T: 90, nodes: [node({ lock: -5 })] }), '--k', '1'], /nodes\[0\]\.lock must be a number >= 0/],
    [['--stakes', stakesFile('t.json', { T: -90, nodes: two }), '--k', '1'], /^T must be a number >= 0/],
    [['--stakes', stakesFile('t0.json', { T: 0, nodes: two }), '--k', '1'], /^T \(maximum lock time\) must be > 0/],
    [['--stakes', stakesFile('c.json', { T: 90, nodes: [node({ coefficient: -1 })] }), '--k', '1'], /nodes\[0\]\.coefficient must be a number >= 0/],
    [['--stakes', stakesFile('k.json', { T: 90, nodes: [...two, node({ id: 'n3', lock: 90 })] }), '--k', '3'], /--k 3 is larger than the 2 nodes with positive weight; choose K from 1 to 2/],
    [['--stakes', stakesFile('k0.json', { T: 90, nodes: two }), '--k', '0'], /--k must be an integer from 1/],
    [['--stakes', stakesFile('kx.json', { T: 90, nodes: two }), '--k', 'two'], /--k must be an integer from 1/],
    [['--stakes', stakesFile('u.json', { T: 90, nodes: two, K: 3 }), '--k', '1'], /unknown field "K"/],
    [['--stakes', stakesFile('un.json', { T: 90, nodes: [node({ weight: 3 })] }), '--k', '1'], /unknown field "nodes\[0\]\.weight"/],
    [['--stakes', stakesFile('m.json', '{"T": 90, nodes: []}'), '--k', '1'], /not valid JSON/],
    [['--stakes', stakesFile('z.json', { T: 90, nodes: [node({ lock: 90 }), node({ id: 'n2', stake: 0 })] }), '--k', '1'], /every weight is zero/],
    [['--stakes', stakesFile('d.json', { T: 90, nodes: [node(), node()] }), '--k', '1'], /nodes\[1\]\.id "n1" repeats nodes\[0\]\.id/],
    [['--stakes', join(dir, 'missing.json'), '--k', '1'], /cannot read --stakes .*ENOENT/],
    [['--stakes', stakesFile('ok.json', { T: 90, nodes: two })], /--k is required/],
    [['--stakes', stakesFile('ok.json', { T: 90, nodes: two }), '--k', '1', '--target', '2'], /--target must be a number strictly between 0 and 1/],
    [['--stakes', stakesFile('ok.json', { T: 90, nodes: two }), '--k', '1', '--pc=-0.1'], /--pc must be a number from 0 to 1/],
    [['--stakes', stakesFile('ok.json', { T: 90, nodes: two }), '--k', '1', '--plot', 'x.png'], /--plot must name an \.svg file/],
    [['--stakes', stakesFile('ok.json', { T: 90, nodes: two }), '--k', '2', '--k-max', '1'], /--k-max must be an integer from 2 to 2/],
    [['--case-study', '--k', '2'], /--k does not apply to --case-study/],
    [['--unknown'], /Unknown option '--unknown'/],
    [['stray'], /positional argument/],
    [[], /give --case-study, --stakes FILE --k K or --rpc URL/],
    [['--stakes', stakesFile('ok.json', { T: 90, nodes: two }), '--rpc', 'http://127.0.0.1:1'], /--stakes and --rpc exclude each other/],
    [['--stakes', stakesFile('ok.json', { T: 90, nodes: two }), '--k', '1', '--byzantine', 'a'], /--byzantine goes with --rpc/],
    [['--rpc', 'http://127.0.0.1:1'], /--rpc http:\/\/127\.0\.0\.1:1: cannot reach the node/],
  ];
  for (const [args, pattern] of cases) {
    await assert.rejects(run(...args), (e: unknown) => e instanceof CliError && e.exitCode === 2 && pattern.test(e.message) && !e.message.includes('\n'), `${args.join(' ')}`);
  }
  assert.equal(existsSync('x.png'), false);
});

test('--help describes every option', async () => {
  const { code, stdout } = await run('--help');
  assert.equal(code, 0);
  for (const flag of ['--case-study', '--stakes', '--rpc', '--byzantine', '--k', '--target', '--pc', '--json', '--plot', '--k-max', '--trials', '--mc-seed']) assert.ok(stdout.includes(flag), flag);
});
