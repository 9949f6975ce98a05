// The built package: `npm run build` compiles src/ to dist/, and bin/synod.js runs it without tsx,
// worker threads included (the query pool's eth_call workers, the simulator's --jobs workers) and
// the files the compiled code reads beside itself (the explorer page). One build, one devnet.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_PORT_BASE, until, waitForOutput } from '../helpers/devnet.js';

const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/synod.js');
const DIST = join(ROOT, 'dist');
const SLOT = 14;
const RPC_PORT = TEST_PORT_BASE + SLOT * 20;
const BUILD_TIMEOUT_MS = 240_000;
const MULTICALL3 = '0xcA11bde05977b3631167028862bE2a173976CA11';
const GET_BLOCK_NUMBER = '0x42cbb15c'; // Multicall3.getBlockNumber()

let devnet: ChildProcess | undefined;
const dataDir = mkdtempSync(join(tmpdir(), 'synod-dist-'));

function jsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? jsFiles(join(dir, e.name)) : e.name.endsWith('.js') ? [join(dir, e.name)] : []));
}

async function rpc(method: string, params: unknown[]): Promise<{ result?: string; error?: { message: string } }> {
  const response = await fetch(`http://127.0.0.1:${RPC_PORT}/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  return (await response.json()) as { result?: string; error?: { message: string } };
}

before(() => {
  const build = spawnSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], { encoding: 'utf8', timeout: BUILD_TIMEOUT_MS });
  assert.equal(build.status, 0, `npm run build failed:\n${build.stdout}${build.stderr}`);
});

after(async () => {
  if (devnet && devnet.exitCode === null) {
    const exited = new Promise((r) => devnet!.once('exit', r));
    devnet.kill('SIGTERM');
    await exited;
  }
  rmSync(dataDir, { recursive: true, force: true });
});

test('dist/ holds the compiled command and its assets, and nothing in it loads tsx', () => {
  assert.ok(existsSync(join(DIST, 'cli/main.js')));
  assert.ok(existsSync(join(DIST, 'query/worker.js')));
  assert.ok(existsSync(join(DIST, 'sim/swarm-worker.js')));
  assert.ok(existsSync(join(DIST, 'rpc/explorer/index.html')));
  for (const file of jsFiles(DIST)) assert.doesNotMatch(readFileSync(file, 'utf8'), /(?:from|import\()\s*['"](?:tsx\b|[^'"]*\.ts['"])/, file);
});

test('bin/synod.js runs the compiled code', () => {
  assert.doesNotMatch(readFileSync(BIN, 'utf8'), /import.*tsx/);
  const help = spawnSync(process.execPath, [BIN, 'analyze', '--help'], { encoding: 'utf8' });
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /usage: synod analyze/);
});

test('the simulator runs its --jobs worker threads from dist/', () => {
  const sim = spawnSync(process.execPath, [BIN, 'sim', '--seeds', '4', '--jobs', '2', '--validators', '4', '--heights', '2'], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(sim.status, 0, sim.stderr);
  assert.match(sim.stdout, /safety violations: +0/);
});

test('a devnet from dist/ answers eth_call through its query workers and serves the explorer', async () => {
  devnet = spawn(process.execPath, [BIN, 'devnet', '--validators', '1', '--data-dir', dataDir, '--rpc-port', String(RPC_PORT), '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
  await waitForOutput(devnet, /Press Ctrl-C to stop/, 90_000);
  const call = await until('eth_call answers', async () => {
    const answer = await rpc('eth_call', [{ to: MULTICALL3, data: GET_BLOCK_NUMBER }, 'latest']);
    return answer.result ?? (answer.error ? assert.fail(`eth_call failed: ${answer.error.message}`) : undefined);
  });
  assert.match(call, /^0x[0-9a-f]{64}$/);
  const page = await fetch(`http://127.0.0.1:${RPC_PORT}/`, { headers: { accept: 'text/html' } });
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<html/i);
  // The validator process was started by the compiled devnet with the compiled command.
  const pid = Number(readFileSync(join(dataDir, 'validator-0', 'pid'), 'utf8'));
  if (existsSync(`/proc/${pid}/cmdline`)) assert.match(readFileSync(`/proc/${pid}/cmdline`, 'utf8'), /bin\/synod\.js\0start/);
});
