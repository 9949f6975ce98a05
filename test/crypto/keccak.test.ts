// Keccak-256 (hash-wasm) against published vectors and against @noble/hashes, the JavaScript
// implementation it replaced, over random inputs of every length class the chain hashes.
import test from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { toHex, utf8 } from '../../src/crypto/bytes.js';
import { keccak256 } from '../../src/crypto/hash.js';

test('keccak256 matches the Keccak team\'s vectors', () => {
  assert.equal(toHex(keccak256(new Uint8Array())), 'c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470');
  assert.equal(toHex(keccak256(utf8('abc'))), '4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45');
  // The 448-bit message of the same set.
  assert.equal(toHex(keccak256(utf8('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))), '45d3b367a6904e6e8d502ee04999a7c27647f91fa845d456525fd352ae3d7371');
});

test('keccak256 equals @noble/hashes on random inputs, including views into larger buffers', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 2_000 }), fc.nat(16), (bytes, offset) => {
      const padded = new Uint8Array(bytes.length + offset + 3);
      padded.set(bytes, offset);
      const view = padded.subarray(offset, offset + bytes.length);
      assert.equal(toHex(keccak256(view)), toHex(keccak_256(bytes)));
    }),
    { numRuns: 500 },
  );
});

test('keccak256 handles inputs across its 16 KiB chunk boundary (contract code)', () => {
  for (const length of [16_383, 16_384, 16_385, 24_576, 49_153]) {
    const bytes = Uint8Array.from({ length }, (_, i) => (i * 131 + 7) & 0xff);
    assert.equal(toHex(keccak256(bytes)), toHex(keccak_256(bytes)), `length ${length}`);
  }
});

test('keccak256 returns a fresh array each call: a later hash never changes an earlier one', () => {
  const first = keccak256(utf8('first'));
  const copy = toHex(first);
  keccak256(utf8('second'));
  assert.equal(toHex(first), copy);
  first.fill(0);
  assert.equal(toHex(keccak256(utf8('first'))), copy);
});
