// Every node channel decoder (src/node/wire.ts) under random, truncated, mutated and oversized
// input, and the cases the fuzzing found.
import test from 'node:test';
import assert from 'node:assert/strict';
import { WireError, decodeCertificateShare, decodeStatus, decodeSyncRequest, decodeSyncResponse, decodeTransactions, MAX_GOSSIP_TRANSACTIONS_PER_FRAME } from '../../src/node/wire.js';
import { nestedRlpLists, rlpItemFlood } from './harness.js';
import { testTargets } from './register.js';
import { NODE_WIRE_TARGETS } from './targets/node-wire.js';

testTargets(NODE_WIRE_TARGETS);

const DECODERS = { decodeCertificateShare, decodeStatus, decodeSyncRequest, decodeSyncResponse, decodeTransactions };

// Found by fuzzing: @ethereumjs/rlp copies each list's contents at every nesting level, so
// these frames held the event loop for seconds (100,000 nested lists, 378 KB: 6.8 s; a
// gossip frame of 16 M one-byte items: 52 s and 3.7 GB) before any decoder looked at them.
test('deeply nested lists are refused before they are decoded, on every channel', () => {
  const frame = nestedRlpLists(100_000);
  for (const [name, decode] of Object.entries(DECODERS)) {
    assert.throws(() => decode(frame), (e: unknown) => e instanceof WireError && /RLP lists nested more than 8 deep/.test(e.message), name);
  }
});

test('a frame of more items than its channel holds is refused before it is decoded', () => {
  const flood = rlpItemFlood(1_000_000);
  assert.throws(() => decodeTransactions(flood), new WireError(`transactions: more than ${1 + MAX_GOSSIP_TRANSACTIONS_PER_FRAME} RLP items`));
  assert.throws(() => decodeSyncResponse(flood), /^WireError: sync response: more than 524288 RLP items$/);
  assert.throws(() => decodeCertificateShare(rlpItemFlood(65)), /certificate share: more than 64 RLP items/);
  // At the bound the frame is decoded.
  assert.equal(decodeTransactions(rlpItemFlood(MAX_GOSSIP_TRANSACTIONS_PER_FRAME)).length, MAX_GOSSIP_TRANSACTIONS_PER_FRAME);
});
