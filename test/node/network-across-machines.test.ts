// End-to-end: a network made as operators make one across machines. Each of 4 "machines" (folders)
// runs `synod keys generate`; their public keys go into a validators file; `synod init
// --validators-file --alloc` writes genesis and configs; each machine gets genesis.json and its
// config beside its own keystore and runs `synod start --password-file`. The chain finalizes, the
// alloc'd account (a keystore of `synod keys generate --type secp256k1`) holds its balance and
// spends it, and a node given a wrong password, or none, refuses to start and says why.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPublicClient, createWalletClient, defineChain, http, parseEther, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { decryptKeystoreJsonSync } from 'ethers';
import { SYNOD_BIN, TEST_PORT_BASE, until } from '../helpers/devnet.js';

const VALIDATORS = 4;
const SLOT = 13;
const RPC_BASE = TEST_PORT_BASE + SLOT * 20;
const P2P_BASE = RPC_BASE + 10;
const CHAIN_ID = 4242;
const FUNDS_WEI = parseEther('1000');
const START_TIMEOUT_MS = 90_000;
const PASSWORD = 'a long validator passphrase';

const chain = defineChain({ id: CHAIN_ID, name: 'synod-e2e', nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 }, rpcUrls: { default: { http: [`http://127.0.0.1:${RPC_BASE}`] } } });
const clients = Array.from({ length: VALIDATORS }, (_, i) => createPublicClient({ chain, transport: http(`http://127.0.0.1:${RPC_BASE + i}`) }));

let dir: string;
let account: Hex;
const nodes: ChildProcess[] = [];

const machine = (i: number) => join(dir, `machine-${i}`);
const configOf = (i: number) => join(machine(i), `v${i}`, 'config.json');

function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const { SYNOD_KEY_PASSWORD: _, ...rest } = process.env;
  const child = spawn(process.execPath, [SYNOD_BIN, ...args], { env: { ...rest, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'synod-across-machines-'));
  writeFileSync(join(dir, 'password.txt'), `${PASSWORD}\n`);
  writeFileSync(join(dir, 'wrong.txt'), 'not the passphrase\n');
  // On each machine: a validator key, never copied anywhere else.
  const generated = await Promise.all(
    Array.from({ length: VALIDATORS }, async (_, i) => {
      mkdirSync(join(machine(i), `v${i}`), { recursive: true });
      const r = await run(['keys', 'generate', '--out', join(machine(i), `v${i}`, 'keystore.json'), '--password-file', join(dir, 'password.txt'), '--light-kdf', '--json']);
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout) as { publicKey: Hex };
    }),
  );
  const made = await run(['keys', 'generate', '--type', 'secp256k1', '--out', join(dir, 'treasury.json'), '--light-kdf', '--json'], { SYNOD_KEY_PASSWORD: PASSWORD });
  assert.equal(made.code, 0, made.stderr);
  account = (JSON.parse(made.stdout) as { address: Hex }).address;
  // The coordinator: public keys in, genesis and configs out.
  const validators = generated.map((g, i) => ({ id: `v${i}`, publicKey: g.publicKey, address: `127.0.0.1:${P2P_BASE + i}`, rpc: `127.0.0.1:${RPC_BASE + i}`, stake: 1000 + 100 * i, lock: 20, coefficient: 1 }));
  writeFileSync(join(dir, 'validators.json'), JSON.stringify({ T: 90, form: 'product', nodes: validators }, null, 2));
  writeFileSync(join(dir, 'alloc.json'), JSON.stringify({ [account]: { balance: FUNDS_WEI.toString() } }));
  const init = await run(['init', '--validators-file', join(dir, 'validators.json'), '--alloc', join(dir, 'alloc.json'), '--chain-id', String(CHAIN_ID), '--listen-host', '127.0.0.1', '--out', join(dir, 'net')]);
  assert.equal(init.code, 0, init.stderr);
  // Copy genesis.json and each config to its machine, then start every validator there.
  for (let i = 0; i < VALIDATORS; i++) {
    copyFileSync(join(dir, 'net', 'genesis.json'), join(machine(i), 'genesis.json'));
    copyFileSync(join(dir, 'net', `v${i}`, 'config.json'), configOf(i));
    const node = spawn(process.execPath, [SYNOD_BIN, 'start', '--config', configOf(i), '--password-file', join(dir, 'password.txt'), '--log-level', 'warn'], { stdio: ['ignore', 'ignore', 'pipe'] });
    node.stderr!.resume();
    nodes.push(node);
  }
});

after(async () => {
  await Promise.all(
    nodes.map((node) => {
      if (node.exitCode !== null || node.signalCode !== null) return Promise.resolve();
      const exited = new Promise((resolve) => node.once('exit', resolve));
      node.kill('SIGTERM');
      return exited;
    }),
  );
  rmSync(dir, { recursive: true, force: true });
});

test('the four validators unlock their keystores and finalize blocks', async () => {
  for (const client of clients) await until('every validator finalizes block 2', async () => ((await client.getBlockNumber()) >= 2n ? true : undefined), START_TIMEOUT_MS);
  assert.equal(await clients[0]!.getChainId(), CHAIN_ID);
  const committee = (await clients[1]!.request({ method: 'synod_committee' as never })) as { members: unknown[] };
  assert.equal(committee.members.length, VALIDATORS);
});

test("the alloc'd account holds its balance on every node, and its keystore spends it", async () => {
  for (const client of clients) assert.equal(await client.getBalance({ address: account }), FUNDS_WEI);
  const key = decryptKeystoreJsonSync(readFileSync(join(dir, 'treasury.json'), 'utf8'), PASSWORD).privateKey as Hex;
  const wallet = createWalletClient({ chain, account: privateKeyToAccount(key), transport: http(`http://127.0.0.1:${RPC_BASE}`) });
  const to = '0x000000000000000000000000000000000000bEEF';
  const hash = await wallet.sendTransaction({ to, value: parseEther('1') });
  const receipt = await clients[2]!.waitForTransactionReceipt({ hash, pollingInterval: 100, timeout: 30_000 });
  assert.equal(receipt.status, 'success');
  // Another node may execute that block a moment later than the one that answered the receipt.
  await until(`validator 3 reaches block ${receipt.blockNumber}`, async () => ((await clients[3]!.getBlockNumber({ cacheTime: 0 })) >= receipt.blockNumber ? true : undefined), 30_000);
  assert.equal(await clients[3]!.getBalance({ address: to }), parseEther('1'));
});

test('a validator given a wrong password, or none, refuses to start and says why', async () => {
  const wrong = await run(['start', '--config', configOf(0), '--password-file', join(dir, 'wrong.txt')]);
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /keystore\.json: wrong password from --password-file .*wrong\.txt/);
  assert.doesNotMatch(wrong.stderr, /\n\s+at /, 'no stack trace');
  const none = await run(['start', '--config', configOf(0)]);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /keystore\.json is an encrypted keystore: give its password with --password-file FILE or the SYNOD_KEY_PASSWORD environment variable/);
  const fromEnv = await run(['start', '--config', configOf(0)], { SYNOD_KEY_PASSWORD: 'wrong' });
  assert.match(fromEnv.stderr, /wrong password from SYNOD_KEY_PASSWORD/);
});
