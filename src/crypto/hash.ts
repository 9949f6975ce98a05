// Hash functions: SHA-256 (FIPS 180-4) through node:crypto for protocol digests,
// Keccak-256 (the Ethereum variant of SHA-3) through @noble/hashes for EVM-facing data.
import { createHash } from 'node:crypto';
import { keccak_256 } from '@noble/hashes/sha3.js';

export const HASH_BYTES = 32;

export function sha256(...parts: Uint8Array[]): Uint8Array {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return new Uint8Array(hash.digest());
}

export function keccak256(data: Uint8Array): Uint8Array {
  return keccak_256(data);
}
