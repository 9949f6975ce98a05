// Pending versus queued: only a gap-free run of nonces from the account nonce is proposable.
import test from 'node:test';
import assert from 'node:assert/strict';
import { GWEI, fund, makePool, signTx, testKey } from './helpers.js';
import type { Mempool } from '../../src/mempool/index.js';

const key = testKey(2);

function batchOf(pool: Mempool, height = 1): Uint8Array[] {
  const member = pool.ownerOfSender(key.address);
  return pool.takeBatch({ member, committeeSize: 4, height, maxTransactions: 100, maxBytes: 1 << 20, maxGas: 30_000_000n });
}

test('a nonce gap keeps later transactions queued until it fills', async () => {
  const { pool, state } = makePool();
  fund(state, key, 10n ** 21n, 3n);
  const tx3 = signTx(key, { nonce: 3n });
  const tx5 = signTx(key, { nonce: 5n });
  const tx6 = signTx(key, { nonce: 6n });
  const tx4 = signTx(key, { nonce: 4n });
  await pool.add(tx5, 'local');
  await pool.add(tx6, 'local');
  assert.deepEqual(pool.stats().pending, 0);
  assert.equal(pool.stats().queued, 2);
  assert.equal(await pool.pendingNonce(key.address), 3n);
  assert.deepEqual(batchOf(pool), []);

  await pool.add(tx3, 'local');
  assert.equal(await pool.pendingNonce(key.address), 4n);
  assert.deepEqual(batchOf(pool), [tx3]);

  await pool.add(tx4, 'local');
  assert.equal(await pool.pendingNonce(key.address), 7n);
  assert.deepEqual(batchOf(pool), [tx3, tx4, tx5, tx6]);
  assert.equal(pool.stats().pending, 4);
  assert.equal(pool.pendingTransactions().map((tx) => tx.nonce).join(','), '3,4,5,6');
});

test('a batch carries a sender in nonce order whatever the arrival order', async () => {
  const { pool, state } = makePool();
  fund(state, key);
  const raws = [0n, 1n, 2n, 3n, 4n, 5n].map((nonce) => signTx(key, { nonce }));
  for (const index of [5, 3, 1, 0, 4, 2]) await pool.add(raws[index]!, 'peer');
  assert.deepEqual(batchOf(pool), raws);
});

test('pendingNonce of an unknown sender is its account nonce', async () => {
  const { pool, state } = makePool();
  fund(state, key, GWEI, 9n);
  assert.equal(await pool.pendingNonce(key.address), 9n);
  assert.equal(await pool.pendingNonce(testKey(99).address), 0n);
});

test('senderTransactions lists a sender in nonce order, pending then queued', async () => {
  const { pool, state } = makePool();
  fund(state, key);
  for (const nonce of [4n, 0n, 2n, 1n]) await pool.add(signTx(key, { nonce }), 'local');
  assert.deepEqual(pool.senderTransactions(key.address).map((tx) => tx.nonce), [0n, 1n, 2n, 4n]);
  assert.deepEqual(pool.senderTransactions(key.address.toUpperCase().replace('0X', '0x') as `0x${string}`).length, 4);
});
