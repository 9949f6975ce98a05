// Encrypted key files: the Web3 Secret Storage Definition, version 3 ("keystore v3", as geth,
// Besu, Foundry and ethers write them): a key derived from the password by scrypt (or PBKDF2 when
// reading), the secret encrypted with AES-128-CTR under its first 16 bytes, and a MAC
// keccak256(derivedKey[16..32] ++ ciphertext) that tells a wrong password from a good one.
//
// A secp256k1 key (an Ethereum account) is written exactly as geth writes it, with its "address",
// so geth, Foundry and ethers read it unchanged. An ed25519 key (a validator's consensus key) is the
// same container around its 32-byte seed, marked "keyType": "ed25519" beside its "publicKey" in the
// clear, so its public part is readable without the password. scrypt is @noble/hashes': OpenSSL's
// (node:crypto) refuses n >= 2^(16 r), the spec's own vector among them (docs/decisions/0023).
import { createCipheriv, createDecipheriv, pbkdf2Sync, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { scrypt } from '@noble/hashes/scrypt.js';
import { fromHex, toHex } from './bytes.js';
import { keyPairFromSeed } from './ed25519.js';
import { keccak256 } from './hash.js';
import { privateKeyToAddress } from './secp256k1.js';

export type KeystoreKeyType = 'ed25519' | 'secp256k1';
export const KEYSTORE_KEY_TYPES: readonly KeystoreKeyType[] = ['ed25519', 'secp256k1'];

export interface ScryptParams {
  /** CPU/memory cost, a power of two. */
  readonly n: number;
  /** Block size. */
  readonly r: number;
  /** Parallelism. */
  readonly p: number;
}

/** geth's StandardScryptN / StandardScryptP: about 256 MiB and a second or more per unlock. */
export const STANDARD_SCRYPT: ScryptParams = { n: 1 << 18, r: 8, p: 1 };
/** geth's LightScryptN / LightScryptP (`--lightkdf`): 4 MiB, for tests and small machines. */
export const LIGHT_SCRYPT: ScryptParams = { n: 1 << 12, r: 8, p: 6 };

/** Most memory a file's scrypt parameters may ask for (128 * r * n bytes): four times geth's standard. */
export const MAX_SCRYPT_MEMORY_BYTES = 1024 * 1024 * 1024;
/** Most scrypt work (n * r * p) a file may ask for: 64 times geth's standard. */
export const MAX_SCRYPT_WORK = 64 * STANDARD_SCRYPT.n * STANDARD_SCRYPT.r * STANDARD_SCRYPT.p;
/** Most PBKDF2 iterations a file may ask for (geth writes none; the spec's vector has 262,144). */
export const MAX_PBKDF2_ITERATIONS = 10_000_000;
/** A key file larger than this is not a keystore. */
export const MAX_KEYSTORE_FILE_BYTES = 64 * 1024;

const DERIVED_KEY_BYTES = 32;
const AES_KEY_BYTES = 16;
const IV_BYTES = 16;
const SALT_BYTES = 32;
const SECRET_BYTES = 32;

export type KeystoreErrorCode = 'MALFORMED' | 'UNSUPPORTED' | 'WRONG_PASSWORD' | 'KEY_MISMATCH';

export class KeystoreError extends Error {
  constructor(
    readonly code: KeystoreErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'KeystoreError';
  }
}

/** The JSON of a keystore v3 file. */
export interface KeystoreFile {
  readonly version: 3;
  readonly id: string;
  /** secp256k1: the account's address, lower-case hex without 0x (as geth writes it). */
  readonly address?: string;
  /** Absent for secp256k1, so files of other tools read as accounts. */
  readonly keyType?: 'ed25519';
  /** ed25519: the public key, 0x + 64 hex digits. */
  readonly publicKey?: string;
  readonly crypto: {
    readonly cipher: 'aes-128-ctr';
    readonly cipherparams: { readonly iv: string };
    readonly ciphertext: string;
    readonly kdf: 'scrypt' | 'pbkdf2';
    readonly kdfparams: Record<string, unknown>;
    readonly mac: string;
  };
}

/** What a keystore says about itself without its password. */
export interface KeystorePublicPart {
  readonly keyType: KeystoreKeyType;
  /** ed25519 public key (0x-hex), when the file stores it. */
  readonly publicKey?: string;
  /** secp256k1 account address (0x-hex, lower case), when the file stores it. */
  readonly address?: string;
}

export interface DecryptedKey extends KeystorePublicPart {
  readonly secret: Uint8Array;
}

/** The public part a secret determines: the ed25519 public key or the secp256k1 address. */
export function publicPartOf(keyType: KeystoreKeyType, secret: Uint8Array): KeystorePublicPart {
  if (secret.length !== SECRET_BYTES) throw new KeystoreError('MALFORMED', `a ${keyType} private key is ${SECRET_BYTES} bytes, got ${secret.length}`);
  if (keyType === 'ed25519') return { keyType, publicKey: `0x${toHex(keyPairFromSeed(secret).publicKey)}` };
  let address: Uint8Array;
  try {
    address = privateKeyToAddress(secret);
  } catch {
    throw new KeystoreError('MALFORMED', 'the secp256k1 private key is out of range (zero or not below the curve order)');
  }
  return { keyType, address: `0x${toHex(address)}` };
}

/** True when `json` looks like a keystore (version 3 with a crypto section), whatever its validity. */
export function isKeystore(json: unknown): boolean {
  return isObject(json) && json.version === 3 && isObject(json.crypto ?? json.Crypto);
}

export interface EncryptOptions {
  readonly kdf?: ScryptParams;
  /** Fixed salt, IV and id: tests only. */
  readonly salt?: Uint8Array;
  readonly iv?: Uint8Array;
  readonly id?: string;
}

export function encryptKeystore(keyType: KeystoreKeyType, secret: Uint8Array, password: string, options: EncryptOptions = {}): KeystoreFile {
  const publicPart = publicPartOf(keyType, secret);
  const kdf = options.kdf ?? STANDARD_SCRYPT;
  checkScrypt(kdf);
  const salt = options.salt ?? randomBytes(SALT_BYTES);
  const iv = options.iv ?? randomBytes(IV_BYTES);
  const derived = deriveScrypt(password, salt, kdf);
  const ciphertext = aesCtr(derived, iv, secret, true);
  return {
    version: 3,
    id: options.id ?? randomUUID(),
    ...(publicPart.address === undefined ? {} : { address: publicPart.address.slice(2) }),
    ...(keyType === 'ed25519' ? { keyType, publicKey: publicPart.publicKey! } : {}),
    crypto: {
      cipher: 'aes-128-ctr',
      cipherparams: { iv: toHex(iv) },
      ciphertext: toHex(ciphertext),
      kdf: 'scrypt',
      kdfparams: { dklen: DERIVED_KEY_BYTES, n: kdf.n, r: kdf.r, p: kdf.p, salt: toHex(salt) },
      mac: toHex(mac(derived, ciphertext)),
    },
  };
}

/** The public part a keystore stores in the clear (no password needed); checked against the secret on decryption. */
export function keystorePublicPart(json: unknown): KeystorePublicPart {
  if (!isObject(json)) throw new KeystoreError('MALFORMED', 'a keystore must be a JSON object');
  const keyType = json.keyType ?? 'secp256k1';
  if (keyType !== 'ed25519' && keyType !== 'secp256k1') throw new KeystoreError('UNSUPPORTED', `keyType must be "ed25519" or absent (secp256k1), got ${JSON.stringify(keyType)}`);
  if (keyType === 'ed25519') {
    if (json.publicKey === undefined) return { keyType };
    if (typeof json.publicKey !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(json.publicKey)) throw new KeystoreError('MALFORMED', 'publicKey must be 0x + 64 hex digits');
    return { keyType, publicKey: json.publicKey.toLowerCase() };
  }
  if (json.address === undefined) return { keyType };
  if (typeof json.address !== 'string' || !/^(0x)?[0-9a-fA-F]{40}$/.test(json.address)) throw new KeystoreError('MALFORMED', 'address must be 40 hex digits');
  return { keyType, address: `0x${json.address.replace(/^0x/, '').toLowerCase()}` };
}

/** Decrypts a keystore; a wrong password is WRONG_PASSWORD, a stored public part that does not match the secret KEY_MISMATCH. */
export function decryptKeystore(json: unknown, password: string): DecryptedKey {
  if (!isKeystore(json)) throw new KeystoreError('MALFORMED', 'not a keystore v3 file (expected "version": 3 and a "crypto" object)');
  const file = json as Record<string, unknown>;
  const stored = keystorePublicPart(file);
  const section = (file.crypto ?? file.Crypto) as Record<string, unknown>;
  if (section.cipher !== 'aes-128-ctr') throw new KeystoreError('UNSUPPORTED', `cipher ${JSON.stringify(section.cipher)} is not supported (only aes-128-ctr)`);
  const iv = hexBytes(isObject(section.cipherparams) ? section.cipherparams.iv : undefined, 'crypto.cipherparams.iv', IV_BYTES);
  const ciphertext = hexBytes(section.ciphertext, 'crypto.ciphertext', SECRET_BYTES);
  const expectedMac = hexBytes(section.mac, 'crypto.mac', DERIVED_KEY_BYTES);
  const derived = derive(section, password);
  if (!timingSafeEqual(mac(derived, ciphertext), expectedMac)) {
    throw new KeystoreError('WRONG_PASSWORD', 'wrong password: the keystore MAC does not match (or the file was altered)');
  }
  const secret = aesCtr(derived, iv, ciphertext, false);
  const actual = publicPartOf(stored.keyType, secret);
  if (stored.publicKey !== undefined && stored.publicKey !== actual.publicKey) {
    throw new KeystoreError('KEY_MISMATCH', `the stored publicKey ${stored.publicKey} is not the key's (${actual.publicKey}): the file was altered`);
  }
  if (stored.address !== undefined && stored.address !== actual.address) {
    throw new KeystoreError('KEY_MISMATCH', `the stored address ${stored.address} is not the key's (${actual.address}): the file was altered`);
  }
  return { ...actual, secret };
}

function derive(section: Record<string, unknown>, password: string): Uint8Array {
  const params = section.kdfparams;
  if (!isObject(params)) throw new KeystoreError('MALFORMED', 'crypto.kdfparams must be an object');
  if (params.dklen !== DERIVED_KEY_BYTES) throw new KeystoreError('UNSUPPORTED', `crypto.kdfparams.dklen must be ${DERIVED_KEY_BYTES}, got ${JSON.stringify(params.dklen)}`);
  const salt = hexBytes(params.salt, 'crypto.kdfparams.salt');
  if (section.kdf === 'scrypt') {
    const kdf = { n: integer(params.n, 'n'), r: integer(params.r, 'r'), p: integer(params.p, 'p') };
    checkScrypt(kdf);
    return deriveScrypt(password, salt, kdf);
  }
  if (section.kdf === 'pbkdf2') {
    if (params.prf !== 'hmac-sha256') throw new KeystoreError('UNSUPPORTED', `crypto.kdfparams.prf ${JSON.stringify(params.prf)} is not supported (only hmac-sha256)`);
    const c = integer(params.c, 'c');
    if (c > MAX_PBKDF2_ITERATIONS) throw new KeystoreError('UNSUPPORTED', `crypto.kdfparams.c is ${c}; at most ${MAX_PBKDF2_ITERATIONS} iterations are accepted`);
    return new Uint8Array(pbkdf2Sync(Buffer.from(password, 'utf8'), salt, c, DERIVED_KEY_BYTES, 'sha256'));
  }
  throw new KeystoreError('UNSUPPORTED', `crypto.kdf ${JSON.stringify(section.kdf)} is not supported (scrypt or pbkdf2)`);
}

function checkScrypt({ n, r, p }: ScryptParams): void {
  if (!Number.isSafeInteger(n) || n < 2 || (n & (n - 1)) !== 0) throw new KeystoreError('MALFORMED', `scrypt n must be a power of two above 1, got ${n}`);
  if (!Number.isSafeInteger(r) || r < 1 || !Number.isSafeInteger(p) || p < 1) throw new KeystoreError('MALFORMED', `scrypt r and p must be positive integers, got r=${r} p=${p}`);
  if (128 * r * n > MAX_SCRYPT_MEMORY_BYTES || n * r * p > MAX_SCRYPT_WORK) {
    throw new KeystoreError('UNSUPPORTED', `scrypt n=${n} r=${r} p=${p} asks for more than ${MAX_SCRYPT_MEMORY_BYTES / 2 ** 20} MiB or ${MAX_SCRYPT_WORK} units of work`);
  }
}

function deriveScrypt(password: string, salt: Uint8Array, { n, r, p }: ScryptParams): Uint8Array {
  // checkScrypt bounded 128 * r * n; noble's own ceiling also counts its 128 * r * p block buffer.
  return scrypt(Buffer.from(password, 'utf8'), salt, { N: n, r, p, dkLen: DERIVED_KEY_BYTES, maxmem: 2 * MAX_SCRYPT_MEMORY_BYTES });
}

function aesCtr(derived: Uint8Array, iv: Uint8Array, data: Uint8Array, encrypt: boolean): Uint8Array {
  const key = derived.subarray(0, AES_KEY_BYTES);
  const cipher = encrypt ? createCipheriv('aes-128-ctr', key, iv) : createDecipheriv('aes-128-ctr', key, iv);
  return new Uint8Array(Buffer.concat([cipher.update(data), cipher.final()]));
}

function mac(derived: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  const input = new Uint8Array(DERIVED_KEY_BYTES - AES_KEY_BYTES + ciphertext.length);
  input.set(derived.subarray(AES_KEY_BYTES, DERIVED_KEY_BYTES), 0);
  input.set(ciphertext, DERIVED_KEY_BYTES - AES_KEY_BYTES);
  return keccak256(input);
}

function hexBytes(value: unknown, field: string, bytes?: number): Uint8Array {
  if (typeof value !== 'string' || !/^(0x)?([0-9a-fA-F]{2})+$/.test(value)) throw new KeystoreError('MALFORMED', `${field} must be a hex string`);
  const out = fromHex(value.replace(/^0x/, ''));
  if (bytes !== undefined && out.length !== bytes) throw new KeystoreError('MALFORMED', `${field} must be ${bytes} bytes, got ${out.length}`);
  return out;
}

function integer(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) throw new KeystoreError('MALFORMED', `crypto.kdfparams.${name} must be a positive integer, got ${JSON.stringify(value)}`);
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
