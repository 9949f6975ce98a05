// A network across hosts, as an operator runs one: a network namespace per validator with its own
// address (hosts.ts); on each host `synod keys generate` makes its encrypted key, whose public key
// alone goes into the validators file; `synod init --validators-file` writes the genesis and the
// configs, which are copied to each host's own folder; one `synod start --password-file` per
// host. Then, on the same network:
// it finalizes; a fifth host outside the committee (K = 4 of 5) starts late and joins by sync as
// a full node; a rolling restart of every node, one at a time, never stalls it; one host's
// link cut and restored: the rest keep finalizing and the host catches up; WAN delay between every
// pair of hosts (50 ms ± 10 ms, through delay-relay.ts since this kernel has no netem): it keeps
// finalizing, and the finality latency of transfers is printed.
// Run: npm run test:multihost (needs root and iproute2; skipped, saying why, otherwise).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { privateKeyToAccount } from 'viem/accounts';
import { devAccounts, parseGenesis, type GenesisFile } from '../src/node/genesis.js';
import { SYNOD_BIN } from '../test/helpers/devnet.js';
import { canCreateNamespaces, createHostNetwork, type Host, type HostNetwork } from './hosts.js';
import { startDelayRelay, WAN_DELAY, type DelayRelay } from './delay-relay.js';

const HOSTS = 5;
/** Seats in the committee: the host left out follows as a full node. */
const COMMITTEE = 4;
const CHAIN_ID = 4242;
const P2P_PORT = 30300;
const RPC_PORT = 8545;
/** Longest gap between two new heights, seen from a validator that keeps running, that is not a stall. */
const MAX_HEIGHT_GAP_MS = 8_000;
const CATCH_UP_MS = 45_000;

const unavailable = canCreateNamespaces();
if (unavailable !== undefined) console.log(`# multi-host test skipped: ${unavailable}`);

let network: HostNetwork | undefined;
let root = '';
const nodes = new Map<number, ChildProcess>();
const relays: DelayRelay[] = [];
/** The host the genesis draw left out of the committee: started only by the full-node test. */
let fullNode: Host | undefined;

function rpcUrl(host: Host): string {
  return `http://${host.address}:${RPC_PORT}`;
}

async function rpc<T>(host: Host, method: string, params: unknown[] = []): Promise<T> {
  const response = await fetch(rpcUrl(host), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }), signal: AbortSignal.timeout(3_000) });
  const body = (await response.json()) as { result?: T; error?: { message: string } };
  if (body.error !== undefined) throw new Error(`${method}: ${body.error.message}`);
  return body.result as T;
}

async function height(host: Host): Promise<number | undefined> {
  try {
    return Number(BigInt(await rpc<string>(host, 'eth_blockNumber')));
  } catch {
    return undefined;
  }
}

function hostDir(host: Host): string {
  return join(root, `host-${host.index}`);
}

function configPath(host: Host): string {
  return join(hostDir(host), `v${host.index}`, 'config.json');
}

function passwordFile(): string {
  return join(root, 'password.txt');
}

/** `synod ARGS` inside a host's namespace (keys are made where they live). */
function synodOn(host: Host, args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('ip', network!.exec(host, [process.execPath, SYNOD_BIN, ...args]), { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

function startNode(host: Host): void {
  const log = join(hostDir(host), 'node.log');
  const child = spawn('ip', network!.exec(host, [process.execPath, SYNOD_BIN, 'start', '--config', configPath(host), '--password-file', passwordFile(), '--log-level', 'warn']), { stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  child.stdout!.on('data', (c: Buffer) => out.push(c));
  child.stderr!.on('data', (c: Buffer) => out.push(c));
  child.on('exit', () => writeFileSync(log, Buffer.concat(out)));
  nodes.set(host.index, child);
}

async function stopNode(host: Host): Promise<void> {
  const child = nodes.get(host.index);
  nodes.delete(host.index);
  if (child === undefined || child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Heights seen from `watcher` every 250 ms while `during` runs; returns the longest gap between increases. */
async function longestGap(watcher: Host, during: () => Promise<void>): Promise<number> {
  let last = (await height(watcher)) ?? 0;
  let lastAt = Date.now();
  let gap = 0;
  let done = false;
  const watch = (async () => {
    while (!done) {
      const h = await height(watcher);
      if (h !== undefined && h > last) {
        gap = Math.max(gap, Date.now() - lastAt);
        last = h;
        lastAt = Date.now();
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  try {
    await during();
  } finally {
    done = true;
    await watch;
  }
  return Math.max(gap, Date.now() - lastAt);
}

async function waitFor(condition: () => Promise<boolean>, withinMs: number, what: string, pollMs = 250): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!(await condition().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out after ${withinMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

async function allAtLeast(hosts: readonly Host[], target: number, withinMs: number): Promise<void> {
  await waitFor(async () => (await Promise.all(hosts.map(height))).every((h) => h !== undefined && h >= target), withinMs, `hosts ${hosts.map((h) => h.index).join(',')} at height ${target}`);
}

before(async () => {
  if (unavailable !== undefined) return;
  network = createHostNetwork(HOSTS);
  root = mkdtempSync(join(tmpdir(), 'synod-multihost-'));
  writeFileSync(passwordFile(), 'multihost test password\n', { mode: 0o600 });
  // Each host makes its own key; only the public keys travel to whoever runs init.
  const made = await Promise.all(
    network.hosts.map(async (host) => {
      mkdirSync(join(hostDir(host), `v${host.index}`), { recursive: true });
      const r = await synodOn(host, ['keys', 'generate', '--out', join(hostDir(host), `v${host.index}`, 'keystore.json'), '--password-file', passwordFile(), '--light-kdf', '--json']);
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout) as { publicKey: string };
    }),
  );
  const nodesFile = network.hosts.map((host, i) => ({ id: `v${i}`, publicKey: made[i]!.publicKey, address: `${host.address}:${P2P_PORT}`, rpc: `${host.address}:${RPC_PORT}`, stake: 1000, lock: 20, coefficient: 1 }));
  writeFileSync(join(root, 'validators.json'), JSON.stringify({ T: 90, form: 'product', nodes: nodesFile }, null, 2));
  writeFileSync(join(root, 'alloc.json'), JSON.stringify({ [privateKeyToAccount(devAccounts(1)[0]!.privateKey).address]: { balance: (10n ** 21n).toString() } }));
  const out = join(root, 'init');
  const init = spawnSync(process.execPath, [SYNOD_BIN, 'init', '--validators-file', join(root, 'validators.json'), '--alloc', join(root, 'alloc.json'), '--chain-id', String(CHAIN_ID), '--committee', String(COMMITTEE), '--listen-host', '0.0.0.0', '--out', out], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(init.status, 0, init.stderr);
  // Each host gets the genesis and its own config, beside the key it made.
  for (const host of network.hosts) {
    cpSync(join(out, 'genesis.json'), join(hostDir(host), 'genesis.json'));
    cpSync(join(out, `v${host.index}`, 'config.json'), configPath(host));
  }
  const members = new Set(parseGenesis(JSON.parse(readFileSync(join(out, 'genesis.json'), 'utf8')) as GenesisFile).committee.members.map((m) => m.id));
  fullNode = network.hosts.find((host) => !members.has(`v${host.index}`));
  assert.ok(fullNode !== undefined && members.size === COMMITTEE);
  rmSync(out, { recursive: true, force: true });
  for (const host of network.hosts) if (host !== fullNode) startNode(host);
});

after(async () => {
  await Promise.all([...nodes.keys()].map((i) => stopNode(network!.hosts[i]!)));
  await Promise.all(relays.map((r) => r.close()));
  network?.remove();
  if (root !== '') rmSync(root, { recursive: true, force: true });
});

test('the network from synod init finalizes on the four committee hosts', { skip: unavailable }, async () => {
  const members = network!.hosts.filter((h) => h !== fullNode);
  await allAtLeast(members, 3, 60_000);
  const hashes = await Promise.all(members.map((h) => rpc<{ hash: string }>(h, 'eth_getBlockByNumber', ['0x2', false])));
  assert.equal(new Set(hashes.map((b) => b.hash)).size, 1, 'every host holds the same block 2');
});

test('a new full node, outside the committee, joins by sync and follows the chain', { skip: unavailable }, async () => {
  const members = network!.hosts.filter((h) => h !== fullNode);
  await allAtLeast(members, 6, 60_000);
  startNode(fullNode!);
  const target = (await height(members[0]!))!;
  await allAtLeast([fullNode!], target, CATCH_UP_MS);
  const block = `0x${target.toString(16)}`;
  const hashes = await Promise.all(network!.hosts.map((h) => rpc<{ hash: string }>(h, 'eth_getBlockByNumber', [block, false])));
  assert.equal(new Set(hashes.map((b) => b.hash)).size, 1, `the full node holds the committee's block ${target}`);
  assert.ok((await rpc<{ signatures: unknown[] } | null>(fullNode!, 'synod_getCertificate', [block])) !== null, 'with its certificate');
  const committee = await rpc<{ members: { id: string }[] }>(fullNode!, 'synod_committee');
  assert.ok(!committee.members.some((m) => m.id === `v${fullNode!.index}`), 'it is not a member');
  // It keeps following as the chain moves.
  await allAtLeast([fullNode!], target + 3, 30_000);
});

test('a rolling restart of every validator, one at a time, never stalls the chain', { skip: unavailable }, async () => {
  const hosts = network!.hosts;
  for (const host of hosts) {
    const watcher = hosts[(host.index + 1) % hosts.length]!;
    const gap = await longestGap(watcher, async () => {
      await stopNode(host);
      await new Promise((r) => setTimeout(r, 1_000));
      startNode(host);
      const target = (await height(watcher))!;
      await allAtLeast([host], target, CATCH_UP_MS);
    });
    assert.ok(gap < MAX_HEIGHT_GAP_MS, `restarting host ${host.index}: no new height for ${gap} ms`);
  }
});

test("one host's link cut: the rest keep finalizing; restored, it catches up", { skip: unavailable }, async () => {
  const hosts = network!.hosts;
  const victim = hosts[HOSTS - 1]!;
  const rest = hosts.filter((h) => h !== victim);
  network!.cut(victim);
  try {
    const start = (await height(rest[0]!))!;
    await allAtLeast(rest, start + 3, 20_000);
  } finally {
    network!.restore(victim);
  }
  const target = (await height(rest[0]!))!;
  await allAtLeast([victim], target, CATCH_UP_MS);
  const block = `0x${target.toString(16)}`;
  const hashes = await Promise.all(hosts.map((h) => rpc<{ hash: string }>(h, 'eth_getBlockByNumber', [block, false])));
  assert.equal(new Set(hashes.map((b) => b.hash)).size, 1, `every host holds the same block ${target}`);
});

test(`with ${WAN_DELAY.meanMs} ms ± ${WAN_DELAY.jitterMs} ms between every pair of hosts the chain keeps finalizing`, { skip: unavailable }, async () => {
  const hosts = network!.hosts;
  // One relay per host in the root namespace; every peer dials the others through their relays.
  const relayOf = new Map<number, DelayRelay>();
  for (const host of hosts) {
    const relay = await startDelayRelay(network!.bridgeAddress, { host: host.address, port: P2P_PORT });
    relays.push(relay);
    relayOf.set(host.index, relay);
  }
  for (const host of hosts) {
    await stopNode(host);
    const config = JSON.parse(readFileSync(configPath(host), 'utf8')) as { peers: { id: string; address: string }[] };
    for (const peer of config.peers) {
      const index = hosts.findIndex((h) => peer.address === `${h.address}:${P2P_PORT}`);
      assert.ok(index >= 0, `peer ${peer.id} at ${peer.address}`);
      peer.address = `${network!.bridgeAddress}:${relayOf.get(index)!.port}`;
    }
    writeFileSync(configPath(host), JSON.stringify(config, null, 2));
  }
  for (const host of hosts) startNode(host);
  const start = Math.max(...(await Promise.all(hosts.map(async (h) => (await height(h)) ?? 0))));
  await allAtLeast(hosts, start + 3, 60_000);
  // Finality latency of transfers, each sent once the previous one is final.
  const account = privateKeyToAccount(devAccounts(1)[0]!.privateKey);
  const client = hosts[0]!;
  let nonce = Number(BigInt(await rpc<string>(client, 'eth_getTransactionCount', [account.address, 'pending'])));
  const gasPrice = BigInt(await rpc<string>(client, 'eth_gasPrice')) * 2n;
  const latencies: number[] = [];
  for (let i = 0; i < 5; i++) {
    const raw = await account.signTransaction({ chainId: CHAIN_ID, nonce: nonce++, gasPrice, gas: 21_000n, to: '0x000000000000000000000000000000000000dEaD', value: 1n, type: 'legacy' });
    const sentAt = Date.now();
    const hash = await rpc<string>(client, 'eth_sendRawTransaction', [raw]);
    await waitFor(async () => (await rpc<unknown>(client, 'eth_getTransactionReceipt', [hash])) !== null, 30_000, `receipt of ${hash}`, 5);
    latencies.push(Date.now() - sentAt);
  }
  latencies.sort((a, b) => a - b);
  console.log(`# WAN ${WAN_DELAY.meanMs}±${WAN_DELAY.jitterMs} ms: transfer finality p50 ${latencies[2]} ms (min ${latencies[0]}, max ${latencies[4]})`);
  assert.ok(latencies.every((l) => l < 30_000));
});
