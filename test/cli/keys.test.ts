// `synod keys generate|inspect|import` as a user runs them: files of mode 0600, the public part
// printed and readable without the password, accounts that ethers decrypts, and refusals that say
// what to do.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decryptKeystoreJsonSync } from 'ethers';
import { generateKeyPair } from '../../src/crypto/ed25519.js';
import { toHex } from '../../src/crypto/bytes.js';
import { keyFileFor } from '../../src/node/config.js';
import { readPassword } from '../../src/cli/password.js';
import { SYNOD_BIN } from '../helpers/devnet.js';

let dir: string;

function synod(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const { SYNOD_KEY_PASSWORD: _, ...rest } = process.env;
  const result = spawnSync(process.execPath, [SYNOD_BIN, 'keys', ...args], { encoding: 'utf8', env: { ...rest, ...env }, cwd: dir });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'synod-keys-'));
  writeFileSync(join(dir, 'pw'), 'correct horse battery\n');
  writeFileSync(join(dir, 'wrong'), 'incorrect horse\n');
});

after(() => rmSync(dir, { recursive: true, force: true }));

test('generate writes a 0600 keystore and prints the public key that inspect reads without a password', () => {
  const made = synod(['generate', '--out', 'v0.json', '--password-file', 'pw', '--light-kdf', '--json']);
  assert.equal(made.status, 0, made.stderr);
  const printed = JSON.parse(made.stdout) as { keyType: string; publicKey: string };
  assert.equal(printed.keyType, 'ed25519');
  assert.match(printed.publicKey, /^0x[0-9a-f]{64}$/);
  assert.equal(statSync(join(dir, 'v0.json')).mode & 0o777, 0o600);
  const seen = synod(['inspect', '--keystore', 'v0.json']);
  assert.equal(seen.status, 0, seen.stderr);
  assert.match(seen.stdout, /stored in the clear, so it was read without a password/);
  assert.ok(seen.stdout.includes(`public key: ${printed.publicKey}`));
  const checked = synod(['inspect', '--keystore', 'v0.json', '--password-file', 'pw']);
  assert.match(checked.stdout, /password from --password-file pw is correct/);
  const wrong = synod(['inspect', '--keystore', 'v0.json', '--password-file', 'wrong']);
  assert.equal(wrong.status, 1);
  assert.match(wrong.stderr, /v0\.json: wrong password from --password-file wrong/);
  const again = synod(['generate', '--out', 'v0.json', '--password-file', 'pw', '--light-kdf']);
  assert.equal(again.status, 2);
  assert.match(again.stderr, /v0\.json already exists: choose another --out/);
});

test('generate refuses to run without a password, or with an empty one, and says how to give it', () => {
  const none = synod(['generate', '--out', 'nopw.json']);
  assert.equal(none.status, 2);
  assert.match(none.stderr, /a password is required to encrypt the key: give --password-file FILE .* or set SYNOD_KEY_PASSWORD/);
  const empty = synod(['generate', '--out', 'nopw.json'], { SYNOD_KEY_PASSWORD: '' });
  assert.match(empty.stderr, /the password from SYNOD_KEY_PASSWORD is empty/);
});

test('a secp256k1 account from SYNOD_KEY_PASSWORD is a keystore ethers decrypts to the printed address', () => {
  const made = synod(['generate', '--type', 'secp256k1', '--out', 'account.json', '--light-kdf', '--json'], { SYNOD_KEY_PASSWORD: 'pw' });
  assert.equal(made.status, 0, made.stderr);
  const { address } = JSON.parse(made.stdout) as { address: string };
  assert.equal(decryptKeystoreJsonSync(readFileSync(join(dir, 'account.json'), 'utf8'), 'pw').address, address);
});

test('import encrypts the plaintext key.json of synod init, keeping its public key', () => {
  const pair = generateKeyPair();
  writeFileSync(join(dir, 'key.json'), JSON.stringify(keyFileFor(pair)));
  const made = synod(['import', '--key', 'key.json', '--out', 'imported.json', '--password-file', 'pw', '--light-kdf']);
  assert.equal(made.status, 0, made.stderr);
  assert.ok(made.stdout.includes(`public key: 0x${toHex(pair.publicKey)}`));
  assert.match(made.stdout, /key\.json is still on disk: delete it/);
  assert.ok(!readFileSync(join(dir, 'imported.json'), 'utf8').includes(toHex(pair.seed)));
  writeFileSync(join(dir, 'raw.txt'), `0x${'42'.repeat(32)}\n`);
  const raw = synod(['import', '--key', 'raw.txt', '--out', 'raw.json', '--password-file', 'pw']);
  assert.equal(raw.status, 2);
  assert.match(raw.stderr, /raw hex key: say which kind with --type ed25519 .* or --type secp256k1/);
});

test('the password is the first line of --password-file, and SYNOD_KEY_PASSWORD leaves the environment either way', () => {
  writeFileSync(join(dir, 'crlf'), 'first line\r\nsecond line\n');
  process.env.SYNOD_KEY_PASSWORD = 'from env';
  assert.deepEqual(readPassword(join(dir, 'crlf')), { password: 'first line', source: `--password-file ${join(dir, 'crlf')}` });
  assert.equal(process.env.SYNOD_KEY_PASSWORD, undefined);
  process.env.SYNOD_KEY_PASSWORD = 'from env';
  assert.deepEqual(readPassword(undefined), { password: 'from env', source: 'SYNOD_KEY_PASSWORD' });
  assert.equal(process.env.SYNOD_KEY_PASSWORD, undefined);
  assert.equal(readPassword(undefined), undefined);
  assert.throws(() => readPassword(join(dir, 'no-such-file')), /--password-file .*no-such-file does not exist: give a file whose first line is the password/);
});
