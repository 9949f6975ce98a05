// X25519 (RFC 7748) ephemeral keys and key agreement through node:crypto, for the session keys of
// validator links. Keys are generated natively and peers' keys imported as JWK: importing a raw
// key through DER (PKCS#8 / SPKI) costs 10x more in OpenSSL 3 on our machines.
import { createPublicKey, diffieHellman, generateKeyPairSync, type KeyObject } from 'node:crypto';

export const X25519_PUBLIC_KEY_BYTES = 32;
export const X25519_SHARED_SECRET_BYTES = 32;

export interface X25519KeyPair {
  readonly publicKey: Uint8Array;
  readonly privateKeyObject: KeyObject;
}

/** A fresh key pair; its private half never leaves the KeyObject. */
export function generateX25519KeyPair(): X25519KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  const x = publicKey.export({ format: 'jwk' }).x!;
  return { publicKey: new Uint8Array(Buffer.from(x, 'base64url')), privateKeyObject: privateKey };
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
