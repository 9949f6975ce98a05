// The config file's "rpc" and "metrics" settings: the "host:port" string still works, the object
// form carries the endpoint's settings, unknown keys and malformed values are refused with a
// message naming the field, and command-line overrides win over the file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair } from '../../src/crypto/ed25519.js';
import { keyFileFor, loadValidatorConfig } from '../../src/node/config.js';
import { DEFAULT_RPC_SETTINGS, parseDuration } from '../../src/node/rpc-settings.js';

let dir: string;
const base = { id: 'v0', genesis: 'genesis.json', keyFile: 'key.json', dataDir: 'data', listen: '127.0.0.1:30300', peers: [], logLevel: 'info' };

function load(config: Record<string, unknown>, overrides?: Parameters<typeof loadValidatorConfig>[1]) {
  const path = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify({ ...base, ...config }));
  return loadValidatorConfig(path, overrides);
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'synod-rpc-config-'));
  writeFileSync(join(dir, 'key.json'), JSON.stringify(keyFileFor(generateKeyPair())));
});

after(() => rmSync(dir, { recursive: true, force: true }));

test('"rpc": "host:port" still works and gets the defaults (geth\'s gas cap, 5 s, 1000 calls, 25 MB)', () => {
  const config = load({ rpc: '127.0.0.1:8545' });
  assert.deepEqual(config.rpc, { host: '127.0.0.1', port: 8545 });
  assert.deepEqual(config.rpcSettings, DEFAULT_RPC_SETTINGS);
  assert.deepEqual(config.rpcSettings.api, ['eth', 'net', 'web3', 'synod']);
  assert.deepEqual(config.rpcSettings.cors, []);
  assert.equal(config.rpcSettings.gasCap, 50_000_000n);
  assert.equal(config.rpcSettings.evmTimeoutMs, 5_000);
  assert.equal(config.rpcSettings.batchLimit, 1_000);
  assert.equal(config.rpcSettings.batchResponseMaxBytes, 25_000_000);
  assert.equal(config.metricsAddr, undefined);
});

test('the object form carries every setting; "metrics" names a separate listener', () => {
  const config = load({
    rpc: {
      addr: '0.0.0.0:9545', api: ['eth', 'debug'], cors: ['https://app.example'], vhosts: ['rpc.example.com'], wsOrigins: 'https://app.example,http://localhost:*',
      gasCap: 0, evmTimeout: '1m30s', batchLimit: 50, batchResponseMaxBytes: 1_000_000,
    },
    metrics: { addr: '127.0.0.1:6060' },
  });
  assert.deepEqual(config.rpc, { host: '0.0.0.0', port: 9545 });
  assert.deepEqual(config.rpcSettings, {
    api: ['eth', 'debug'], cors: ['https://app.example'], vhosts: ['rpc.example.com'], wsOrigins: ['https://app.example', 'http://localhost:*'],
    gasCap: 0n, evmTimeoutMs: 90_000, batchLimit: 50, batchResponseMaxBytes: 1_000_000, rateLimit: { requestsPerSecond: 1_000, burst: 2_000, exemptLoopback: false },
  });
  assert.deepEqual(config.metricsAddr, { host: '127.0.0.1', port: 6060 });
});

test('overrides (the flags) win over the file, key by key', () => {
  const config = load(
    { rpc: { addr: '127.0.0.1:8545', api: ['eth', 'debug'], gasCap: 1_000 }, metrics: { addr: '127.0.0.1:6060' } },
    { rpc: { api: ['eth'] }, metricsAddr: { host: '127.0.0.1', port: 7070 } },
  );
  assert.deepEqual(config.rpcSettings.api, ['eth']);
  assert.equal(config.rpcSettings.gasCap, 1_000n); // not overridden: the file's
  assert.deepEqual(config.metricsAddr, { host: '127.0.0.1', port: 7070 });
});

test('unknown keys are refused, naming the known ones: top level, in rpc, in metrics', () => {
  assert.throws(() => load({ rpc: '127.0.0.1:8545', rpcApi: ['eth'] }), /unknown field "rpcApi"; known fields: .*rpc, metrics/);
  assert.throws(() => load({ rpc: { addr: '127.0.0.1:8545', corsdomain: ['*'] } }), /config: rpc: unknown key "corsdomain"; known keys: addr, api, cors, vhosts, wsOrigins, gasCap, evmTimeout, batchLimit, batchResponseMaxBytes/);
  assert.throws(() => load({ rpc: '127.0.0.1:8545', metrics: { addr: '127.0.0.1:6060', port: 1 } }), /config: metrics: unknown key "port"; known keys: addr/);
});

test('malformed values are refused with a message naming the field', () => {
  const rpc = (extra: Record<string, unknown>) => ({ rpc: { addr: '127.0.0.1:8545', ...extra } });
  assert.throws(() => load({ rpc: { api: ['eth'] } }), /rpc\.addr is missing/);
  assert.throws(() => load({ rpc: 8545 }), /"rpc" must be "host:port" or an object/);
  assert.throws(() => load(rpc({ addr: 'localhost' })), /rpc\.addr must be "host:port"/);
  assert.throws(() => load(rpc({ api: ['eth', 'debug_traceTransaction'] })), /rpc\.api: "debug_traceTransaction" is not a namespace name/);
  assert.throws(() => load(rpc({ api: [] })), /rpc\.api must name at least one namespace/);
  assert.throws(() => load(rpc({ api: 'eth', cors: [3] })), /rpc\.cors must be a list of strings/);
  assert.throws(() => load(rpc({ cors: ['localhost:3000'] })), /rpc\.cors: "localhost:3000" is not an origin/);
  assert.throws(() => load(rpc({ wsOrigins: ['http://a.example/path'] })), /rpc\.wsOrigins: .* is not an origin/);
  assert.throws(() => load(rpc({ vhosts: ['http://rpc.example.com'] })), /rpc\.vhosts: .* is not a host name/);
  assert.throws(() => load(rpc({ gasCap: -1 })), /rpc\.gasCap must be a whole amount of gas/);
  assert.throws(() => load(rpc({ gasCap: 1.5 })), /rpc\.gasCap/);
  assert.throws(() => load(rpc({ evmTimeout: '5 seconds' })), /rpc\.evmTimeout must be a duration like 5s/);
  assert.throws(() => load(rpc({ evmTimeout: '2h' })), /rpc\.evmTimeout .* to 1h/);
  assert.throws(() => load(rpc({ batchLimit: -3 })), /rpc\.batchLimit must be a whole number of requests/);
  assert.throws(() => load(rpc({ batchResponseMaxBytes: '1MB' })), /rpc\.batchResponseMaxBytes must be a whole number of bytes/);
  assert.throws(() => load({ rpc: '127.0.0.1:8545', metrics: '127.0.0.1:6060' }), /"metrics" must be an object \{"addr": "host:port"\}/);
});

test('durations as geth writes them, or plain milliseconds', () => {
  assert.equal(parseDuration('5s', 'd'), 5_000);
  assert.equal(parseDuration('500ms', 'd'), 500);
  assert.equal(parseDuration('1.5s', 'd'), 1_500);
  assert.equal(parseDuration('1m30s', 'd'), 90_000);
  assert.equal(parseDuration('250', 'd'), 250);
  assert.equal(parseDuration(250, 'd'), 250);
  assert.equal(parseDuration('0', 'd'), 0);
  assert.throws(() => parseDuration('s', 'd'), /d must be a duration/);
  assert.throws(() => parseDuration('-5s', 'd'), /d must be a duration/);
});

test('"rpc.rateLimit": loopback limited by default, null turns it off, the devnet exempts loopback, bad values refused', async () => {
  assert.deepEqual(load({ rpc: '127.0.0.1:8545' }).rpcSettings.rateLimit, { requestsPerSecond: 1_000, burst: 2_000, exemptLoopback: false });
  assert.equal(load({ rpc: { addr: '127.0.0.1:8545', rateLimit: null } }).rpcSettings.rateLimit, null);
  assert.deepEqual(load({ rpc: { addr: '127.0.0.1:8545', rateLimit: { burst: 50 } } }).rpcSettings.rateLimit, { requestsPerSecond: 1_000, burst: 50, exemptLoopback: false });
  const { DEVNET_RPC_SECTION } = await import('../../src/node/rpc-settings.js');
  assert.deepEqual(load({ rpc: { addr: '127.0.0.1:8545', ...DEVNET_RPC_SECTION } }).rpcSettings.rateLimit, { requestsPerSecond: 1_000, burst: 2_000, exemptLoopback: true });
  assert.throws(() => load({ rpc: { addr: '127.0.0.1:8545', rateLimit: { perSecond: 5 } } }), /unknown key "perSecond"; known keys: requestsPerSecond, burst, exemptLoopback/);
  assert.throws(() => load({ rpc: { addr: '127.0.0.1:8545', rateLimit: { burst: 0 } } }), /burst must be a whole number of tokens of at least 1/);
  assert.throws(() => load({ rpc: { addr: '127.0.0.1:8545', rateLimit: { exemptLoopback: 'yes' } } }), /exemptLoopback must be true or false/);
});
