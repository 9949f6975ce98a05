// A validator's key file: an encrypted keystore unlocks with its password and is refused, with what
// to do, without it or with a wrong one; a plaintext key file (the devnet's) still loads, marked so.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair } from '../../src/crypto/ed25519.js';
import { LIGHT_SCRYPT, encryptKeystore } from '../../src/crypto/keystore.js';
import { keyFileFor, loadKeyFile, loadValidatorConfig } from '../../src/node/config.js';

let dir: string;
const pair = generateKeyPair();
const password = { password: 'hunter2', source: '--password-file pw.txt' };

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'synod-key-file-'));
  writeFileSync(join(dir, 'keystore.json'), JSON.stringify(encryptKeystore('ed25519', pair.seed, 'hunter2', { kdf: LIGHT_SCRYPT })));
  writeFileSync(join(dir, 'key.json'), JSON.stringify(keyFileFor(pair)));
  writeFileSync(join(dir, 'account.json'), JSON.stringify(encryptKeystore('secp256k1', new Uint8Array(32).fill(7), 'hunter2', { kdf: LIGHT_SCRYPT })));
});

after(() => rmSync(dir, { recursive: true, force: true }));

test('an encrypted keystore unlocks with its password into the same key pair', () => {
  const loaded = loadKeyFile(join(dir, 'keystore.json'), password);
  assert.equal(loaded.plaintext, false);
  assert.deepEqual(loaded.keyPair.publicKey, pair.publicKey);
  const config = loadValidatorConfig(writeConfig('keystore.json'), {}, password);
  assert.equal(config.plaintextKey, false);
  assert.deepEqual(config.keyPair.seed, pair.seed);
});

test('without a password, or with a wrong one, the message says which file and what to do', () => {
  assert.throws(() => loadKeyFile(join(dir, 'keystore.json')), /keystore\.json is an encrypted keystore: give its password with --password-file FILE or the SYNOD_KEY_PASSWORD/);
  assert.throws(() => loadKeyFile(join(dir, 'keystore.json'), { password: 'hunter3', source: 'SYNOD_KEY_PASSWORD' }), /keystore\.json: wrong password from SYNOD_KEY_PASSWORD/);
});

test('a corrupt keystore and an account keystore are refused as such', () => {
  const corrupt = join(dir, 'corrupt.json');
  writeFileSync(corrupt, JSON.stringify({ ...encryptKeystore('ed25519', pair.seed, 'hunter2', { kdf: LIGHT_SCRYPT }), crypto: { cipher: 'aes-128-ctr', kdf: 'scrypt' } }));
  assert.throws(() => loadKeyFile(corrupt, password), /corrupt\.json is a corrupt or unsupported keystore: .*restore it from backup/);
  assert.throws(() => loadKeyFile(join(dir, 'account.json'), password), /holds a secp256k1 account key, not a validator's ed25519 key/);
});

test('a plaintext key file still loads, marked plaintext', () => {
  const loaded = loadKeyFile(join(dir, 'key.json'));
  assert.equal(loaded.plaintext, true);
  assert.deepEqual(loaded.keyPair.publicKey, pair.publicKey);
});

function writeConfig(keyFile: string): string {
  const path = join(dir, `config-${keyFile}`);
  writeFileSync(path, JSON.stringify({ id: 'v0', genesis: 'genesis.json', keyFile, dataDir: 'data', listen: '127.0.0.1:30300', rpc: '127.0.0.1:8545', peers: [] }));
  return path;
}
