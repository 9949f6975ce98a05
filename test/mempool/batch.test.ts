// takeBatch: the member's own senders, fair by fee, within limits; takeover after the bound;
// nothing removed until a block commits.
import test from 'node:test';
import assert from 'node:assert/strict';
import { ownerOf } from '../../src/mempool/index.js';
import type { Mempool, TakeBatchOptions } from '../../src/mempool/index.js';
import { TAKEOVER_AFTER_HEIGHTS as TAKEOVER } from '../../src/mempool/index.js';
import { GWEI, fund, makePool, signTx, testKey } from './helpers.js';
import type { TestKey } from './helpers.js';

const COMMITTEE = 4;

function take(pool: Mempool, member: number, height: number, limits: Partial<TakeBatchOptions> = {}): Uint8Array[] {
  return pool.takeBatch({ member, committeeSize: COMMITTEE, height, maxTransactions: 1_000, maxBytes: 1 << 20, maxGas: 30_000_000n, ...limits });
}

/** The first `count` test keys that `member` owns. */
function keysOwnedBy(member: number, count: number, from = 100): TestKey[] {
  const keys: TestKey[] = [];
  for (let i = from; keys.length < count; i++) if (ownerOf(testKey(i).address, COMMITTEE) === member) keys.push(testKey(i));
  return keys;
}

test('each member takes exactly the senders it owns; together they take everything once', async () => {
  const { pool, state } = makePool();
  const all: Uint8Array[] = [];
  for (let i = 0; i < 40; i++) {
    fund(state, testKey(i));
    const raw = signTx(testKey(i));
    all.push(raw);
    await pool.add(raw, 'peer');
  }
  const batches = [0, 1, 2, 3].map((member) => take(pool, member, 1));
  for (const [member, batch] of batches.entries()) {
    assert.ok(batch.length > 0, `member ${member} owns someone among 40 senders`);
  }
  const union = batches.flat().map((raw) => Buffer.from(raw).toString('hex')).sort();
  assert.deepEqual(union, all.map((raw) => Buffer.from(raw).toString('hex')).sort());
  assert.equal(pool.size(), 40, 'taking removes nothing');
});

test('across senders the best effective tip goes first; within a sender, nonce order', async () => {
  const { pool, state } = makePool();
  const [low, high] = keysOwnedBy(0, 2);
  fund(state, low!);
  fund(state, high!);
  const low0 = signTx(low!, { nonce: 0n, maxFeePerGas: 10n * GWEI, maxPriorityFeePerGas: 1n * GWEI });
  const high0 = signTx(high!, { nonce: 0n, maxFeePerGas: 10n * GWEI, maxPriorityFeePerGas: 3n * GWEI });
  const high1 = signTx(high!, { nonce: 1n, maxFeePerGas: 10n * GWEI, maxPriorityFeePerGas: 1n * GWEI / 2n });
  for (const raw of [low0, high1, high0]) await pool.add(raw, 'peer');
  assert.deepEqual(take(pool, 0, 1), [high0, low0, high1]);
});

test('limits: count, bytes and gas; a sender that does not fit stops, others continue', async () => {
  const { pool, state } = makePool();
  const [big, small] = keysOwnedBy(1, 2);
  fund(state, big!);
  fund(state, small!);
  const big0 = signTx(big!, { nonce: 0n, gasLimit: 500_000n, maxPriorityFeePerGas: 2n * GWEI });
  const big1 = signTx(big!, { nonce: 1n, gasLimit: 30_000n, data: new Uint8Array(100).fill(1), maxPriorityFeePerGas: 2n * GWEI });
  const small0 = signTx(small!, { nonce: 0n });
  const small1 = signTx(small!, { nonce: 1n });
  for (const raw of [big0, big1, small0, small1]) await pool.add(raw, 'peer');
  assert.deepEqual(take(pool, 1, 1, { maxGas: 100_000n }), [small0, small1], 'big0 does not fit, so neither may big1');
  assert.deepEqual(take(pool, 1, 1, { maxTransactions: 2 }), [big0, big1]);
  assert.ok(big1.length > small0.length);
  assert.deepEqual(take(pool, 1, 1, { maxBytes: big0.length + small0.length }), [big0, small0], 'big1 does not fit the bytes left');
});

test('a sender whose fee cap fell below the base fee is not proposed until the base fee drops', async () => {
  const fixture = makePool();
  const [sender] = keysOwnedBy(2, 1);
  fund(fixture.state, sender!);
  const raw = signTx(sender!, { maxFeePerGas: 2n * GWEI });
  await fixture.pool.add(raw, 'peer');
  fixture.baseFee = 3n * GWEI;
  assert.deepEqual(take(fixture.pool, 2, 1), []);
  fixture.baseFee = 1n * GWEI;
  assert.deepEqual(take(fixture.pool, 2, 2), [raw]);
});

test(`takeover: a sender stalled ${TAKEOVER} heights is proposed by every member`, async () => {
  const { pool, state } = makePool();
  const [censored] = keysOwnedBy(3, 1);
  fund(state, censored!);
  const raw = signTx(censored!);
  await pool.add(raw, 'peer');
  for (let height = 10; height < 10 + TAKEOVER; height++) {
    assert.deepEqual(take(pool, 0, height), [], `height ${height}: still the owner's`);
  }
  assert.deepEqual(take(pool, 0, 10 + TAKEOVER), [raw]);
  assert.deepEqual(take(pool, 1, 10 + TAKEOVER), [raw]);
  // Progress (a block used nonce 0) resets the clock for the sender's next transaction.
  const next = signTx(censored!, { nonce: 1n });
  await pool.add(next, 'peer');
  state.set(censored!.address, 1n, 10n ** 21n);
  await pool.onBlockCommitted([{ hash: pool.pendingTransactions()[0]!.hash, sender: censored!.address, nonce: 0n }], 10 + TAKEOVER);
  assert.deepEqual(take(pool, 0, 11 + TAKEOVER), []);
  assert.deepEqual(take(pool, 3, 11 + TAKEOVER), [next]);
});

test('a transaction left out of the superblock stays pending and is proposed again', async () => {
  const { pool, state } = makePool();
  const [sender] = keysOwnedBy(0, 1);
  fund(state, sender!);
  const raw = signTx(sender!);
  await pool.add(raw, 'local');
  assert.deepEqual(take(pool, 0, 1), [raw]);
  await pool.onBlockCommitted([], 1);
  assert.deepEqual(take(pool, 0, 2), [raw]);
});

test('takeBatch refuses nonsense options', () => {
  const { pool } = makePool();
  assert.throws(() => take(pool, 4, 1), /member must be in \[0, 3\], got 4/);
  assert.throws(() => pool.takeBatch({ member: 0, committeeSize: 0, height: 1, maxTransactions: 1, maxBytes: 1, maxGas: 1n }), /committeeSize must be a positive integer/);
});
