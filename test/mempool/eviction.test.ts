// A full pool evicts its lowest-priority tail (queued before pending, then cheapest) or refuses.
import test from 'node:test';
import assert from 'node:assert/strict';
import { MempoolError, MempoolErrorCode as Code } from '../../src/mempool/index.js';
import { GWEI, fund, makePool, signTx, testKey } from './helpers.js';

const [a, b, c, d] = [testKey(10), testKey(11), testKey(12), testKey(13)];

test('a full pool evicts a queued (far-future) transaction before any pending one', async () => {
  const { pool, state } = makePool({ maxPoolTransactions: 3 });
  for (const key of [a, b, c]) fund(state, key);
  const pendingCheap = await pool.add(signTx(a, { nonce: 0n, maxFeePerGas: 2n * GWEI }), 'local');
  const queuedRich = await pool.add(signTx(b, { nonce: 5n, maxFeePerGas: 50n * GWEI }), 'local');
  await pool.add(signTx(a, { nonce: 1n, maxFeePerGas: 3n * GWEI }), 'local');
  const incoming = await pool.add(signTx(c, { nonce: 0n, maxFeePerGas: 2n * GWEI }), 'local');
  assert.equal(pool.has(queuedRich.hash), false);
  assert.ok(pool.has(pendingCheap.hash));
  assert.ok(pool.has(incoming.hash));
  assert.equal(pool.size(), 3);
  assert.equal(pool.stats().evicted, 1);
});

test('among pending tails the lowest fee goes, and only a sender tail, never opening a gap', async () => {
  const { pool, state } = makePool({ maxPoolTransactions: 3 });
  for (const key of [a, b, c]) fund(state, key);
  // a: nonce 0 at 1 gwei, nonce 1 at 9 gwei. Its tail (nonce 1) is what can go, at 9 gwei.
  const a0 = await pool.add(signTx(a, { nonce: 0n, maxFeePerGas: 1n * GWEI, maxPriorityFeePerGas: 1n * GWEI }), 'local');
  await pool.add(signTx(a, { nonce: 1n, maxFeePerGas: 9n * GWEI }), 'local');
  const b0 = await pool.add(signTx(b, { nonce: 0n, maxFeePerGas: 4n * GWEI }), 'local');
  await pool.add(signTx(c, { nonce: 0n, maxFeePerGas: 5n * GWEI }), 'local');
  assert.equal(pool.has(b0.hash), false, 'the cheapest tail (b at 4 gwei) is evicted');
  assert.ok(pool.has(a0.hash), 'a nonce-0 is cheaper but not a tail: evicting it would strand nonce 1');
});

test('when nothing ranks below the newcomer the pool refuses it: txpool is full', async () => {
  const { pool, state } = makePool({ maxPoolTransactions: 2 });
  for (const key of [a, b, c]) fund(state, key);
  await pool.add(signTx(a, { maxFeePerGas: 5n * GWEI }), 'local');
  await pool.add(signTx(b, { maxFeePerGas: 5n * GWEI }), 'local');
  await assert.rejects(pool.add(signTx(c, { maxFeePerGas: 5n * GWEI }), 'local'), (error: unknown) => {
    assert.ok(error instanceof MempoolError);
    assert.equal(error.code, Code.PoolFull);
    assert.match(error.message, /^txpool is full: 2 transactions, \d+ bytes; raise the fee to displace others$/);
    return true;
  });
  // A queued newcomer never displaces a pending transaction, whatever it pays.
  await assert.rejects(pool.add(signTx(c, { nonce: 3n, maxFeePerGas: 90n * GWEI }), 'local'), /txpool is full/);
  await pool.add(signTx(c, { maxFeePerGas: 6n * GWEI }), 'local');
  assert.equal(pool.size(), 2);
});

test('a sender never evicts its own transactions to make room', async () => {
  const { pool, state } = makePool({ maxPoolTransactions: 2 });
  fund(state, a);
  await pool.add(signTx(a, { nonce: 0n, maxFeePerGas: 2n * GWEI }), 'local');
  await pool.add(signTx(a, { nonce: 1n, maxFeePerGas: 2n * GWEI }), 'local');
  await assert.rejects(pool.add(signTx(a, { nonce: 2n, maxFeePerGas: 90n * GWEI }), 'local'), /txpool is full/);
});

test('the byte budget evicts too, as many tails as the newcomer needs', async () => {
  const probe = signTx(a, { data: new Uint8Array(600).fill(0), gasLimit: 100_000n });
  const { pool, state } = makePool({ maxPoolBytes: probe.length * 3, maxTxBytes: probe.length * 3 });
  for (const key of [a, b, c, d]) fund(state, key);
  for (const key of [a, b, c]) await pool.add(signTx(key, { data: new Uint8Array(600).fill(0), gasLimit: 100_000n, maxFeePerGas: 2n * GWEI }), 'peer');
  const big = signTx(d, { data: new Uint8Array(1300).fill(0), gasLimit: 200_000n, maxFeePerGas: 3n * GWEI });
  await pool.add(big, 'local');
  assert.equal(pool.stats().evicted, 2);
  assert.ok(pool.stats().bytes <= probe.length * 3);
});

test('peers are evicted before locals at equal fees, and later arrivals before earlier', async () => {
  const { pool, state } = makePool({ maxPoolTransactions: 3 });
  for (const key of [a, b, c, d]) fund(state, key);
  const local = await pool.add(signTx(a, { maxFeePerGas: 2n * GWEI }), 'local');
  const earlyPeer = await pool.add(signTx(b, { maxFeePerGas: 2n * GWEI }), 'peer');
  const latePeer = await pool.add(signTx(c, { maxFeePerGas: 2n * GWEI }), 'peer');
  await pool.add(signTx(d, { maxFeePerGas: 3n * GWEI }), 'peer');
  assert.equal(pool.has(latePeer.hash), false);
  assert.ok(pool.has(earlyPeer.hash) && pool.has(local.hash));
});
