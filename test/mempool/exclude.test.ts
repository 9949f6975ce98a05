// takeBatch's `exclude`: transactions already in a delivered, unexecuted block are passed over
// without using the batch's room, and their senders' next nonces follow them in order.
import test from 'node:test';
import assert from 'node:assert/strict';
import { ownerOf } from '../../src/mempool/index.js';
import type { Hex } from '../../src/chain/types.js';
import { fund, makePool, signTx, testKey } from './helpers.js';

const COMMITTEE = 4;
const MEMBER = 0;

function ownedKey(from: number) {
  for (let i = from; ; i++) if (ownerOf(testKey(i).address, COMMITTEE) === MEMBER) return testKey(i);
}

test('excluded transactions are passed over, use no room, and the sender continues after them', async () => {
  const { pool, state } = makePool();
  const key = ownedKey(10);
  fund(state, key);
  const raws = [0n, 1n, 2n, 3n].map((nonce) => signTx(key, { nonce }));
  const hashes: Hex[] = [];
  for (const raw of raws) hashes.push((await pool.add(raw, 'peer')).hash);
  const inFlight = new Set(hashes.slice(0, 2));
  const options = { member: MEMBER, committeeSize: COMMITTEE, height: 1, maxBytes: 1 << 20, maxGas: 30_000_000n };
  // Room for two: without exclusion, nonces 0 and 1 (in flight) would fill it.
  const batch = pool.takeBatch({ ...options, maxTransactions: 2, exclude: (hash) => inFlight.has(hash) });
  assert.deepEqual(batch.map((raw) => Buffer.from(raw).toString('hex')), raws.slice(2).map((raw) => Buffer.from(raw).toString('hex')));
  const gasBound = pool.takeBatch({ ...options, maxTransactions: 10, maxGas: 21_000n, exclude: (hash) => inFlight.has(hash) });
  assert.equal(gasBound.length, 1, 'excluded transactions use none of the gas');
  assert.equal(pool.takeBatch({ ...options, maxTransactions: 2 }).length, 2, 'without exclusion the first two are taken');
  assert.equal(pool.size(), 4, 'taking removes nothing');
});
