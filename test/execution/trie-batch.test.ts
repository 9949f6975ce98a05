// applyTrieWrites against @ethereumjs/mpt: the same writes, applied in batches here and one
// by one there, give the same root, and every value reads back from the nodes written.
import test from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MerklePatriciaTrie } from '@ethereumjs/mpt';
import { MapDB, bytesToUnprefixedHex, unprefixedHexToBytes, ValueEncoding } from '@ethereumjs/util';
import { keccak256 } from '../../src/crypto/hash.js';
import { EMPTY_TRIE_ROOT, TrieBatchError, applyTrieWrites, type TrieNodeStore, type TrieWrite } from '../../src/execution/trie-batch.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** A node store over a MapDB in @ethereumjs's layout (hex keys), so mpt can read what we write. */
function sharedStore(): { store: TrieNodeStore; db: MapDB<string, Uint8Array>; puts: string[] } {
  const db = new MapDB<string, Uint8Array>();
  const puts: string[] = [];
  return {
    db,
    puts,
    store: {
      get: async (hash) => db.get(bytesToUnprefixedHex(hash)),
      put: async (hash, encoded) => {
        puts.push(hex(hash));
        await db.put(bytesToUnprefixedHex(hash), encoded);
      },
    },
  };
}

function referenceTrie(): MerklePatriciaTrie {
  return new MerklePatriciaTrie({ db: new MapDB(), valueEncoding: ValueEncoding.Bytes });
}

async function applyReference(trie: MerklePatriciaTrie, writes: readonly TrieWrite[]): Promise<void> {
  for (const [key, value] of writes) {
    if (value === null || value.length === 0) await trie.del(key);
    else await trie.put(key, value);
  }
}

// Keys from a small alphabet share long prefixes and are prefixes of each other: extensions,
// branch values, embedded (short) nodes and every collapse on delete all occur. The empty key
// is left out: @ethereumjs/mpt deletes it by emptying the whole trie (a state trie's keys are
// all 32 bytes, so neither trie ever meets it; the test below checks ours on its own).
const shortKey = fc.uint8Array({ minLength: 1, maxLength: 4 }).map((b) => b.map((x) => x % 3));
const hashedKey = fc.nat(40).map((n) => keccak256(Uint8Array.of(n)));
const value = fc.oneof(fc.uint8Array({ minLength: 1, maxLength: 3 }), fc.uint8Array({ minLength: 30, maxLength: 70 }));
const write = (key: fc.Arbitrary<Uint8Array>) => fc.tuple(key, fc.option(value, { freq: 3 })) as fc.Arbitrary<TrieWrite>;
const batches = (key: fc.Arbitrary<Uint8Array>) => fc.array(fc.array(write(key), { maxLength: 25 }), { minLength: 1, maxLength: 4 });

async function checkAgainstMpt(blocks: readonly (readonly TrieWrite[])[]): Promise<void> {
  const reference = referenceTrie();
  const { store, db } = sharedStore();
  let root = EMPTY_TRIE_ROOT;
  const expected = new Map<string, Uint8Array>();
  for (const writes of blocks) {
    await applyReference(reference, writes);
    root = await applyTrieWrites(store, root, writes);
    assert.equal(hex(root), hex(reference.root()));
    for (const [k, v] of writes) {
      if (v === null || v.length === 0) expected.delete(hex(k));
      else expected.set(hex(k), v);
    }
    // Every value reads back from the nodes this batch and earlier ones wrote.
    const reader = new MerklePatriciaTrie({ db, root, valueEncoding: ValueEncoding.Bytes });
    for (const [k, v] of expected) assert.equal(hex((await reader.get(unprefixedHexToBytes(k)))!), hex(v));
  }
}

test('batched writes give @ethereumjs/mpt\'s root for nested, prefix and short keys, deletes included', async () => {
  await fc.assert(fc.asyncProperty(batches(shortKey), checkAgainstMpt), { numRuns: 400 });
});

test('batched writes give @ethereumjs/mpt\'s root for 32-byte hashed keys (the secure trie\'s shape)', async () => {
  await fc.assert(fc.asyncProperty(batches(hashedKey), checkAgainstMpt), { numRuns: 150 });
});

test('deleting the empty key keeps every other key', async () => {
  const { store, db } = sharedStore();
  let root = await applyTrieWrites(store, EMPTY_TRIE_ROOT, [[Uint8Array.of(0), Uint8Array.of(7)], [Uint8Array.of(), new Uint8Array(30)]]);
  root = await applyTrieWrites(store, root, [[Uint8Array.of(), null]]);
  const alone = await applyTrieWrites(sharedStore().store, EMPTY_TRIE_ROOT, [[Uint8Array.of(0), Uint8Array.of(7)]]);
  assert.equal(hex(root), hex(alone));
  const reader = new MerklePatriciaTrie({ db, root, valueEncoding: ValueEncoding.Bytes });
  assert.equal(hex((await reader.get(Uint8Array.of(0)))!), '07');
});

test('a node shared by many writes of one batch is written once, and only reachable nodes are written', async () => {
  const { store, db, puts } = sharedStore();
  const writes: TrieWrite[] = Array.from({ length: 200 }, (_, i) => [keccak256(Uint8Array.of(i)), new Uint8Array(40).fill(i)]);
  const root = await applyTrieWrites(store, EMPTY_TRIE_ROOT, writes);
  assert.equal(new Set(puts).size, puts.length, 'no node written twice');
  // Walk the trie from the root: every written node is reachable.
  const reachable = new Set<string>();
  const reader = new MerklePatriciaTrie({ db, root, valueEncoding: ValueEncoding.Bytes });
  await reader.walkTrie(root, (nodeRef, node, _key, controller) => {
    if (nodeRef instanceof Uint8Array && nodeRef.length === 32) reachable.add(hex(nodeRef));
    controller.allChildren(node!);
  });
  assert.deepEqual([...puts].sort(), [...reachable].sort());
});

test('writes that change nothing keep the root and write nothing; deleting everything gives the empty root', async () => {
  const { store, puts } = sharedStore();
  const writes: TrieWrite[] = Array.from({ length: 20 }, (_, i) => [keccak256(Uint8Array.of(i)), Uint8Array.of(i + 1)]);
  const root = await applyTrieWrites(store, EMPTY_TRIE_ROOT, writes);
  const written = puts.length;
  assert.equal(hex(await applyTrieWrites(store, root, [[keccak256(Uint8Array.of(99)), null]])), hex(root));
  assert.equal(puts.length, written);
  assert.equal(hex(await applyTrieWrites(store, root, writes.map(([k]) => [k, null]))), hex(EMPTY_TRIE_ROOT));
});

test('a missing or malformed node is an error that names it, never a wrong root', async () => {
  const { store } = sharedStore();
  const missing = keccak256(Uint8Array.of(1));
  await assert.rejects(applyTrieWrites(store, missing, [[Uint8Array.of(1), Uint8Array.of(2)]]), (e: unknown) => e instanceof TrieBatchError && e.message.includes(hex(missing)));
  const bad = keccak256(Uint8Array.of(2));
  await store.put(bad, Uint8Array.of(0xc3, 0x01, 0x02, 0x03));
  await assert.rejects(applyTrieWrites(store, bad, [[Uint8Array.of(1), Uint8Array.of(2)]]), (e: unknown) => e instanceof TrieBatchError && /3 items/.test(e.message));
});

test('the transactions and receipts root (keys rlp(i)) equals @ethereumjs/mpt\'s for every size class of index', async () => {
  const { orderedTrieRoot } = await import('../../src/execution/receipts.js');
  const { RLP } = await import('@ethereumjs/rlp');
  for (const n of [0, 1, 2, 16, 17, 127, 128, 129, 300]) {
    const values = Array.from({ length: n }, (_, i) => new Uint8Array(20 + (i % 90)).fill(i & 0xff));
    const reference = referenceTrie();
    for (let i = 0; i < n; i++) await reference.put(RLP.encode(i), values[i]);
    assert.equal(hex(await orderedTrieRoot(values)), hex(reference.root()), `${n} values`);
  }
});
