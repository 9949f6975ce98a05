// What a consensus signature commits to, so that every vote inside an envelope stays provable on
// its own (docs/decisions/0003, 0011): the member signs a Merkle root over its items' leaves, and
// one item with its Merkle path, the envelope header and the signature convince anyone holding the
// member's public key and the chain binding. Equivocation evidence (and slashing, which needs
// single votes) keeps such proofs, never whole envelopes.
//
//   leaf      = sha256(LEAF_DOMAIN | commitment)
//   commitment = the item's wire encoding; for a batch-carrying item (propose, batch) instead
//                type | instance u16 | batch digest, so a proof never carries the batch itself
//   node      = sha256(NODE_DOMAIN | left | right); the tree splits at the largest power of two
//               below n (RFC 6962), so proofs are at most ceil(log2 n) hashes
//   signed    = SIGNING_DOMAIN | chain binding | height u64 | sender u16 | itemCount u16 | root
import { bytesEqual, utf8 } from '../crypto/bytes.js';
import { sha256 } from '../crypto/hash.js';
import { MAX_ITEMS_PER_MESSAGE } from './limits.js';
import type { Height, MessageSigner, SignatureVerifier, ValidatorIndex } from './types.js';

export const DIGEST_BYTES = 32;
export const CHAIN_BINDING_BYTES = 32;
const SIGNING_DOMAIN = utf8('synod/consensus/v2\0');
const LEAF_DOMAIN = utf8('synod/consensus/leaf\0');
const NODE_DOMAIN = utf8('synod/consensus/node\0');
const SIGNING_PAYLOAD_BYTES = SIGNING_DOMAIN.length + CHAIN_BINDING_BYTES + 12 + DIGEST_BYTES;

export function leafHash(commitment: Uint8Array): Uint8Array {
  return sha256(LEAF_DOMAIN, commitment);
}

let nodeHashes = 0;

function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  nodeHashes++;
  return sha256(NODE_DOMAIN, left, right);
}

/** Inner-node hashes computed by this process so far (tests bound the work of proofs with it). */
export function merkleNodeHashCount(): number {
  return nodeHashes;
}

function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** Merkle root of leaves[lo, hi) (hi > lo), by index range: no sub-arrays. */
function rangeRoot(leaves: readonly Uint8Array[], lo: number, hi: number): Uint8Array {
  const n = hi - lo;
  if (n === 1) return leaves[lo]!;
  const k = split(n);
  return nodeHash(rangeRoot(leaves, lo, lo + k), rangeRoot(leaves, lo + k, hi));
}

/** Merkle root of one or more leaves. */
export function merkleRoot(leaves: readonly Uint8Array[]): Uint8Array {
  if (leaves.length === 0) throw new RangeError('merkleRoot: no leaves');
  return rangeRoot(leaves, 0, leaves.length);
}

/** Leaves per envelope are below 2^15 (limits.ts MAX_ITEMS_PER_MESSAGE), so (lo, hi) packs into one small integer. */
const RANGE_KEY_SPAN = 2 ** 15;
if (MAX_ITEMS_PER_MESSAGE >= RANGE_KEY_SPAN) throw new Error('commitment: subtree keys need fewer than 2^15 items per envelope');

/**
 * Subtree roots of a leaf array, kept while its array lives: the proofs of an envelope's items
 * share them, so n proofs cost n - 1 hashes in all, not about n each (an equivocator's envelope
 * of n conflicting items made its receivers hash n² times before this).
 */
const subtreeRoots = new WeakMap<readonly Uint8Array[], Map<number, Uint8Array>>();

function rememberedRangeRoot(leaves: readonly Uint8Array[], memo: Map<number, Uint8Array>, lo: number, hi: number): Uint8Array {
  if (hi - lo === 1) return leaves[lo]!;
  const key = lo * RANGE_KEY_SPAN + hi;
  let root = memo.get(key);
  if (root === undefined) {
    const k = split(hi - lo);
    root = nodeHash(rememberedRangeRoot(leaves, memo, lo, lo + k), rememberedRangeRoot(leaves, memo, lo + k, hi));
    memo.set(key, root);
  }
  return root;
}

/** The sibling hashes from leaf `index` up to the root, bottom first. */
export function merklePath(leaves: readonly Uint8Array[], index: number): Uint8Array[] {
  if (leaves.length >= RANGE_KEY_SPAN) throw new RangeError(`merklePath: ${leaves.length} leaves, at most ${RANGE_KEY_SPAN - 1}`);
  let memo = subtreeRoots.get(leaves);
  if (memo === undefined) {
    memo = new Map();
    subtreeRoots.set(leaves, memo);
  }
  const path: Uint8Array[] = [];
  // Walk down from the root, collecting each level's sibling, then reverse (bottom first).
  let lo = 0;
  let hi = leaves.length;
  while (hi - lo > 1) {
    const k = split(hi - lo);
    if (index - lo < k) {
      path.push(rememberedRangeRoot(leaves, memo, lo + k, hi));
      hi = lo + k;
    } else {
      path.push(rememberedRangeRoot(leaves, memo, lo, lo + k));
      lo += k;
    }
  }
  return path.reverse();
}

/** Recomputes the root from one leaf, its index, the leaf count and its path (undefined if the path does not fit). */
export function rootFromPath(leaf: Uint8Array, index: number, count: number, path: readonly Uint8Array[]): Uint8Array | undefined {
  if (!Number.isInteger(index) || index < 0 || index >= count) return undefined;
  // Walk down to find which side each level takes, then fold the path bottom-up.
  const sides: boolean[] = []; // true: our subtree is the left one
  let lo = 0;
  let n = count;
  while (n > 1) {
    const k = split(n);
    if (index - lo < k) {
      sides.push(true);
      n = k;
    } else {
      sides.push(false);
      lo += k;
      n -= k;
    }
  }
  if (sides.length !== path.length) return undefined;
  let hash = leaf;
  for (let level = sides.length - 1, p = 0; level >= 0; level--, p++) {
    const sibling = path[p]!;
    if (sibling.length !== DIGEST_BYTES) return undefined;
    hash = sides[level] ? nodeHash(hash, sibling) : nodeHash(sibling, hash);
  }
  return hash;
}

export interface EnvelopeHeader {
  readonly height: Height;
  readonly sender: ValidatorIndex;
  readonly itemCount: number;
}

/** The bytes a member signs for an envelope. */
export function signingPayload(binding: Uint8Array, header: EnvelopeHeader, root: Uint8Array): Uint8Array {
  if (binding.length !== CHAIN_BINDING_BYTES) throw new RangeError(`chain binding must be ${CHAIN_BINDING_BYTES} bytes, got ${binding.length}`);
  const out = new Uint8Array(SIGNING_PAYLOAD_BYTES);
  out.set(SIGNING_DOMAIN, 0);
  let at = SIGNING_DOMAIN.length;
  out.set(binding, at);
  at += CHAIN_BINDING_BYTES;
  // height u64, big-endian, as two words (heights are safe integers): no BigInt, no DataView per envelope
  const high = Math.floor(header.height / 2 ** 32);
  const low = header.height >>> 0;
  out[at] = high >>> 24;
  out[at + 1] = high >>> 16;
  out[at + 2] = high >>> 8;
  out[at + 3] = high;
  out[at + 4] = low >>> 24;
  out[at + 5] = low >>> 16;
  out[at + 6] = low >>> 8;
  out[at + 7] = low;
  out[at + 8] = header.sender >>> 8;
  out[at + 9] = header.sender;
  out[at + 10] = header.itemCount >>> 8;
  out[at + 11] = header.itemCount;
  out.set(root, at + 12);
  return out;
}

export function signEnvelope(signer: MessageSigner, binding: Uint8Array, header: EnvelopeHeader, leaves: readonly Uint8Array[]): Uint8Array {
  return signer.sign(signingPayload(binding, header, merkleRoot(leaves)));
}

/** One signed item, provable on its own: what equivocation evidence keeps. */
export interface ItemProof {
  readonly height: Height;
  readonly sender: ValidatorIndex;
  readonly itemCount: number;
  readonly index: number;
  /** The item's commitment (its encoding, or type|instance|batch digest for batch items). */
  readonly commitment: Uint8Array;
  readonly path: readonly Uint8Array[];
  readonly signature: Uint8Array;
}

export function itemProof(header: EnvelopeHeader, leaves: readonly Uint8Array[], index: number, commitment: Uint8Array, signature: Uint8Array): ItemProof {
  return { ...header, index, commitment, path: merklePath(leaves, index), signature };
}

/** True when `proof` shows that the holder of `publicKey` signed the item, for this chain. */
export function verifyItemProof(proof: ItemProof, binding: Uint8Array, publicKey: Uint8Array, verifier: SignatureVerifier): boolean {
  const root = rootFromPath(leafHash(proof.commitment), proof.index, proof.itemCount, proof.path);
  if (root === undefined) return false;
  return verifier.verify(publicKey, signingPayload(binding, proof, root), proof.signature);
}

/** Bytes a proof keeps (what the evidence registry budgets). */
export function itemProofBytes(proof: ItemProof): number {
  return 16 + proof.commitment.length + proof.path.length * DIGEST_BYTES + proof.signature.length;
}

export function sameCommitment(a: ItemProof, b: ItemProof): boolean {
  return bytesEqual(a.commitment, b.commitment);
}
