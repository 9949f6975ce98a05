// The envelope commitment's Merkle tree (consensus/commitment.ts): every leaf's path folds back to
// the root for every tree size, the split is RFC 6962's (largest power of two below n), and a path
// for the wrong index or count does not fold back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { leafHash, merklePath, merkleRoot, rootFromPath } from '../../src/consensus/commitment.js';
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
