import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { command, parseSimArgs } from '../../src/cli/sim.js';
import { CliError } from '../../src/cli/command.js';

function synod(...args: string[]) {
  const result = spawnSync(process.execPath, ['scripts/synod-from-source.mjs', 'sim', ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('arguments parse into a scenario with defaults', () => {
  const { scenario, seeds, json } = parseSimArgs(['--validators', '10', '--seed=7', '--heights', '3', '--json']);
  assert.deepEqual(scenario, { validators: 10, byzantine: 3, strategy: 'adversary', seed: 7, heights: 3, stakes: 'unequal', signatures: 'mixed', network: 'hostile', layer: 'node' });
  assert.equal(seeds, 1);
  assert.equal(json, true);
});

test('bad arguments are CliErrors naming the field and the fix', () => {
  const cases: [string[], RegExp][] = [
    [['--validators', '9', '--byzantine', '3'], /--byzantine 2 or less \(3F < N\)/],
    [['--validators', '0'], /--validators must be an integer from 1/],
    [['--strategy', 'chaos'], /--strategy must be one of silent, crash, equivocate, garbage, replay, twins, split, liar, flood, adversary/],
    [['--heights', 'ten'], /--heights must be a non-negative integer, got 'ten'/],
    [['--seeds', '0'], /--seeds must be an integer from 1/],
    [['--seed'], /--seed needs a value/],
    [['--frobnicate', '1'], /unknown argument '--frobnicate'/],
    [['--seed', '1', '--seed', '2'], /--seed given twice/],
    [['--stakes', 'weird'], /--stakes must be one of unequal, equal/],
    [['--layer', 'kernel'], /--layer must be one of node, consensus/],
  ];
  for (const [argv, message] of cases) {
    assert.throws(() => parseSimArgs(argv), (error: unknown) => error instanceof CliError && error.exitCode === 2 && message.test(error.message), argv.join(' '));
  }
});

test('--help describes every flag', () => {
  for (const flag of ['--validators', '--byzantine', '--strategy', '--seed', '--heights', '--seeds', '--json']) assert.ok(command.help.includes(flag), flag);
});

test('synod sim --json prints exactly the six fields and exits 0 on a clean run', () => {
  const { code, stdout, stderr } = synod('--validators', '4', '--byzantine', '0', '--seed', '3', '--heights', '2', '--json', '--network', 'synchronous');
  assert.equal(code, 0, stderr);
  const parsed = JSON.parse(stdout) as Record<string, number>;
  assert.deepEqual(Object.keys(parsed), ['runs', 'safetyViolations', 'livenessViolations', 'decidedHeights', 'messagesPerHeight', 'delaysPerHeightP50']);
  assert.equal(parsed.runs, 1);
  assert.equal(parsed.decidedHeights, 2);
  assert.equal(parsed.safetyViolations, 0);
});

test('a swarm prints progress to stderr and sums decided heights over runs', () => {
  const { code, stdout, stderr } = synod('--validators', '4', '--byzantine', '1', '--strategy', 'replay', '--seed', '5', '--seeds', '3', '--heights', '2', '--json');
  const parsed = JSON.parse(stdout) as Record<string, number>;
  assert.equal(parsed.runs, 3);
  assert.match(stderr, /sim: 3\/3 runs/);
  assert.equal(code, parsed.safetyViolations + parsed.livenessViolations === 0 ? 0 : 1);
  if (code === 0) assert.equal(parsed.decidedHeights, 6);
});

test('bad arguments exit 2 with a one-line message', () => {
  const { code, stderr } = synod('--validators', '3', '--byzantine', '1');
  assert.equal(code, 2);
  assert.match(stderr, /^synod sim: 1 of 3 validators would hold at least 1\/3 of the weight; use --byzantine 0 or less/);
});
