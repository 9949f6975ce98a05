// `synod start` refuses bad configuration at start with a message that says what to fix.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, unlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SYNOD_BIN, TEST_PORT_BASE } from '../helpers/devnet.js';
import { generateKeyPair } from '../../src/crypto/ed25519.js';
import { keyFileFor } from '../../src/node/config.js';

// Ports above SYNOD_TEST_PORT_BASE, clear of the devnet slots (9700 and 9720 by default).
const P2P_PORT = TEST_PORT_BASE + 700;
const RPC_PORT = TEST_PORT_BASE + 720;

let dir: string;
let config: string;

function start(configPath: string): { status: number | null; stderr: string } {
  const result = spawnSync(process.execPath, [SYNOD_BIN, 'start', '--config', configPath, '--log-level', 'silent'], { encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stderr: result.stderr };
}

function rewrite(change: (c: any) => void): string {
  const c = JSON.parse(readFileSync(config, 'utf8'));
  change(c);
  const path = join(dir, 'validator-0', `config-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify(c));
  return path;
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'synod-bad-config-'));
  const init = spawnSync(process.execPath, [SYNOD_BIN, 'init', '--validators', '4', '--chain-id', '7', '--out', dir, '--p2p-port', String(P2P_PORT), '--rpc-port', String(RPC_PORT)], { encoding: 'utf8' });
  assert.equal(init.status, 0, init.stderr);
  config = join(dir, 'validator-0', 'config.json');
});

after(() => rmSync(dir, { recursive: true, force: true }));

test('a missing config file names the file and how to make one', () => {
  const r = start(join(dir, 'nope.json'));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /nope\.json does not exist.*synod init/);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
});

test('a missing key file names the key file', () => {
  const r = start(rewrite((c) => (c.keyFile = 'missing-key.json')));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /key file .*missing-key\.json does not exist/);
});

test('a peer that is not a validator of the genesis is refused', () => {
  const r = start(rewrite((c) => (c.peers[0].publicKey = '0x' + '11'.repeat(32))));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /peer "validator-1" .* is not a validator in the genesis file/);
});

test('a key that is not a validator of the genesis is refused, naming its public key', () => {
  writeFileSync(join(dir, 'validator-0', 'other-key.json'), JSON.stringify(keyFileFor(generateKeyPair())));
  const r = start(rewrite((c) => (c.keyFile = 'other-key.json')));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /the key in "keyFile" \(public key 0x[0-9a-f]{64}\) is not a validator in the genesis file: point "keyFile" at this validator's own keystore/);
});

test('an unknown config field is refused', () => {
  const r = start(rewrite((c) => (c.rpcPort = 1)));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /unknown field "rpcPort"/);
});

test('a port in use is reported with the setting to change', async () => {
  const blocker: Server = createServer();
  await new Promise<void>((resolve) => blocker.listen(RPC_PORT, '127.0.0.1', resolve));
  try {
    const r = start(config);
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`${RPC_PORT}.*in use`));
  } finally {
    await new Promise((resolve) => blocker.close(resolve));
  }
});

test('a corrupt data directory is reported, not crashed on', () => {
  const chainDir = join(dir, 'validator-1', 'data', 'chain');
  mkdirSync(chainDir, { recursive: true });
  writeFileSync(join(chainDir, 'chain.mdb'), Buffer.alloc(64 * 1024, 0x5a));
  const r = start(join(dir, 'validator-1', 'config.json'));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /data dir .*(corrupt|not a Synod|restore|delete)/i);
  unlinkSync(join(chainDir, 'chain.mdb'));
});
