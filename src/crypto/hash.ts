// Hash functions: SHA-256 (FIPS 180-4) for protocol digests,
// Keccak-256 (the Ethereum variant of SHA-3, FIPS 202 with the original 0x01 padding) through
// hash-wasm's WebAssembly build for EVM-facing data. The state trie, the EVM, transaction
// hashes and addresses all hash through `keccak256`, so its speed is execution's speed:
// hash-wasm is about 10x faster than a JavaScript keccak here (docs/decisions/0015).
import { createKeccak, createSHA256 } from 'hash-wasm';

export const HASH_BYTES = 32;
const KECCAK_BITS = 256;

// One hasher for the process, compiled once at load: every call runs init, update and digest
// synchronously, so calls can never interleave.
const keccakHasher = await createKeccak(KECCAK_BITS);

// SHA-256 through the same WebAssembly build: consensus hashes many short inputs (a Merkle leaf or
// node is a domain tag and one or two digests), where node:crypto's per-call hasher object costs
// more than the hashing; short inputs are joined in one scratch buffer and hashed in one update.
const sha256Hasher = await createSHA256();
/** Inputs up to this many bytes in all are copied into one buffer before hashing. */
const SHA256_JOIN_MAX_BYTES = 256;
const sha256Scratch = new Uint8Array(SHA256_JOIN_MAX_BYTES);

/** SHA-256 of the concatenation of `parts`; the result is a fresh array the caller owns. */
export function sha256(...parts: Uint8Array[]): Uint8Array {
  let total = 0;
  for (const part of parts) total += part.length;
  const hasher = sha256Hasher.init();
  if (total <= SHA256_JOIN_MAX_BYTES) {
    let at = 0;
    for (const part of parts) {
      sha256Scratch.set(part, at);
      at += part.length;
    }
    hasher.update(sha256Scratch.subarray(0, total));
  } else {
    for (const part of parts) hasher.update(part);
  }
  return hasher.digest('binary');
}

/** Keccak-256 of `data`; the result is a fresh array the caller owns. */
export function keccak256(data: Uint8Array): Uint8Array {
  return keccakHasher.init().update(data).digest('binary');
}
