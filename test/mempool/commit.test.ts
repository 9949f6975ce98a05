// A committed block removes what it included and revalidates the senders it touched.
import test from 'node:test';
import assert from 'node:assert/strict';
import { Mempool, MempoolError, MempoolErrorCode as Code, MAX_ADDED_LISTENERS } from '../../src/mempool/index.js';
import type { AccountState, MempoolState } from '../../src/mempool/index.js';
import type { Hex } from '../../src/chain/types.js';
import { BASE_FEE, BLOCK_GAS_LIMIT, CHAIN_ID, ETHER, GWEI, MemoryState, fund, makePool, signTx, testKey } from './helpers.js';

const key = testKey(20);
const other = testKey(21);

test('included transactions leave; the rest of the sender stays pending; pendingNonce follows', async () => {
  const { pool, state } = makePool();
  fund(state, key);
  const added = [];
  for (let nonce = 0n; nonce < 4n; nonce++) added.push(await pool.add(signTx(key, { nonce }), 'local'));
  state.set(key.address, 2n, 999n * ETHER);
  await pool.onBlockCommitted(added.slice(0, 2), 7);
  assert.equal(pool.has(added[0]!.hash), false);
  assert.equal(pool.has(added[1]!.hash), false);
  assert.ok(pool.has(added[2]!.hash) && pool.has(added[3]!.hash));
  assert.equal(await pool.pendingNonce(key.address), 4n);
  assert.equal(pool.stats().pending, 2);
  assert.equal(pool.stats().included, 2);
  assert.equal(pool.stats().committedHeight, 7);
});

test('a block that used a nonce through another transaction drops the pool copy of that nonce', async () => {
  const { pool, state } = makePool();
  fund(state, key);
  const ours = await pool.add(signTx(key, { nonce: 0n, maxFeePerGas: 2n * GWEI }), 'local');
  const theirs = signTx(key, { nonce: 0n, maxFeePerGas: 5n * GWEI, maxPriorityFeePerGas: 2n * GWEI });
  state.set(key.address, 1n, 999n * ETHER);
  await pool.onBlockCommitted([{ hash: `0x${'00'.repeat(32)}`, sender: key.address, nonce: 0n }], 1);
  assert.equal(pool.has(ours.hash), false);
  assert.equal(pool.size(), 0);
  await assert.rejects(pool.add(theirs, 'peer'), /nonce too low: next nonce 1, tx nonce 0/);
});

test('the sender removal is immediate, before the state is re-read', async () => {
  const { pool, state } = makePool();
  fund(state, key);
  const tx0 = await pool.add(signTx(key, { nonce: 0n }), 'local');
  const tx1 = signTx(key, { nonce: 1n });
  await pool.add(tx1, 'local');
  const done = pool.onBlockCommitted([tx0], 1);
  // Synchronously after the call, a proposer must not see nonce 0 again.
  assert.equal(pool.has(tx0.hash), false);
  assert.deepEqual(pool.takeBatch({ member: pool.ownerOfSender(key.address), committeeSize: 4, height: 2, maxTransactions: 9, maxBytes: 1 << 20, maxGas: 1_000_000n }), [tx1]);
  state.set(key.address, 1n, 999n * ETHER);
  await done;
});

test('revalidation drops what the sender can no longer pay; later nonces become queued', async () => {
  const { pool, state } = makePool();
  fund(state, key, 20n * ETHER);
  fund(state, other);
  const ours0 = await pool.add(signTx(key, { nonce: 0n, value: 1n }), 'local');
  const dear = await pool.add(signTx(key, { nonce: 1n, value: 10n * ETHER }), 'local');
  const after = await pool.add(signTx(key, { nonce: 2n, value: 1n }), 'local');
  const bystander = await pool.add(signTx(other, { nonce: 0n }), 'local');
  // A block touching only `other` leaves `key` alone.
  state.set(other.address, 1n, 999n * ETHER);
  await pool.onBlockCommitted([bystander], 3);
  assert.ok(pool.has(dear.hash) && pool.has(ours0.hash));
  // key's nonce 0 was used by a transaction submitted elsewhere that spent 19 ether.
  state.set(key.address, 1n, ETHER);
  await pool.onBlockCommitted([{ hash: `0x${'22'.repeat(32)}`, sender: key.address.toUpperCase().replace('0X', '0x') as Hex, nonce: 0n }], 4);
  assert.equal(pool.has(ours0.hash), false);
  assert.equal(pool.has(dear.hash), false);
  assert.ok(pool.has(after.hash));
  assert.equal(await pool.pendingNonce(key.address), 1n);
  assert.deepEqual(pool.stats().queued, 1);
  assert.equal(pool.stats().invalidated, 1);
  assert.equal(pool.stats().included, 2);
});

/** State whose reads wait until released, to interleave a block commit with an admission. */
class GatedState implements MempoolState {
  readonly inner = new MemoryState();
  private gates: (() => void)[] = [];
  gated = true;

  getAccount(address: Hex): Promise<AccountState> | AccountState {
    const snapshot = this.inner.getAccount(address);
    if (!this.gated) return snapshot;
    return new Promise((resolve) => this.gates.push(() => resolve(snapshot)));
  }

  release(): void {
    this.gated = false;
    for (const open of this.gates.splice(0)) open();
  }
}

test('an admission that read state across a committed block reads again and sees the new nonce', async () => {
  const state = new GatedState();
  fund(state.inner, key);
  const pool = new Mempool({ chainId: CHAIN_ID, state, blockGasLimit: BLOCK_GAS_LIMIT, baseFeePerGas: () => BASE_FEE, committeeSize: () => 4 });
  const admission = pool.add(signTx(key, { nonce: 0n }), 'peer');
  await new Promise((resolve) => setImmediate(resolve));
  state.inner.set(key.address, 1n, 999n * ETHER);
  const commit = pool.onBlockCommitted([{ hash: `0x${'33'.repeat(32)}`, sender: key.address, nonce: 0n }], 1);
  state.release();
  await commit;
  await assert.rejects(admission, (error: unknown) => error instanceof MempoolError && error.code === Code.NonceTooLow);
  assert.equal(pool.size(), 0);
});

test('onAdded listeners hear every admission until they unsubscribe; their count is bounded', async () => {
  const { pool, state } = makePool();
  fund(state, key);
  const heard: Hex[] = [];
  const unsubscribe = pool.onAdded((hash, tx) => {
    assert.equal(tx.hash, hash);
    heard.push(hash);
  });
  const first = await pool.add(signTx(key, { nonce: 0n }), 'local');
  unsubscribe();
  await pool.add(signTx(key, { nonce: 1n }), 'local');
  assert.deepEqual(heard, [first.hash]);
  for (let i = 0; i < MAX_ADDED_LISTENERS; i++) pool.onAdded(() => undefined);
  assert.throws(() => pool.onAdded(() => undefined), /at most 16 listeners/);
});

test('queued transactions expire after queuedLifetimeMs; pending ones never do', async () => {
  const clock = { ms: 0 };
  const { pool, state } = makePool({ queuedLifetimeMs: 1_000 }, { now: () => clock.ms });
  fund(state, key);
  const pending = await pool.add(signTx(key, { nonce: 0n }), 'local');
  const queued = await pool.add(signTx(key, { nonce: 5n }), 'local');
  clock.ms = 1_000;
  await pool.onBlockCommitted([], 1);
  assert.ok(pool.has(queued.hash), 'not older than the lifetime yet');
  clock.ms = 1_001;
  await pool.onBlockCommitted([], 2);
  assert.equal(pool.has(queued.hash), false);
  assert.ok(pool.has(pending.hash));
  assert.equal(pool.stats().expired, 1);
});

test('a throwing onAdded listener does not undo the admission; its error is reported', async () => {
  const errors: unknown[] = [];
  const { pool, state } = makePool({}, { onListenerError: (error) => errors.push(error) });
  fund(state, key);
  pool.onAdded(() => {
    throw new Error('listener bug');
  });
  const added = await pool.add(signTx(key), 'local');
  assert.ok(pool.has(added.hash));
  assert.match(String(errors[0]), /listener bug/);
});
