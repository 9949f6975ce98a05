// The JSON-RPC flags of `synod start` and `synod devnet`: parsed and checked with the flag's name
// in the message; a devnet writes its developer settings into its configs, says so at start,
// hands its flags to every validator, and serves /metrics on --metrics-addr (port + i).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliError } from '../../src/cli/command.js';
import { rpcFlagOverrides } from '../../src/cli/rpc-flags.js';
import { SYNOD_BIN, TEST_PORT_BASE, until, waitForOutput } from '../helpers/devnet.js';

const SLOT = 7;
const RPC_PORT = TEST_PORT_BASE + SLOT * 20;
const METRICS_PORT = RPC_PORT + 10;
const START_TIMEOUT_MS = 90_000;

test('flags parse into overrides; a bad value is a usage error naming the flag', () => {
  const overrides = rpcFlagOverrides({
    'rpc-api': 'eth,net', 'rpc-cors': '*', 'rpc-vhosts': 'localhost,rpc.example.com', 'ws-origins': 'http://localhost:*',
    'rpc-gascap': '0', 'rpc-evmtimeout': '500ms', 'rpc-batch-limit': '10', 'rpc-batch-response-max-bytes': '1000', 'metrics-addr': '127.0.0.1:6060',
  });
  assert.deepEqual(overrides, {
    rpc: { api: ['eth', 'net'], cors: ['*'], vhosts: ['localhost', 'rpc.example.com'], wsOrigins: ['http://localhost:*'], gasCap: 0n, evmTimeoutMs: 500, batchLimit: 10, batchResponseMaxBytes: 1000 },
    metricsAddr: { host: '127.0.0.1', port: 6060 },
  });
  assert.deepEqual(rpcFlagOverrides({}), { rpc: {} });
  assert.equal(rpcFlagOverrides({ 'rpc-evmtimeout': '2500' }).rpc.evmTimeoutMs, 2500);
  const refused = (values: Record<string, string>, message: RegExp) =>
    assert.throws(() => rpcFlagOverrides(values), (err: Error) => err instanceof CliError && err.exitCode === 2 && message.test(err.message));
  refused({ 'rpc-api': 'eth,Debug!' }, /^--rpc-api: "Debug!" is not a namespace name/);
  refused({ 'rpc-cors': 'wallet.example' }, /^--rpc-cors: "wallet.example" is not an origin/);
  refused({ 'rpc-gascap': 'lots' }, /^--rpc-gascap must be a whole amount of gas/);
  refused({ 'rpc-evmtimeout': '5x' }, /^--rpc-evmtimeout must be a duration/);
  refused({ 'rpc-batch-limit': '-1' }, /^--rpc-batch-limit must be a whole number/);
  refused({ 'metrics-addr': '6060' }, /^--metrics-addr must be "host:port"/);
});

test('synod start refuses a bad flag value before it starts anything', () => {
  const r = spawnSync(process.execPath, [SYNOD_BIN, 'start', '--config', 'nope.json', '--rpc-evmtimeout', 'soon'], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /synod start: --rpc-evmtimeout must be a duration like 5s/);
});

let dataDir: string;
let devnet: ChildProcess;
let output: string;

const post = async (port: number, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`http://127.0.0.1:${port}/`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
const TRACE = { jsonrpc: '2.0', id: 1, method: 'debug_traceTransaction', params: [`0x${'00'.repeat(32)}`] };

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'synod-rpc-flags-'));
  devnet = spawn(process.execPath, [SYNOD_BIN, 'devnet', '--validators', '1', '--data-dir', dataDir, '--rpc-port', String(RPC_PORT),
    '--metrics-addr', `127.0.0.1:${METRICS_PORT}`, '--rpc-batch-limit', '2', '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
  output = await waitForOutput(devnet, /Press Ctrl-C to stop/, START_TIMEOUT_MS);
});

after(async () => {
  await stop(devnet);
  rmSync(dataDir, { recursive: true, force: true });
});

test('synod devnet: developer namespaces and local origins, said at start and written into the config', async () => {
  assert.match(output, /JSON-RPC namespaces: eth, net, web3, synod, debug, txpool, evm, anvil, hardhat, personal/);
  assert.match(output, /CORS origins: http:\/\/localhost:\*, http:\/\/127\.0\.0\.1:\*/);
  assert.match(output, /development settings/);
  const config = JSON.parse(readFileSync(join(dataDir, 'validator-0', 'config.json'), 'utf8'));
  assert.deepEqual(config.rpc, {
    addr: `127.0.0.1:${RPC_PORT}`, api: ['eth', 'net', 'web3', 'synod', 'debug', 'txpool', 'evm', 'anvil', 'hardhat', 'personal'],
    cors: ['http://localhost:*', 'http://127.0.0.1:*'], wsOrigins: ['http://localhost:*', 'http://127.0.0.1:*'], rateLimit: { exemptLoopback: true },
  });
  assert.notEqual((await (await post(RPC_PORT, TRACE)).json() as any).error?.code, -32601);
  // The devnet unlocks the development accounts (a flag it passes, never a key of the file).
  assert.equal(((await (await post(RPC_PORT, { jsonrpc: '2.0', id: 3, method: 'eth_accounts' })).json()) as any).result.length, 20);
  assert.equal(config.unlockDevAccounts, undefined);
  const local = await post(RPC_PORT, { jsonrpc: '2.0', id: 1, method: 'eth_chainId' }, { origin: 'http://localhost:5173' });
  assert.equal(local.headers.get('access-control-allow-origin'), 'http://localhost:5173');
  const foreign = await post(RPC_PORT, { jsonrpc: '2.0', id: 1, method: 'eth_chainId' }, { origin: 'https://evil.example' });
  assert.equal(foreign.headers.get('access-control-allow-origin'), null);
});

test('synod devnet hands its flags to the validators: --metrics-addr and --rpc-batch-limit', async () => {
  assert.match(output, new RegExp(`metrics http://127\\.0\\.0\\.1:${METRICS_PORT}/metrics`));
  const metrics = await fetch(`http://127.0.0.1:${METRICS_PORT}/metrics`);
  assert.equal(metrics.status, 200);
  assert.match(await metrics.text(), /synod_rpc_requests_total/);
  assert.equal((await fetch(`http://127.0.0.1:${METRICS_PORT}/readyz`)).status, 200); // one validator: a quorum by itself
  const call = { jsonrpc: '2.0', method: 'eth_chainId' };
  const batch = (await (await post(RPC_PORT, [1, 2, 3].map((id) => ({ ...call, id })))).json()) as any;
  assert.equal(batch.error.code, -32600);
  assert.match(batch.error.message, /limit 2/);
});

test('synod start: flags override the config file (--rpc-api without debug)', async () => {
  await stop(devnet);
  const node = spawn(process.execPath, [SYNOD_BIN, 'start', '--config', join(dataDir, 'validator-0', 'config.json'), '--rpc-api', 'eth,net', '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
  node.stdout!.resume();
  node.stderr!.resume();
  try {
    const answer = await until('the validator serves', async () => (await (await post(RPC_PORT, TRACE)).json()) as any, START_TIMEOUT_MS);
    assert.deepEqual(answer.error, { code: -32601, message: 'the method debug_traceTransaction does not exist/is not available' });
    const modules = (await (await post(RPC_PORT, { jsonrpc: '2.0', id: 2, method: 'rpc_modules' })).json()) as any;
    assert.deepEqual(modules.result, { eth: '1.0', net: '1.0', rpc: '1.0' });
    // Started from the same config without --unlock-dev-accounts: no account, geth's refusal.
    assert.deepEqual(((await (await post(RPC_PORT, { jsonrpc: '2.0', id: 3, method: 'eth_accounts' })).json()) as any).result, []);
    const send = { jsonrpc: '2.0', id: 4, method: 'eth_sendTransaction', params: [{ from: '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266', to: '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266' }] };
    assert.deepEqual(((await (await post(RPC_PORT, send)).json()) as any).error, { code: -32000, message: 'unknown account' });
    await assert.rejects(fetch(`http://127.0.0.1:${METRICS_PORT}/metrics`)); // no --metrics-addr this time
  } finally {
    await stop(node);
  }
});

test('synod devnet resumes a data dir whose configs still say "rpc": "host:port" and gives them the developer settings', async () => {
  const path = join(dataDir, 'validator-0', 'config.json');
  const config = JSON.parse(readFileSync(path, 'utf8'));
  writeFileSync(path, JSON.stringify({ ...config, rpc: `127.0.0.1:${RPC_PORT}` }, null, 2));
  devnet = spawn(process.execPath, [SYNOD_BIN, 'devnet', '--data-dir', dataDir, '--rpc-port', String(RPC_PORT), '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const resumed = await waitForOutput(devnet, /Press Ctrl-C to stop/, START_TIMEOUT_MS);
  assert.match(resumed, /Resuming a 1-validator devnet/);
  assert.match(resumed, /JSON-RPC namespaces: eth, net, web3, synod, debug/);
  assert.equal(JSON.parse(readFileSync(path, 'utf8')).rpc.addr, `127.0.0.1:${RPC_PORT}`);
  assert.notEqual((await (await post(RPC_PORT, TRACE)).json() as any).error?.code, -32601);
});
