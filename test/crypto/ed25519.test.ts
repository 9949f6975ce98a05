import test from 'node:test';
import assert from 'node:assert/strict';
import { keyPairFromSeed, sign, verify, generateKeyPair } from '../../src/crypto/ed25519.js';
import { fromHex, toHex } from '../../src/crypto/bytes.js';
import { keccak256, sha256 } from '../../src/crypto/hash.js';

// RFC 8032 section 7.1, TEST 2.
const RFC8032_SEED = '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb';
const RFC8032_PUBLIC = '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c';
const RFC8032_SIGNATURE =
  '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00';

test('ed25519 matches RFC 8032 test vector 2', () => {
  const pair = keyPairFromSeed(fromHex(RFC8032_SEED));
  assert.equal(toHex(pair.publicKey), RFC8032_PUBLIC);
  const signature = sign(pair, fromHex('72'));
  assert.equal(toHex(signature), RFC8032_SIGNATURE);
  assert.ok(verify(pair.publicKey, fromHex('72'), signature));
});

test('ed25519 rejects a tampered message, signature or key', () => {
  const pair = generateKeyPair();
  const other = generateKeyPair();
  const message = new Uint8Array([1, 2, 3]);
  const signature = sign(pair, message);
  assert.ok(verify(pair.publicKey, message, signature));
  assert.equal(verify(pair.publicKey, new Uint8Array([1, 2, 4]), signature), false);
  const bad = new Uint8Array(signature);
  bad[0] ^= 1;
  assert.equal(verify(pair.publicKey, message, bad), false);
  assert.equal(verify(other.publicKey, message, signature), false);
  assert.equal(verify(pair.publicKey.subarray(1), message, signature), false);
});

test('hashes match known vectors', () => {
  assert.equal(toHex(sha256(new Uint8Array())), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  assert.equal(toHex(keccak256(new Uint8Array())), 'c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470');
});
