// One precedence for every operator setting: flag > SYNOD_* variable > config file > default,
// the source of each recorded, bad values refused naming the flag or variable, and
// `synod start --print-config` printing the resolved config (secrets redacted) as a file that
// starts the same validator.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { generateKeyPair } from '../../src/crypto/ed25519.js';
import { keyFileFor, resolveValidatorConfig } from '../../src/node/config.js';
import { collectSettings, envName, OPERATOR_SETTINGS, parseOverrides, redactSecrets, REDACTED } from '../../src/node/settings.js';
import { validatorEnv } from '../../src/cli/devnet.js';
import { SYNOD_BIN } from '../helpers/devnet.js';

let dir: string;
let configPath: string;
const FILE = {
  id: 'v0', genesis: 'genesis.json', keyFile: 'key.json', dataDir: 'data', listen: '127.0.0.1:30300',
  rpc: { addr: '127.0.0.1:8545', api: ['eth', 'net'], gasCap: 1_000 }, peers: [], logLevel: 'warn',
};

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'synod-settings-'));
  writeFileSync(join(dir, 'key.json'), JSON.stringify(keyFileFor(generateKeyPair())));
  configPath = join(dir, 'config.json');
  writeFileSync(configPath, JSON.stringify(FILE));
});

after(() => rmSync(dir, { recursive: true, force: true }));

const resolveWith = (flags: Record<string, string>, env: Record<string, string>) => resolveValidatorConfig(configPath, parseOverrides(collectSettings(flags, env)));

test('every setting has a flag and a variable named after it', () => {
  assert.equal(envName('rpc-batch-response-max-bytes'), 'SYNOD_RPC_BATCH_RESPONSE_MAX_BYTES');
  const keys = OPERATOR_SETTINGS.map((s) => s.key);
  for (const key of ['dataDir', 'listen', 'rpc.addr', 'rpc.api', 'rpc.cors', 'rpc.vhosts', 'rpc.wsOrigins', 'rpc.gasCap', 'rpc.evmTimeout', 'rpc.batchLimit', 'rpc.batchResponseMaxBytes', 'metrics.addr', 'logLevel', 'logFormat']) {
    assert.ok(keys.includes(key), key);
  }
});

test('flag > variable > file > default, setting by setting, with the source of each', () => {
  const config = resolveWith(
    { 'rpc-api': 'eth', 'log-level': 'debug' },
    { SYNOD_RPC_API: 'eth,debug', SYNOD_RPC_CORS: 'https://app.example', SYNOD_LISTEN: '0.0.0.0:30400', SYNOD_DATA_DIR: 'elsewhere', SYNOD_LOG_FORMAT: 'json' },
  );
  assert.deepEqual(config.rpcSettings.api, ['eth']); // flag over variable over file
  assert.deepEqual(config.rpcSettings.cors, ['https://app.example']); // variable over default
  assert.equal(config.rpcSettings.gasCap, 1_000n); // file over default
  assert.equal(config.rpcSettings.batchLimit, 1_000); // default
  assert.deepEqual(config.listen, { host: '0.0.0.0', port: 30400 }); // variable over file
  assert.equal(config.dataDir, resolve('elsewhere')); // a variable's path is relative to the working folder
  assert.equal(config.logLevel, 'debug'); // flag over file
  assert.equal(config.logFormat, 'json');
  assert.deepEqual(
    { api: config.sources['rpc.api'], cors: config.sources['rpc.cors'], gas: config.sources['rpc.gasCap'], batch: config.sources['rpc.batchLimit'], level: config.sources.logLevel, dataDir: config.sources.dataDir },
    { api: 'flag', cors: 'env', gas: 'file', batch: 'default', level: 'flag', dataDir: 'env' },
  );
  const fileOnly = resolveWith({}, {});
  assert.equal(fileOnly.dataDir, join(dir, 'data')); // the file's path is relative to its folder
  assert.equal(fileOnly.logLevel, 'warn');
  assert.equal(fileOnly.logFormat, 'auto');
  assert.equal(fileOnly.sources['rpc.addr'], 'file');
});

test('an empty variable counts as unset', () => {
  assert.deepEqual(resolveWith({}, { SYNOD_RPC_API: '' }).rpcSettings.api, ['eth', 'net']);
});

test('a bad value is refused naming the flag or the variable', () => {
  assert.throws(() => resolveWith({}, { SYNOD_RPC_GASCAP: 'lots' }), /^ConfigError: SYNOD_RPC_GASCAP must be a whole amount of gas/);
  assert.throws(() => resolveWith({ 'rpc-gascap': 'lots' }, {}), /--rpc-gascap must be a whole amount of gas/);
  assert.throws(() => resolveWith({}, { SYNOD_LOG_LEVEL: 'loud' }), /SYNOD_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"/);
  assert.throws(() => resolveWith({ 'log-format': 'xml' }, {}), /--log-format must be one of auto, json, pretty/);
  assert.throws(() => resolveWith({}, { SYNOD_METRICS_ADDR: '6060' }), /SYNOD_METRICS_ADDR must be "host:port"/);
});

test('secrets are redacted wherever they sit', () => {
  assert.deepEqual(redactSecrets({ keyFile: 'k.json', keystore: { password: 'p', kdf: 'scrypt' }, list: [{ seed: '0x01' }], privateKey: '0x02' }), {
    keyFile: 'k.json', keystore: { password: REDACTED, kdf: 'scrypt' }, list: [{ seed: REDACTED }], privateKey: REDACTED,
  });
});

test('a devnet hands its validators the shared SYNOD_* variables, not the per-validator ones', () => {
  const env = validatorEnv({ PATH: '/bin', SYNOD_RPC_API: 'eth', SYNOD_RPC_ADDR: '0.0.0.0:1', SYNOD_LISTEN: 'x:1', SYNOD_DATA_DIR: 'd', SYNOD_CONFIG: 'c', SYNOD_METRICS_ADDR: 'm:1' });
  assert.deepEqual(env, { PATH: '/bin', SYNOD_RPC_API: 'eth' });
});

test('synod start --print-config prints the resolved config and its sources, and starts nothing', () => {
  const r = spawnSync(process.execPath, [SYNOD_BIN, 'start', '--print-config', '--rpc-addr', '127.0.0.1:9999'], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, SYNOD_CONFIG: configPath, SYNOD_RPC_ADDR: '127.0.0.1:1', SYNOD_RPC_EVMTIMEOUT: '2s', SYNOD_LOG_LEVEL: '' },
  });
  assert.equal(r.status, 0, r.stderr);
  const printed = JSON.parse(r.stdout) as Record<string, any>;
  assert.equal(printed.rpc.addr, '127.0.0.1:9999');
  assert.equal(printed.rpc.evmTimeout, 2_000);
  assert.equal(printed.rpc.gasCap, '1000');
  assert.equal(printed.keyFile, join(dir, 'key.json'));
  assert.doesNotMatch(r.stdout, /seed/);
  assert.match(r.stderr, /rpc\.addr +from --rpc-addr/);
  assert.match(r.stderr, /rpc\.evmTimeout +from SYNOD_RPC_EVMTIMEOUT/);
  assert.match(r.stderr, new RegExp(`rpc\\.gasCap +from ${configPath.replace(/[/.]/g, '\\$&')}`));
  assert.match(r.stderr, /rpc\.batchLimit +from default/);
  // What it prints is itself a config file that resolves to the same settings.
  const again = join(dir, 'printed.json');
  writeFileSync(again, r.stdout);
  const reloaded = resolveValidatorConfig(again);
  assert.equal(reloaded.rpcSettings.evmTimeoutMs, 2_000);
  assert.deepEqual(reloaded.rpc, { host: '127.0.0.1', port: 9999 });
  assert.equal(reloaded.dataDir, join(dir, 'data'));
});

test('synod start names the variable of a bad value, and asks for a config when none is given', () => {
  const bad = spawnSync(process.execPath, [SYNOD_BIN, 'start', '--config', configPath, '--print-config'], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, SYNOD_RPC_BATCH_LIMIT: 'many' } });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /synod start: SYNOD_RPC_BATCH_LIMIT must be a whole number of requests/);
  const none = spawnSync(process.execPath, [SYNOD_BIN, 'start'], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, SYNOD_CONFIG: '' } });
  assert.equal(none.status, 2);
  assert.match(none.stderr, /--config FILE \(or SYNOD_CONFIG\) is required/);
});
