// The consensus envelope decoder (src/consensus/messages.ts) under random, truncated, mutated and
// oversized input, and the cases the fuzzing found.
import test from 'node:test';
import assert from 'node:assert/strict';
import { MAX_ITEMS_PER_MESSAGE } from '../../src/consensus/limits.js';
import { DEFAULT_LIMITS } from '../../src/consensus/limits.js';
import { MessageDecodeError, SIGNATURE_BYTES, decodeSignedMessage, encodeEnvelopeBody } from '../../src/consensus/messages.js';
import { testTargets } from './register.js';
import { CONSENSUS_TARGETS } from './targets/consensus-envelope.js';

testTargets(CONSENSUS_TARGETS);

/** A well-formed envelope of `count` stateRequest items (one byte each). */
function stateRequests(count: number): Uint8Array {
  const body = encodeEnvelopeBody({ height: 1, sender: 0, items: [{ type: 'stateRequest' }] });
  const out = new Uint8Array(body.length - 1 + count + SIGNATURE_BYTES);
  out.set(body.subarray(0, body.length - 1));
  new DataView(out.buffer).setUint16(11, count);
  out.fill(10, body.length - 1, body.length - 1 + count);
  return out;
}

// Found by fuzzing: the decoder took up to 65,535 items where the encoder (and so every honest
// member) stops at MAX_ITEMS_PER_MESSAGE; a decoded envelope could not even be encoded again.
test('an envelope of more items than a member may send is refused as oversize', () => {
  assert.equal(decodeSignedMessage(stateRequests(MAX_ITEMS_PER_MESSAGE), DEFAULT_LIMITS).items.length, MAX_ITEMS_PER_MESSAGE);
  assert.throws(() => decodeSignedMessage(stateRequests(MAX_ITEMS_PER_MESSAGE + 1), DEFAULT_LIMITS), (e: unknown) => {
    assert.ok(e instanceof MessageDecodeError);
    assert.equal(e.reason, 'oversize');
    assert.equal(e.message, `message carries ${MAX_ITEMS_PER_MESSAGE + 1} items, limit ${MAX_ITEMS_PER_MESSAGE}`);
    return true;
  });
});
