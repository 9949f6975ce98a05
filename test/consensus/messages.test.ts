import test from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { utf8 } from '../../src/crypto/bytes.js';
import {
  batchDigest,
  decodeSignedMessage,
  encodeSignedMessage,
  MessageDecodeError,
  type ConsensusMessage,
} from '../../src/consensus/messages.js';
import { signingPayload } from '../../src/consensus/commitment.js';
import { DEFAULT_LIMITS } from '../../src/consensus/limits.js';
import { ed25519Verifier } from '../../src/consensus/signing.js';
import { makeCommittee, TEST_BINDING } from './harness.js';

const { signers } = makeCommittee([1n, 1n]);
const digest = new Uint8Array(32).fill(7);

const bit = fc.constantFrom<0 | 1>(0, 1);
const round = fc.integer({ min: 1, max: 500 });
const instance = fc.integer({ min: 0, max: 300 });
const batch = fc.record({
  timestampMs: fc.integer({ min: 0, max: 2 ** 50 }),
  transactions: fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 5 }),
}).map((b) => ({ timestampMs: b.timestampMs, transactions: b.transactions })); // plain prototype for deepEqual
const item: fc.Arbitrary<ConsensusMessage> = fc.oneof(
  batch.map((b) => ({ type: 'propose' as const, batch: b })),
  instance.map((i) => ({ type: 'echo' as const, instance: i, digest })),
  instance.map((i) => ({ type: 'ready' as const, instance: i, digest })),
  fc.tuple(instance, round, bit).map(([i, r, v]) => ({ type: 'est' as const, instance: i, round: r, value: v })),
  fc.tuple(instance, round, bit).map(([i, r, v]) => ({ type: 'coord' as const, instance: i, round: r, value: v })),
  fc.tuple(instance, round, fc.constantFrom<(0 | 1)[]>([0], [1], [0, 1])).map(([i, r, v]) => ({ type: 'aux' as const, instance: i, round: r, values: v })),
  fc.tuple(instance, round, bit).map(([i, r, v]) => ({ type: 'decided' as const, instance: i, round: r, value: v })),
  instance.map((i) => ({ type: 'fetch' as const, instance: i, digest })),
  fc.tuple(instance, batch).map(([i, b]) => ({ type: 'batch' as const, instance: i, batch: b })),
  fc.constant({ type: 'stateRequest' as const }),
);

test('encode then decode returns the same envelope, and the signature verifies', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 2 ** 40 }), fc.array(item, { minLength: 1, maxLength: 8 }), (height, items) => {
      const bytes = encodeSignedMessage({ height, sender: 1, items }, signers[1]!, TEST_BINDING);
      const decoded = decodeSignedMessage(bytes, DEFAULT_LIMITS);
      assert.equal(decoded.height, height);
      assert.equal(decoded.sender, 1);
      assert.deepEqual(decoded.items, items);
      assert.ok(ed25519Verifier.verify(signers[1]!.publicKey, signingPayload(TEST_BINDING, { height, sender: 1, itemCount: items.length }, decoded.root), decoded.signature));
      assert.ok(!ed25519Verifier.verify(signers[0]!.publicKey, signingPayload(TEST_BINDING, { height, sender: 1, itemCount: items.length }, decoded.root), decoded.signature));
    }),
    { numRuns: 300 },
  );
});

test('any truncation or trailing byte is rejected as malformed', () => {
  const bytes = encodeSignedMessage({ height: 3, sender: 0, items: [{ type: 'est', instance: 1, round: 2, value: 1 }] }, signers[0]!, TEST_BINDING);
  for (let cut = 0; cut < bytes.length; cut++) {
    assert.throws(() => decodeSignedMessage(bytes.subarray(0, cut), DEFAULT_LIMITS), MessageDecodeError);
  }
  const extended = new Uint8Array(bytes.length + 1);
  extended.set(bytes.subarray(0, bytes.length - 64), 0);
  extended.set(bytes.subarray(bytes.length - 64), bytes.length - 63);
  assert.throws(() => decodeSignedMessage(extended, DEFAULT_LIMITS), /trailing/);
});

test('bad field values are named in the error', () => {
  const good = encodeSignedMessage({ height: 3, sender: 0, items: [{ type: 'est', instance: 1, round: 2, value: 1 }] }, signers[0]!, TEST_BINDING);
  const badValue = good.slice();
  badValue[13 + 1 + 2 + 2] = 2; // the est value byte
  assert.throws(() => decodeSignedMessage(badValue, DEFAULT_LIMITS), /value must be 0 or 1/);
  const badType = good.slice();
  badType[13] = 99;
  assert.throws(() => decodeSignedMessage(badType, DEFAULT_LIMITS), /unknown item type 99/);
  const badVersion = good.slice();
  badVersion[0] = 9;
  assert.throws(() => decodeSignedMessage(badVersion, DEFAULT_LIMITS), /wire version 9/);
});

test('size limits are reported as oversize', () => {
  const limits = { ...DEFAULT_LIMITS, maxBatchTransactions: 2 };
  const bytes = encodeSignedMessage({ height: 1, sender: 0, items: [{ type: 'propose', batch: { timestampMs: 1, transactions: [utf8('a'), utf8('b'), utf8('c')] } }] }, signers[0]!, TEST_BINDING);
  assert.throws(
    () => decodeSignedMessage(bytes, limits),
    (e: unknown) => e instanceof MessageDecodeError && e.reason === 'oversize',
  );
  assert.throws(
    () => decodeSignedMessage(bytes, { ...DEFAULT_LIMITS, maxMessageBytes: 50 }),
    (e: unknown) => e instanceof MessageDecodeError && e.reason === 'oversize',
  );
});

test('the batch digest binds height, proposer, timestamp and every transaction', () => {
  const b = { timestampMs: 5, transactions: [utf8('x'), utf8('y')] };
  const base = batchDigest(1, 0, b);
  const variants = [
    batchDigest(2, 0, b),
    batchDigest(1, 1, b),
    batchDigest(1, 0, { ...b, timestampMs: 6 }),
    batchDigest(1, 0, { timestampMs: 5, transactions: [utf8('xy')] }),
    batchDigest(1, 0, { timestampMs: 5, transactions: [utf8('y'), utf8('x')] }),
  ];
  for (const v of variants) assert.notDeepEqual(v, base);
});
