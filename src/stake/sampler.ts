// The committee sampler the chain runs every epoch: K distinct validators, drawn one at a time
// with probability proportional to weight among those not yet drawn (successive sampling, the
// same distribution as Efraimidis–Spirakis keys), deterministic from a 32-byte seed.
//
// Portability: no floating point at all. Draw d picks a uniform integer r in [0, W_remaining)
// from SHA-256(domain || seed || d || attempt || block) by rejection sampling, then walks the
// cumulative bigint weights of the remaining validators in canonical order (ascending UTF-8 bytes
// of the id). Any machine, Node version or language that follows docs/decisions/0002 gets the same
// committee. Draw order is the committee order, and a committee of size K is the first K members
// of the committee of size K + 1 for the same seed (the analysis exploits that).
import { sha256 } from '../crypto/hash.js';
import { compareBytes, toHex, utf8 } from '../crypto/bytes.js';
import { StakeError } from './errors.js';
import { bitLength } from './rational.js';

export interface WeightedValidator {
  readonly id: string;
  /** Non-negative; zero-weight validators are never drawn. */
  readonly weight: bigint;
}

export const SEED_BYTES = 32;
export const SAMPLER_DOMAIN = utf8('synod/committee-sampler/v1');
/** Extra random bits beyond the bound's length: a draw is rejected with probability < 2^-64. */
const UNIFORM_EXTRA_BITS = 64;
/** Rejections in a row before giving up: reaching it has probability below 2^-4096. */
const MAX_UNIFORM_ATTEMPTS = 64;
const HASH_BITS = 256;

/** A uniform integer in [0, bound) from the seed and the draw index, by exact rejection sampling. */
export function uniformBelow(bound: bigint, seed: Uint8Array, draw: number): bigint {
  const blocks = Math.ceil((bitLength(bound) + UNIFORM_EXTRA_BITS) / HASH_BITS);
  const space = 1n << BigInt(blocks * HASH_BITS);
  const limit = space - (space % bound); // the largest multiple of bound that fits: no modulo bias
  for (let attempt = 0; attempt < MAX_UNIFORM_ATTEMPTS; attempt++) {
    let hex = '';
    for (let block = 0; block < blocks; block++) hex += toHex(sha256(SAMPLER_DOMAIN, seed, counters(draw, attempt, block)));
    const x = BigInt('0x' + hex);
    if (x < limit) return x % bound;
  }
  throw new Error(`uniformBelow: ${MAX_UNIFORM_ATTEMPTS} rejections in a row; the hash is broken`);
}

/** The three big-endian uint32 counters hashed after the seed: draw, attempt, block. */
function counters(draw: number, attempt: number, block: number): Uint8Array {
  const bytes = new Uint8Array(12);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, draw);
  view.setUint32(4, attempt);
  view.setUint32(8, block);
  return bytes;
}

/**
 * A prepared sampler over a fixed validator set: sorting and validation happen once, so the
 * Monte Carlo analysis can draw many committees cheaply. Indices refer to `ids`.
 */
export class CommitteeSampler {
  /** Positive-weight validators in canonical order. */
  readonly ids: readonly string[];
  readonly weights: readonly bigint[];
  private readonly tree: bigint[]; // Fenwick tree of the weights, 1-based

  constructor(validators: readonly WeightedValidator[]) {
    checkValidators(validators);
    const sorted = validators
      .filter((v) => v.weight > 0n)
      .map((v) => ({ v, key: utf8(v.id) }))
      .sort((a, b) => compareBytes(a.key, b.key));
    this.ids = sorted.map((s) => s.v.id);
    this.weights = sorted.map((s) => s.v.weight);
    this.tree = buildFenwick(this.weights);
  }

  get size(): number {
    return this.ids.length;
  }

  /** Indices of the first `count` members drawn with this seed, in draw order. */
  drawIndices(count: number, seed: Uint8Array): number[] {
    checkK(count, this.size);
    checkSeed(seed);
    // Draws remove members from the shared tree; they are put back afterwards, so a committee
    // costs O(K log N) with no O(N) copy (Monte Carlo draws many).
    const tree = this.tree;
    let remaining = prefixSum(tree, this.size);
    const drawn: number[] = [];
    try {
      for (let d = 0; d < count; d++) {
        const index = findByCumulative(tree, uniformBelow(remaining, seed, d));
        drawn.push(index);
        fenwickAdd(tree, index, -this.weights[index]!);
        remaining -= this.weights[index]!;
      }
    } finally {
      for (const index of drawn) fenwickAdd(tree, index, this.weights[index]!);
    }
    return drawn;
  }

  /** The ids of the committee of size k, in draw order (the committee order). */
  draw(k: number, seed: Uint8Array): string[] {
    return this.drawIndices(k, seed).map((i) => this.ids[i]!);
  }
}

/** The committee of size k for this seed: distinct ids in draw order. See CommitteeSampler. */
export function sampleCommittee(validators: readonly WeightedValidator[], k: number, seed: Uint8Array): string[] {
  return new CommitteeSampler(validators).draw(k, seed);
}

function checkValidators(validators: readonly WeightedValidator[]): void {
  const seen = new Set<string>();
  validators.forEach((v, i) => {
    if (typeof v.id !== 'string' || v.id.length === 0) {
      throw new StakeError('INVALID_ID', `validators[${i}].id`, `validators[${i}].id must be a non-empty string`);
    }
    if (seen.has(v.id)) throw new StakeError('DUPLICATE_ID', `validators[${i}].id`, `validator id "${v.id}" appears twice; ids must be unique`);
    seen.add(v.id);
    if (v.weight < 0n) throw new StakeError('INVALID_WEIGHT', `validators[${i}].weight`, `validator "${v.id}" has negative weight ${v.weight}; weights must be >= 0`);
  });
}

function checkK(k: number, positive: number): void {
  if (!Number.isInteger(k) || k < 1 || k > positive) {
    throw new StakeError('INVALID_K', 'k', `k must be an integer from 1 to ${positive} (the validators with positive weight); got ${k}`);
  }
}

function checkSeed(seed: Uint8Array): void {
  if (!(seed instanceof Uint8Array) || seed.length !== SEED_BYTES) {
    throw new StakeError('INVALID_SEED', 'seed', `the seed must be ${SEED_BYTES} bytes (got ${seed?.length}); derive it by hashing finalized history`);
  }
}

// Fenwick tree over bigint weights: prefix sums and point updates in O(log N), so a committee of
// K costs O(K log N) after an O(N) build.
function buildFenwick(weights: readonly bigint[]): bigint[] {
  const tree = [0n, ...weights];
  for (let i = 1; i < tree.length; i++) {
    const parent = i + (i & -i);
    if (parent < tree.length) tree[parent]! += tree[i]!;
  }
  return tree;
}

function prefixSum(tree: readonly bigint[], count: number): bigint {
  let sum = 0n;
  for (let i = count; i > 0; i -= i & -i) sum += tree[i]!;
  return sum;
}

function fenwickAdd(tree: bigint[], index: number, delta: bigint): void {
  for (let i = index + 1; i < tree.length; i += i & -i) tree[i]! += delta;
}

/** The 0-based index j with prefix(j) <= r < prefix(j + 1), for 0 <= r < total. */
function findByCumulative(tree: readonly bigint[], r: bigint): number {
  let position = 0;
  let rest = r;
  for (let step = highestPowerOfTwo(tree.length - 1); step > 0; step >>= 1) {
    const next = position + step;
    if (next < tree.length && tree[next]! <= rest) {
      position = next;
      rest -= tree[next]!;
    }
  }
  return position; // position nodes have cumulative weight <= r, so index `position` holds r
}

function highestPowerOfTwo(n: number): number {
  let p = 1;
  while (p * 2 <= n) p *= 2;
  return n === 0 ? 0 : p;
}
