// X25519 (RFC 7748) ephemeral keys and key agreement through node:crypto, for the session keys of
// validator links. Peers' keys are imported as JWK: importing a raw key through DER (SPKI) costs
// 10x more in OpenSSL 3 on our machines.
//
// Our own public key comes out of generateKeyPairSync already encoded, never through
// KeyObject#export: on Node 20, exporting a freshly generated key can deadlock the process
// (the export holds the key's mutex while allocating; a garbage collection at that moment runs
// the destructor of the finished key-generation job, which takes the same mutex). A loop of
// generate + export as JWK hangs within 50,000 iterations here; generate-with-encoding does not.
import { createPublicKey, diffieHellman, generateKeyPairSync, type KeyObject } from 'node:crypto';

export const X25519_PUBLIC_KEY_BYTES = 32;
export const X25519_SHARED_SECRET_BYTES = 32;

export interface X25519KeyPair {
  readonly publicKey: Uint8Array;
  readonly privateKeyObject: KeyObject;
}

/** A fresh key pair; its private half never leaves the KeyObject. */
export function generateX25519KeyPair(): X25519KeyPair {
  // With only the public encoding given, the private key stays a KeyObject (typings lack this overload).
  const { privateKey, publicKey } = generateKeyPairSync('x25519', { publicKeyEncoding: { type: 'spki', format: 'der' } }) as unknown as { privateKey: KeyObject; publicKey: Buffer };
  return { publicKey: new Uint8Array(publicKey.subarray(publicKey.length - X25519_PUBLIC_KEY_BYTES)), privateKeyObject: privateKey };
}

/**
 * The shared secret of our key pair and the peer's public key, or undefined when the peer's key
 * is malformed or of small order (RFC 7748 §6.1: the all-zero result, which OpenSSL refuses).
 */
export function x25519SharedSecret(own: X25519KeyPair, peerPublicKey: Uint8Array): Uint8Array | undefined {
  if (peerPublicKey.length !== X25519_PUBLIC_KEY_BYTES) return undefined;
  try {
    const x = Buffer.from(peerPublicKey.buffer, peerPublicKey.byteOffset, peerPublicKey.byteLength).toString('base64url');
    const peer = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x }, format: 'jwk' });
    const secret = new Uint8Array(diffieHellman({ privateKey: own.privateKeyObject, publicKey: peer }));
    return secret.every((b) => b === 0) ? undefined : secret;
  } catch {
    return undefined;
  }
}
