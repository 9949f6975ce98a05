// The consensus envelope (src/consensus/messages.ts): decodeSignedMessage takes any bytes and
// returns a signed envelope or throws MessageDecodeError, within the limits it is given; what it
// accepts is in canonical form (the module's encoder writes the same body back).
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { sha256 } from '../../../src/crypto/hash.js';
import { utf8 } from '../../../src/crypto/bytes.js';
import { keyPairFromSeed } from '../../../src/crypto/ed25519.js';
import { DEFAULT_LIMITS, MAX_ROUND } from '../../../src/consensus/limits.js';
import {
  MessageDecodeError,
  SIGNATURE_BYTES,
  decodeSignedMessage,
  encodeEnvelopeBody,
  encodeSignedMessage,
  type ConsensusMessage,
  type DecodeLimits,
} from '../../../src/consensus/messages.js';
import { ed25519Signer } from '../../../src/consensus/signing.js';
import { assertBoundedOutput, inputsAround, typedOutcome, type FuzzTarget } from '../harness.js';

const signer = ed25519Signer(keyPairFromSeed(sha256(utf8('synod fuzz consensus signer'))));

const bit = fc.constantFrom<0 | 1>(0, 1);
const round = fc.integer({ min: 1, max: MAX_ROUND });
const instance = fc.integer({ min: 0, max: 65_535 });
const digest = fc.uint8Array({ minLength: 32, maxLength: 32 });
const batch = fc
  .record({ timestampMs: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), transactions: fc.array(fc.uint8Array({ maxLength: 120 }), { maxLength: 6 }) })
  .map((b) => ({ timestampMs: b.timestampMs, transactions: b.transactions }));
const item: fc.Arbitrary<ConsensusMessage> = fc.oneof(
  batch.map((b) => ({ type: 'propose' as const, batch: b })),
  fc.tuple(instance, digest).map(([i, d]) => ({ type: 'echo' as const, instance: i, digest: d })),
  fc.tuple(instance, digest).map(([i, d]) => ({ type: 'ready' as const, instance: i, digest: d })),
  fc.tuple(instance, round, bit).map(([i, r, v]) => ({ type: 'est' as const, instance: i, round: r, value: v })),
  fc.tuple(instance, round, bit).map(([i, r, v]) => ({ type: 'coord' as const, instance: i, round: r, value: v })),
  fc.tuple(instance, round, fc.constantFrom<(0 | 1)[]>([0], [1], [0, 1])).map(([i, r, v]) => ({ type: 'aux' as const, instance: i, round: r, values: v })),
  fc.tuple(instance, round, bit).map(([i, r, v]) => ({ type: 'decided' as const, instance: i, round: r, value: v })),
  fc.tuple(instance, digest).map(([i, d]) => ({ type: 'fetch' as const, instance: i, digest: d })),
  fc.tuple(instance, batch).map(([i, b]) => ({ type: 'batch' as const, instance: i, batch: b })),
  fc.constant({ type: 'stateRequest' as const }),
);
const envelope = fc.record({
  height: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
  sender: fc.integer({ min: 0, max: 65_535 }),
  items: fc.array(item, { minLength: 1, maxLength: 6 }),
});
const BINDING = new Uint8Array(32).fill(0x5b);
const signed = envelope.map((e) => encodeSignedMessage(e, signer, BINDING));

/**
 * An envelope whose item count field says `count` and whose items are `count` one-byte items
 * (the smallest there is): what a peer sends to make a decoder allocate per item.
 */
const itemFlood = fc.tuple(fc.integer({ min: 1, max: 65_535 }), fc.integer({ min: 1, max: 10 })).map(([count, type]) => {
  const body = encodeEnvelopeBody({ height: 1, sender: 0, items: [{ type: 'stateRequest' }] });
  const out = new Uint8Array(body.length - 1 + count + SIGNATURE_BYTES);
  out.set(body.subarray(0, body.length - 1));
  new DataView(out.buffer).setUint16(11, count);
  out.fill(type, body.length - 1, body.length - 1 + count);
  return out;
});

/** Limits as a core may configure them: the defaults, or small ones so every oversize path is reached. */
const limits: fc.Arbitrary<DecodeLimits> = fc.oneof(
  fc.constant(DEFAULT_LIMITS as DecodeLimits),
  fc.record({ maxMessageBytes: fc.integer({ min: 0, max: 4_096 }), maxBatchBytes: fc.integer({ min: 0, max: 1_024 }), maxBatchTransactions: fc.integer({ min: 0, max: 8 }) }),
);

export const CONSENSUS_TARGETS: readonly FuzzTarget[] = [
  {
    name: 'consensus/envelope',
    property: (tick) =>
      fc.property(inputsAround(signed, [itemFlood]), limits, (bytes, decodeLimits) => {
        tick();
        const outcome = typedOutcome(() => decodeSignedMessage(bytes, decodeLimits), (e) => e instanceof MessageDecodeError, 'decodeSignedMessage');
        if (!outcome.ok) return true;
        const decoded = outcome.value;
        assert.ok(bytes.length <= decodeLimits.maxMessageBytes);
        for (const it of decoded.items) {
          if (it.type !== 'propose' && it.type !== 'batch') continue;
          assert.ok(it.batch.transactions.length <= decodeLimits.maxBatchTransactions);
          assert.ok(it.batch.transactions.reduce((sum, tx) => sum + tx.length, 0) <= decodeLimits.maxBatchBytes);
        }
        assertBoundedOutput({ height: decoded.height, sender: decoded.sender, items: decoded.items }, bytes.length, 'envelope');
        // Canonical: the module's encoder writes back exactly the body that was read.
        const body = typedOutcome(() => encodeEnvelopeBody(decoded), () => false, 'encodeEnvelopeBody of a decoded envelope');
        assert.ok(body.ok);
        assert.deepEqual(body.value, bytes.subarray(0, bytes.length - decoded.signature.length));
        return true;
      }),
  },
];
