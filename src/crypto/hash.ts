// Hash functions: SHA-256 (FIPS 180-4) through node:crypto for protocol digests,
// Keccak-256 (the Ethereum variant of SHA-3, FIPS 202 with the original 0x01 padding) through
// hash-wasm's WebAssembly build for EVM-facing data. The state trie, the EVM, transaction
// hashes and addresses all hash through `keccak256`, so its speed is execution's speed:
// hash-wasm is about 10x faster than a JavaScript keccak here (docs/decisions/0015).
import { createHash } from 'node:crypto';
import { createKeccak } from 'hash-wasm';

export const HASH_BYTES = 32;
const KECCAK_BITS = 256;

// One hasher for the process, compiled once at load: every call runs init, update and digest
// synchronously, so calls can never interleave.
const keccakHasher = await createKeccak(KECCAK_BITS);

export function sha256(...parts: Uint8Array[]): Uint8Array {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return new Uint8Array(hash.digest());
}

/** Keccak-256 of `data`; the result is a fresh array the caller owns. */
export function keccak256(data: Uint8Array): Uint8Array {
  return keccakHasher.init().update(data).digest('binary');
}
