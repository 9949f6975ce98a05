// Applies a block's writes to an Ethereum Merkle Patricia trie (Yellow Paper, appendix D) in
// one pass: the writes change an in-memory copy of the touched paths, then every changed node
// is encoded and hashed once. @ethereumjs/mpt's `put` re-encodes and re-hashes the whole path
// of every write and stores each intermediate version of every node; here a branch shared by
// a thousand writes of a block is hashed once, and only nodes reachable from the new root are
// written. The result is byte-for-byte the trie @ethereumjs/mpt builds from the same writes
// (test/execution/trie-batch.test.ts checks it against @ethereumjs/mpt), so roots, proofs and
// historical reads are unchanged. Decision: docs/decisions/0015-execution-speed.md.
import { RLP } from '@ethereumjs/rlp';
import { keccak256 } from '../crypto/hash.js';

/** keccak256(rlp("")): the root of the empty trie. */
export const EMPTY_TRIE_ROOT = keccak256(RLP.encode(new Uint8Array(0)));
/** A node whose encoding is shorter than this is embedded in its parent instead of hashed. */
const INLINE_NODE_MAX_BYTES = 31;
const BRANCH_WIDTH = 16;

type Nibbles = readonly number[];

/** A subtree left as it was: known by its hash, loaded only if a write goes through it. */
interface HashRef {
  readonly kind: 'hash';
  readonly hash: Uint8Array;
}
interface Leaf {
  readonly kind: 'leaf';
  readonly path: Nibbles;
  readonly value: Uint8Array;
}
interface Extension {
  readonly kind: 'extension';
  readonly path: Nibbles;
  readonly child: Ref;
}
interface Branch {
  readonly kind: 'branch';
  readonly children: readonly (Ref | null)[];
  readonly value: Uint8Array | null;
}
type Node = Leaf | Extension | Branch;
type Ref = HashRef | Node;

/** Where trie nodes live, keyed by their hash. */
export interface TrieNodeStore {
  get(hash: Uint8Array): Promise<Uint8Array | undefined>;
  put(hash: Uint8Array, encoded: Uint8Array): Promise<void>;
}

/** One write: `value` null (or empty) deletes `key`. Keys are the trie's keys (already hashed in a secure trie). */
export type TrieWrite = readonly [key: Uint8Array, value: Uint8Array | null];

export class TrieBatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrieBatchError';
  }
}

function toNibbles(key: Uint8Array): number[] {
  const out = new Array<number>(key.length * 2);
  for (let i = 0; i < key.length; i++) {
    out[2 * i] = key[i] >> 4;
    out[2 * i + 1] = key[i] & 0x0f;
  }
  return out;
}

/** Hex-prefix encoding (Yellow Paper, appendix C): flag nibble 2 marks a leaf, 1 an odd length. */
function hexPrefix(path: Nibbles, leaf: boolean): Uint8Array {
  const odd = path.length % 2;
  const out = new Uint8Array(1 + (path.length >> 1));
  const flag = (leaf ? 2 : 0) + odd;
  out[0] = odd ? (flag << 4) | path[0] : flag << 4;
  for (let i = odd, b = 1; i < path.length; i += 2, b++) out[b] = (path[i] << 4) | path[i + 1];
  return out;
}

function fromHexPrefix(bytes: Uint8Array): { path: number[]; leaf: boolean } {
  if (bytes.length === 0) throw new TrieBatchError('trie node with an empty hex-prefix path');
  const flag = bytes[0] >> 4;
  if (flag > 3) throw new TrieBatchError(`trie node path has flag nibble ${flag}, expected 0..3`);
  const nibbles = toNibbles(bytes);
  return { path: nibbles.slice(flag & 1 ? 1 : 2), leaf: flag >= 2 };
}

type Raw = Uint8Array | Raw[];

function decodeRef(raw: Raw): Ref | null {
  if (raw instanceof Uint8Array) {
    if (raw.length === 0) return null;
    if (raw.length === 32) return { kind: 'hash', hash: raw };
    throw new TrieBatchError(`trie child reference of ${raw.length} bytes: a reference is a 32-byte hash or an embedded node`);
  }
  return decodeNode(raw);
}

function decodeNode(raw: Raw): Node {
  if (!Array.isArray(raw)) throw new TrieBatchError('trie node is not an RLP list');
  if (raw.length === BRANCH_WIDTH + 1) {
    const value = raw[BRANCH_WIDTH];
    if (!(value instanceof Uint8Array)) throw new TrieBatchError('branch value is not a byte string');
    return { kind: 'branch', children: raw.slice(0, BRANCH_WIDTH).map(decodeRef), value: value.length === 0 ? null : value };
  }
  if (raw.length !== 2 || !(raw[0] instanceof Uint8Array)) throw new TrieBatchError(`trie node of ${raw.length} items: expected 2 or 17`);
  const { path, leaf } = fromHexPrefix(raw[0]);
  if (leaf) {
    if (!(raw[1] instanceof Uint8Array)) throw new TrieBatchError('leaf value is not a byte string');
    return { kind: 'leaf', path, value: raw[1] };
  }
  const child = decodeRef(raw[1]);
  if (child === null) throw new TrieBatchError('extension node without a child');
  return { kind: 'extension', path, child };
}

function commonPrefix(a: Nibbles, b: Nibbles, bFrom: number): number {
  let n = 0;
  while (n < a.length && bFrom + n < b.length && a[n] === b[bFrom + n]) n++;
  return n;
}

const emptyChildren = (): (Ref | null)[] => new Array<Ref | null>(BRANCH_WIDTH).fill(null);

/** Builds the new trie in memory from the old one and the writes, then writes the changed nodes. */
class Batch {
  private readonly written = new Map<string, true>();

  constructor(private readonly store: TrieNodeStore) {}

  async load(ref: Ref): Promise<Node> {
    if (ref.kind !== 'hash') return ref;
    const bytes = await this.store.get(ref.hash);
    if (bytes === undefined) throw new TrieBatchError(`trie node ${Buffer.from(ref.hash).toString('hex')} is missing from the store`);
    return decodeNode(RLP.decode(bytes) as Raw);
  }

  async insert(ref: Ref | null, key: Nibbles, at: number, value: Uint8Array): Promise<Node> {
    if (ref === null) return { kind: 'leaf', path: key.slice(at), value };
    const node = await this.load(ref);
    if (node.kind === 'branch') {
      const children = [...node.children];
      if (at === key.length) return { kind: 'branch', children, value };
      children[key[at]] = await this.insert(children[key[at]], key, at + 1, value);
      return { kind: 'branch', children, value: node.value };
    }
    const shared = commonPrefix(node.path, key, at);
    if (node.kind === 'leaf' && shared === node.path.length && at + shared === key.length) return { kind: 'leaf', path: node.path, value };
    if (node.kind === 'extension' && shared === node.path.length) {
      return { kind: 'extension', path: node.path, child: await this.insert(node.child, key, at + shared, value) };
    }
    // The paths part after `shared` nibbles: a branch there holds the old node's rest and the new key's.
    const children = emptyChildren();
    let branchValue: Uint8Array | null = null;
    const oldRest = node.path.slice(shared + 1);
    if (shared === node.path.length) {
      // Only a leaf gets here (an extension's full match was handled above).
      branchValue = (node as Leaf).value;
    } else if (node.kind === 'leaf') {
      children[node.path[shared]] = { kind: 'leaf', path: oldRest, value: node.value };
    } else {
      children[node.path[shared]] = oldRest.length === 0 ? node.child : { kind: 'extension', path: oldRest, child: node.child };
    }
    let branch: Node = { kind: 'branch', children, value: branchValue };
    branch = await this.insert(branch, key, at + shared, value);
    return shared === 0 ? branch : { kind: 'extension', path: key.slice(at, at + shared), child: branch };
  }

  /** The subtree without `key`; the same object when `key` was absent. */
  async remove(ref: Ref | null, key: Nibbles, at: number): Promise<Ref | null> {
    if (ref === null) return null;
    const node = await this.load(ref);
    if (node.kind === 'leaf') {
      const matches = node.path.length === key.length - at && commonPrefix(node.path, key, at) === node.path.length;
      return matches ? null : ref;
    }
    if (node.kind === 'extension') {
      if (commonPrefix(node.path, key, at) !== node.path.length) return ref;
      const child = await this.remove(node.child, key, at + node.path.length);
      if (child === node.child) return ref;
      if (child === null) return null;
      return this.prefixed(node.path, child);
    }
    const children = [...node.children];
    let value = node.value;
    if (at === key.length) {
      if (value === null) return ref;
      value = null;
    } else {
      const child = await this.remove(children[key[at]], key, at + 1);
      if (child === children[key[at]]) return ref;
      children[key[at]] = child;
    }
    return this.normalizedBranch(children, value);
  }

  /** A branch left with one entry is not a branch: it becomes a leaf or joins its only child. */
  private async normalizedBranch(children: (Ref | null)[], value: Uint8Array | null): Promise<Ref | null> {
    const used = children.flatMap((c, i) => (c === null ? [] : [i]));
    if (used.length + (value === null ? 0 : 1) >= 2) return { kind: 'branch', children, value };
    if (used.length === 0) return value === null ? null : { kind: 'leaf', path: [], value };
    return this.prefixed([used[0]], children[used[0]]!);
  }

  /** `child` under the nibbles `path`: paths of a leaf or extension child merge with it. */
  private async prefixed(path: Nibbles, childRef: Ref): Promise<Node> {
    const child = await this.load(childRef);
    if (child.kind === 'leaf') return { kind: 'leaf', path: [...path, ...child.path], value: child.value };
    if (child.kind === 'extension') return { kind: 'extension', path: [...path, ...child.path], child: child.child };
    return { kind: 'extension', path, child: childRef };
  }

  /** The node's reference in its parent: its raw form if short, else its hash (node written). */
  async reference(ref: Ref, root: boolean): Promise<Raw> {
    if (ref.kind === 'hash') return ref.hash;
    const raw = await this.raw(ref);
    const encoded = RLP.encode(raw);
    if (encoded.length <= INLINE_NODE_MAX_BYTES && !root) return raw;
    const hash = keccak256(encoded);
    const key = Buffer.from(hash).toString('hex');
    if (!this.written.has(key)) {
      this.written.set(key, true);
      await this.store.put(hash, encoded);
    }
    return hash;
  }

  private async raw(node: Node): Promise<Raw[]> {
    if (node.kind === 'leaf') return [hexPrefix(node.path, true), node.value];
    if (node.kind === 'extension') return [hexPrefix(node.path, false), await this.reference(node.child, false)];
    const out: Raw[] = [];
    for (const child of node.children) out.push(child === null ? new Uint8Array(0) : await this.reference(child, false));
    out.push(node.value ?? new Uint8Array(0));
    return out;
  }
}

/**
 * Applies `writes` in order to the trie at `root` and returns the new root; the nodes of the
 * new trie that the old one lacks are put into `store` (each once). Nodes are never deleted:
 * every earlier root stays readable.
 */
export async function applyTrieWrites(store: TrieNodeStore, root: Uint8Array, writes: Iterable<TrieWrite>): Promise<Uint8Array> {
  const batch = new Batch(store);
  let top: Ref | null = equalBytes(root, EMPTY_TRIE_ROOT) ? null : { kind: 'hash', hash: root };
  for (const [key, value] of writes) {
    const nibbles = toNibbles(key);
    top = value === null || value.length === 0 ? await batch.remove(top, nibbles, 0) : await batch.insert(top, nibbles, 0, value);
  }
  if (top === null) return EMPTY_TRIE_ROOT;
  if (top.kind === 'hash') return top.hash;
  return (await batch.reference(top, true)) as Uint8Array;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
