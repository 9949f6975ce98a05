// The envelope commitment's Merkle tree (consensus/commitment.ts): every leaf's path folds back to
// the root for every tree size, the split is RFC 6962's (largest power of two below n), and a path
// for the wrong index or count does not fold back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { leafHash, merkleNodeHashCount, merklePath, merkleRoot, rootFromPath, signingPayload } from '../../src/consensus/commitment.js';
import { sha256 } from '../../src/crypto/hash.js';
import { bytesEqual, utf8 } from '../../src/crypto/bytes.js';

const NODE_DOMAIN = utf8('synod/consensus/node\0');
const leaves = (n: number) => Array.from({ length: n }, (_, i) => leafHash(new Uint8Array([i, i >> 8])));

/** The tree as specified, written the plain way (sub-arrays), to compare with. */
function specRoot(l: readonly Uint8Array[]): Uint8Array {
  if (l.length === 1) return l[0]!;
  let k = 1;
  while (k * 2 < l.length) k *= 2;
  return sha256(NODE_DOMAIN, specRoot(l.slice(0, k)), specRoot(l.slice(k)));
}

test('the root is the RFC 6962-shaped tree of the leaves, for every size up to 70', () => {
  for (let n = 1; n <= 70; n++) assert.ok(bytesEqual(merkleRoot(leaves(n)), specRoot(leaves(n))), `n = ${n}`);
  assert.throws(() => merkleRoot([]), RangeError);
});

test('every leaf path folds back to the root; a wrong index, count or sibling does not', () => {
  for (let n = 1; n <= 40; n++) {
    const l = leaves(n);
    const root = merkleRoot(l);
    for (let i = 0; i < n; i++) {
      const path = merklePath(l, i);
      assert.ok(path.length <= Math.ceil(Math.log2(n)), `path length n=${n} i=${i}`);
      assert.ok(bytesEqual(rootFromPath(l[i]!, i, n, path)!, root), `n=${n} i=${i}`);
      if (n > 1) {
        const other = (i + 1) % n;
        const wrong = rootFromPath(l[i]!, other, n, path);
        assert.ok(wrong === undefined || !bytesEqual(wrong, root), `wrong index n=${n} i=${i}`);
        const tampered = path.map((p, j) => (j === 0 ? sha256(p) : p));
        assert.ok(!bytesEqual(rootFromPath(l[i]!, i, n, tampered)!, root), `tampered n=${n} i=${i}`);
      }
    }
    assert.equal(rootFromPath(l[0]!, n, n, merklePath(l, 0)), undefined, 'index past the count');
  }
});

test("the proofs of all of an envelope's items cost n - 1 hashes together, not about n each", () => {
  // An equivocator's envelope of n conflicting items needs a proof per item (and one of its first
  // vote): per-proof recomputation made a receiver hash about n² times for one envelope.
  for (const n of [1, 2, 3, 1000, 4096]) {
    const l = leaves(n);
    const root = merkleRoot(l);
    const before = merkleNodeHashCount();
    const paths = Array.from({ length: n }, (_, i) => merklePath(l, i));
    const spent = merkleNodeHashCount() - before;
    assert.ok(spent <= n - 1, `n = ${n}: ${spent} hashes`);
    paths.forEach((path, i) => assert.ok(bytesEqual(rootFromPath(l[i]!, i, n, path)!, root), `n = ${n}, i = ${i}`));
  }
});

test('the signed bytes: domain, binding, height u64, sender u16, item count u16, root, all big-endian', () => {
  const binding = new Uint8Array(32).fill(9);
  const root = new Uint8Array(32).fill(5);
  for (const [height, sender, itemCount] of [[0, 0, 1], [1, 3, 16_384], [2 ** 32 - 1, 255, 256], [2 ** 32, 256, 7], [Number.MAX_SAFE_INTEGER, 65_535, 65_535]] as const) {
    const out = signingPayload(binding, { height, sender, itemCount }, root);
    const domain = utf8('synod/consensus/v2\0');
    assert.ok(bytesEqual(out.subarray(0, domain.length), domain));
    const view = new DataView(out.buffer, out.byteOffset + domain.length + 32);
    assert.equal(view.getBigUint64(0), BigInt(height));
    assert.equal(view.getUint16(8), sender);
    assert.equal(view.getUint16(10), itemCount);
    assert.ok(bytesEqual(out.subarray(out.length - 32), root));
    assert.equal(out.length, domain.length + 32 + 12 + 32);
  }
});
