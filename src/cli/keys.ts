// `synod keys generate|inspect|import`: a validator's (or an account's) key as an encrypted
// keystore v3 file (src/crypto/keystore.ts), made on the machine that will use it, so that only
// its public key ever leaves that machine.
import { readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { getAddress } from 'viem';
import { CliError, type CliCommand } from './command.js';
import { parseFlags } from './flags.js';
import { PASSWORD_ENV, PASSWORD_FLAG_HELP, readPassword } from './password.js';
import { fromHex } from '../crypto/bytes.js';
import { generateKeyPair } from '../crypto/ed25519.js';
import {
  KEYSTORE_KEY_TYPES,
  LIGHT_SCRYPT,
  MAX_KEYSTORE_FILE_BYTES,
  STANDARD_SCRYPT,
  KeystoreError,
  decryptKeystore,
  encryptKeystore,
  isKeystore,
  keystorePublicPart,
  publicPartOf,
  type KeystoreKeyType,
  type KeystorePublicPart,
} from '../crypto/keystore.js';

const HELP = `usage: synod keys generate --out FILE [--type ed25519|secp256k1] [--password-file FILE] [--light-kdf] [--json]
       synod keys inspect --keystore FILE [--password-file FILE] [--json]
       synod keys import --key FILE --out FILE [--type ed25519|secp256k1] [--password-file FILE] [--light-kdf] [--json]

Keys as encrypted keystore v3 files (scrypt, AES-128-CTR, the format of geth, Foundry and ethers).
Run 'generate' on each validator's own machine: it prints the public key to put in the network's
validators file ('synod init --validators-file'); the private key never leaves the file.

  generate  writes a new key to --out (mode 0600) and prints its public key (ed25519, the default:
            a validator's consensus key) or its address (secp256k1: an Ethereum account, which geth,
            cast and ethers import unchanged)
  inspect   prints a keystore's key type, public key or address and KDF; the public part is stored
            in the clear, so no password is needed; with one, the file is also decrypted and checked
  import    encrypts an existing plaintext key: the key.json of 'synod init' or 'synod devnet', or a
            file holding one hex private key (then --type says which kind)

options:
  --out FILE         the keystore to write (must not exist)
  --keystore FILE    the keystore to inspect
  --key FILE         the plaintext key to import
  --type T           ${KEYSTORE_KEY_TYPES.join(' | ')} (default ed25519)
${PASSWORD_FLAG_HELP}
                     (generate and import refuse to run without one)
  --light-kdf        scrypt n=${LIGHT_SCRYPT.n}, p=${LIGHT_SCRYPT.p} instead of n=${STANDARD_SCRYPT.n}, p=${STANDARD_SCRYPT.p} (geth's --lightkdf):
                     unlocks in milliseconds and resists guessing far less; for test networks
  --json             print {"file", "keyType", "publicKey", "address"} instead of text`;

const OPTIONS = {
  out: { type: 'string' },
  keystore: { type: 'string' },
  key: { type: 'string' },
  type: { type: 'string' },
  'password-file': { type: 'string' },
  'light-kdf': { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

type Values = ReturnType<typeof parseFlags<typeof OPTIONS>>;

export const command: CliCommand = {
  help: HELP,
  async run(argv: string[]): Promise<number> {
    const [action, ...rest] = argv;
    const values = parseFlags(rest, OPTIONS, 'keys');
    switch (action) {
      case 'generate':
        return generate(values);
      case 'inspect':
        return inspect(values);
      case 'import':
        return importKey(values);
      default:
        throw new CliError(`${action === undefined ? 'an action is required' : `unknown action '${action}'`}: use 'synod keys generate', 'synod keys inspect' or 'synod keys import' (see 'synod keys --help')`);
    }
  },
};

function keyType(values: Values): KeystoreKeyType {
  const type = values.type ?? 'ed25519';
  if (!KEYSTORE_KEY_TYPES.includes(type as KeystoreKeyType)) throw new CliError(`--type must be ${KEYSTORE_KEY_TYPES.join(' or ')}, got ${JSON.stringify(type)}`);
  return type as KeystoreKeyType;
}

function newPassword(values: Values): string {
  const given = readPassword(values['password-file']);
  if (given === undefined) {
    throw new CliError(`a password is required to encrypt the key: give --password-file FILE (its first line is the password) or set ${PASSWORD_ENV}`);
  }
  if (given.password === '') throw new CliError(`the password from ${given.source} is empty: an empty password protects nothing; put the password on the file's first line`);
  return given.password;
}

function requireFlag(value: string | undefined, flag: string, what: string): string {
  if (value === undefined) throw new CliError(`${flag} FILE is required (${what})`);
  return value;
}

async function generate(values: Values): Promise<number> {
  const out = requireFlag(values.out, '--out', 'where to write the keystore');
  const type = keyType(values);
  const password = newPassword(values);
  const secret = type === 'ed25519' ? generateKeyPair().seed : secp256k1Secret();
  write(out, type, secret, password, values);
  return 0;
}

async function importKey(values: Values): Promise<number> {
  const source = requireFlag(values.key, '--key', 'the plaintext key to encrypt');
  const out = requireFlag(values.out, '--out', 'where to write the keystore');
  const { type, secret } = readPlaintextKey(source, values.type === undefined ? undefined : keyType(values));
  const password = newPassword(values);
  write(out, type, secret, password, values);
  if (!values.json) console.log(`The plaintext key ${source} is still on disk: delete it once the keystore is in place (and point the config's "keyFile" at ${out}).`);
  return 0;
}

async function inspect(values: Values): Promise<number> {
  const path = requireFlag(values.keystore, '--keystore', 'the keystore to inspect');
  const json = readJson(path);
  if (!isKeystore(json)) {
    try {
      const plain = readPlaintextKey(path, values.type === undefined ? undefined : keyType(values));
      report(path, publicPartOf(plain.type, plain.secret), values, ['not encrypted: a plaintext key file; encrypt it with \'synod keys import\'']);
      return 0;
    } catch {
      throw new CliError(`${path} is not a keystore v3 file (expected "version": 3 and a "crypto" object) nor a plaintext key file`);
    }
  }
  const notes: string[] = [];
  let part: KeystorePublicPart;
  const password = readPassword(values['password-file']);
  try {
    part = keystorePublicPart(json);
    const crypto = (json as { crypto: { kdf: string; kdfparams: Record<string, unknown> } }).crypto;
    notes.push(`encrypted: aes-128-ctr, ${crypto.kdf} ${Object.entries(crypto.kdfparams).filter(([k]) => k !== 'salt').map(([k, v]) => `${k}=${String(v)}`).join(' ')}`);
    if (password === undefined) {
      const stored = part.publicKey !== undefined || part.address !== undefined;
      notes.push(
        stored
          ? 'the public part is stored in the clear, so it was read without a password (give --password-file to check the password and the key against it)'
          : `the file stores no ${part.keyType === 'ed25519' ? 'public key' : 'address'} in the clear: give --password-file FILE to decrypt it and show it`,
      );
    } else {
      const key = decryptKeystore(json, password.password);
      part = { keyType: key.keyType, ...(key.publicKey === undefined ? {} : { publicKey: key.publicKey }), ...(key.address === undefined ? {} : { address: key.address }) };
      notes.push(`the password from ${password.source} is correct, and the key matches the stored public part`);
    }
  } catch (error) {
    if (!(error instanceof KeystoreError)) throw error;
    if (error.code === 'WRONG_PASSWORD') throw new CliError(`${path}: wrong password from ${password?.source ?? 'the password'} (the keystore's MAC does not match)`, 1);
    throw new CliError(`${path} is a corrupt or unsupported keystore: ${error.message}`, 1);
  }
  report(path, part, values, notes);
  return 0;
}

function secp256k1Secret(): Uint8Array {
  for (;;) {
    const candidate = new Uint8Array(randomBytes(32));
    try {
      publicPartOf('secp256k1', candidate);
      return candidate;
    } catch {
      // Zero or above the curve order: vanishingly rare; draw again.
    }
  }
}

function write(out: string, type: KeystoreKeyType, secret: Uint8Array, password: string, values: Values): void {
  const kdf = values['light-kdf'] ? LIGHT_SCRYPT : STANDARD_SCRYPT;
  const file = encryptKeystore(type, secret, password, { kdf });
  try {
    writeFileSync(out, JSON.stringify(file, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new CliError(`${out} already exists: choose another --out (a keystore is never overwritten)`);
    throw new CliError(`cannot write ${out}: ${(error as Error).message}`, 1);
  }
  report(out, keystorePublicPart(file), values, [`wrote ${out}: keystore v3, ${type}, scrypt n=${kdf.n} r=${kdf.r} p=${kdf.p}, mode 0600`]);
}

/** A plaintext key: synod's key.json ({"type":"ed25519","seed"}) or one hex private key (of --type). */
function readPlaintextKey(path: string, type: KeystoreKeyType | undefined): { type: KeystoreKeyType; secret: Uint8Array } {
  const text = readText(path).trim();
  let secret: Uint8Array;
  let found: KeystoreKeyType;
  if (text.startsWith('{')) {
    const json = readJson(path) as { type?: unknown; seed?: unknown };
    if (isKeystore(json)) throw new CliError(`${path} is already an encrypted keystore: nothing to import`);
    if (json.type !== 'ed25519' || typeof json.seed !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(json.seed)) {
      throw new CliError(`${path} must be a key.json of 'synod init' ({"type":"ed25519","seed":"0x…"}) or hold one hex private key`);
    }
    if (type === 'secp256k1') throw new CliError(`${path} holds an ed25519 validator key: drop --type secp256k1`);
    found = 'ed25519';
    secret = fromHex(json.seed);
  } else {
    if (!/^(0x)?[0-9a-fA-F]{64}$/.test(text)) throw new CliError(`${path} must hold one private key as 64 hex digits (0x optional) or be a key.json of 'synod init'`);
    if (type === undefined) throw new CliError(`${path} holds a raw hex key: say which kind with --type ed25519 (a validator's seed) or --type secp256k1 (an account)`);
    found = type;
    secret = fromHex(text.replace(/^0x/, ''));
  }
  try {
    publicPartOf(found, secret);
  } catch (error) {
    throw new CliError(`${path}: ${(error as Error).message}`);
  }
  return { type: found, secret };
}

function readText(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `cannot be read (${(error as Error).message})`;
    throw new CliError(`${path} ${reason}`, 1);
  }
  if (text.length > MAX_KEYSTORE_FILE_BYTES) throw new CliError(`${path} is over ${MAX_KEYSTORE_FILE_BYTES} bytes: not a key file`);
  return text;
}

function readJson(path: string): unknown {
  const text = readText(path);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    if (!text.trim().startsWith('{')) return text;
    throw new CliError(`${path} is not valid JSON (${(error as Error).message})`);
  }
}

function report(file: string, part: KeystorePublicPart, values: Values, notes: readonly string[]): void {
  const address = part.address === undefined ? undefined : getAddress(part.address);
  if (values.json) {
    console.log(JSON.stringify({ file, keyType: part.keyType, ...(part.publicKey === undefined ? {} : { publicKey: part.publicKey }), ...(address === undefined ? {} : { address }) }));
    return;
  }
  for (const note of notes) console.log(note);
  console.log(`key type:   ${part.keyType}${part.keyType === 'ed25519' ? " (a validator's consensus key)" : ' (an Ethereum account)'}`);
  if (part.publicKey !== undefined) console.log(`public key: ${part.publicKey}`);
  if (address !== undefined) console.log(`address:    ${address}`);
}
