// Ed25519 (RFC 8032) signing and verification through node:crypto, which verifies
// about 15x faster than a pure-JS implementation on our machines.
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign as nodeSign,
  verify as nodeVerify,
  type KeyObject,
} from 'node:crypto';
import { ed25519 as nobleEd25519 } from '@noble/curves/ed25519.js';

export const ED25519_PUBLIC_KEY_BYTES = 32;
export const ED25519_SEED_BYTES = 32;
export const ED25519_SIGNATURE_BYTES = 64;

// DER prefixes that wrap a raw key into PKCS#8 / SPKI so node:crypto can import it.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const PUBLIC_KEY_CACHE_MAX = 4096;

export interface Ed25519KeyPair {
  /** 32-byte seed (the RFC 8032 private key). Keep secret. */
  readonly seed: Uint8Array;
  /** 32-byte raw public key. */
  readonly publicKey: Uint8Array;
  /** node:crypto handle of the private key, for fast signing. */
  readonly privateKeyObject: KeyObject;
}

export function keyPairFromSeed(seed: Uint8Array): Ed25519KeyPair {
  if (seed.length !== ED25519_SEED_BYTES) {
    throw new Error(`ed25519 seed must be ${ED25519_SEED_BYTES} bytes, got ${seed.length}`);
  }
  const privateKeyObject = createPrivateKey({
    key: Buffer.concat([PKCS8_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const spki = createPublicKey(privateKeyObject).export({ format: 'der', type: 'spki' });
  const publicKey = new Uint8Array(spki.subarray(SPKI_PREFIX.length));
  return { seed: new Uint8Array(seed), publicKey, privateKeyObject };
}

export function generateKeyPair(): Ed25519KeyPair {
  const { privateKey } = generateKeyPairSync('ed25519');
  const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' });
  return keyPairFromSeed(new Uint8Array(pkcs8.subarray(PKCS8_PREFIX.length)));
}

export function sign(keyPair: Ed25519KeyPair, message: Uint8Array): Uint8Array {
  return new Uint8Array(nodeSign(null, message, keyPair.privateKeyObject));
}

const publicKeyCache = new Map<string, KeyObject>();

function publicKeyObject(publicKey: Uint8Array): KeyObject {
  const cacheKey = Buffer.from(publicKey).toString('hex');
  let keyObject = publicKeyCache.get(cacheKey);
  if (keyObject === undefined) {
    keyObject = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' });
    if (publicKeyCache.size >= PUBLIC_KEY_CACHE_MAX) publicKeyCache.clear();
    publicKeyCache.set(cacheKey, keyObject);
  }
  return keyObject;
}

/** True when `signature` is a valid signature of `message` by `publicKey`. Never throws. */
export function verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== ED25519_PUBLIC_KEY_BYTES || signature.length !== ED25519_SIGNATURE_BYTES) return false;
  try {
    return nodeVerify(null, message, publicKeyObject(publicKey), signature);
  } catch {
    return false;
  }
}

/**
 * True when `publicKey` is 32 bytes encoding a point of the curve outside its small-order subgroup
 * (RFC 8032 section 5.1.3 decoding, by @noble/curves): what an operator's typo in a hex key usually breaks.
 */
export function isValidPublicKey(publicKey: Uint8Array): boolean {
  if (publicKey.length !== ED25519_PUBLIC_KEY_BYTES) return false;
  try {
    return !nobleEd25519.Point.fromBytes(publicKey).isSmallOrder();
  } catch {
    return false;
  }
}
