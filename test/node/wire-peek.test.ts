// peekConsensusHeight reads an envelope's u64 height without decoding it (the pacer's hint).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { peekConsensusHeight } from '../../src/node/wire.js';

function frame(height: bigint): Uint8Array {
  const bytes = new Uint8Array(13);
  new DataView(bytes.buffer).setBigUint64(1, height);
  return bytes;
}

test('the height of an envelope is read up to 2^53 - 1, and nothing above it or from a short frame', () => {
  for (const h of [0n, 1n, 255n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 32n + 7n, BigInt(Number.MAX_SAFE_INTEGER)]) assert.equal(peekConsensusHeight(frame(h)), Number(h));
  assert.equal(peekConsensusHeight(frame(BigInt(Number.MAX_SAFE_INTEGER) + 1n)), undefined);
  assert.equal(peekConsensusHeight(frame(2n ** 64n - 1n)), undefined);
  assert.equal(peekConsensusHeight(new Uint8Array(8)), undefined);
  const offset = new Uint8Array(20);
  offset.set(frame(12345n), 4);
  assert.equal(peekConsensusHeight(offset.subarray(4)), 12345);
});
