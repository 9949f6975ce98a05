// The node's durable copy of its clients' transactions, driven by a real pool over a real lmdb
// store: "accepted" once on disk, whatever leaves the pool leaves the store, a restart restores
// exactly what the pool held (at most the store's bound), and a full store refuses visibly.
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Hex } from '../../src/chain/types.js';
import { MempoolError, MempoolErrorCode as Code, type Mempool } from '../../src/mempool/index.js';
import {
  admitDurably,
  openPendingTransactionStore,
  restorePendingTransactions,
  type PendingStoreLimits,
  type PendingTransactionStore,
} from '../../src/storage/pending-store.js';
import { ETHER, GWEI, MemoryState, fund, makePool, signTx, testKey } from './helpers.js';

const alice = testKey(70);
const bob = testKey(71);
const carol = testKey(72);

interface Node {
  readonly pool: Mempool;
  readonly state: MemoryState;
  readonly store: PendingTransactionStore;
  readonly gossiped: Uint8Array[];
  readonly submit: (raw: Uint8Array) => Promise<Hex>;
}

/** A pool and its store wired as the validator wires them (restore first, then clients). */
async function startNode(dir: string, state: MemoryState, options: { poolLimits?: object; storeLimits?: Partial<PendingStoreLimits>; now?: () => number } = {}) {
  const { pool } = makePool(options.poolLimits ?? {}, { state, ...(options.now ? { now: options.now } : {}) });
  const store = openPendingTransactionStore(dir, { limits: options.storeLimits });
  const gossiped: Uint8Array[] = [];
  const outcome = await restorePendingTransactions(store, pool, (error) => assert.fail(String(error)));
  gossiped.push(...outcome.restored);
  const node: Node = { pool, state, store, gossiped, submit: (raw) => admitDurably(store, pool, raw, (admitted) => gossiped.push(admitted)) };
  return { node, outcome };
}

async function withDir(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'synod-durable-'));
  try {
    await run(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Removals reach lmdb asynchronously; a put queued after them is committed after them. */
async function settled(store: PendingTransactionStore): Promise<void> {
  await store.remove([]);
  await new Promise((resolve) => setImmediate(resolve));
}

const storedHashes = (store: PendingTransactionStore) => [...store.entries()].map((e) => e.hash).sort();
const poolHashes = (pool: Mempool) => [alice, bob, carol].flatMap((k) => pool.senderTransactions(k.address)).map((tx) => tx.hash).sort();

test('whatever leaves the pool leaves the store; a restart restores exactly what the pool held', async () => {
  await withDir(async (dir) => {
    let now = 1_700_000_000_000;
    const state = new MemoryState();
    for (const key of [alice, bob, carol]) fund(state, key, 100n * ETHER);
    const { node } = await startNode(dir, state, { poolLimits: { maxPoolTransactions: 5, queuedLifetimeMs: 1_000 }, now: () => now });
    const { pool, store, submit } = node;

    const a0 = await submit(signTx(alice, { nonce: 0n }));
    const a1 = await submit(signTx(alice, { nonce: 1n }));
    const b0 = await submit(signTx(bob, { nonce: 0n, maxFeePerGas: 2n * GWEI }));
    const bQueued = await submit(signTx(bob, { nonce: 5n }));
    assert.equal(node.gossiped.length, 4);
    assert.deepEqual(storedHashes(store), [a0, a1, b0, bQueued].sort());

    // Replaced: the old one goes.
    const b0Again = await submit(signTx(bob, { nonce: 0n, maxFeePerGas: 3n * GWEI, maxPriorityFeePerGas: 2n * GWEI }));
    // Included: alice's nonce 0 is in a block.
    state.set(alice.address, 1n, 99n * ETHER);
    await pool.onBlockCommitted([{ hash: a0, sender: alice.address, nonce: 0n }], 1);
    // Expired: bob's queued nonce 5 waited past its lifetime.
    now += 2_000;
    await pool.onBlockCommitted([], 2);
    // Invalidated: alice can no longer pay for nonce 1.
    state.set(alice.address, 1n, 0n);
    await pool.onBlockCommitted([{ hash: `0x${'00'.repeat(32)}`, sender: alice.address, nonce: 0n }], 3);
    await settled(store);
    assert.deepEqual(storedHashes(store), [b0Again]);
    assert.deepEqual(poolHashes(pool), [b0Again]);

    // Evicted: the pool (5 at most) makes room for better-paying transactions.
    const cheap = await submit(signTx(carol, { nonce: 0n, maxFeePerGas: 2n * GWEI, maxPriorityFeePerGas: 1n }));
    for (let nonce = 1n; nonce < 4n; nonce++) await submit(signTx(carol, { nonce, maxFeePerGas: 2n * GWEI, maxPriorityFeePerGas: 1n }));
    fund(state, alice, 100n * ETHER, 1n);
    await submit(signTx(alice, { nonce: 1n, maxFeePerGas: 9n * GWEI, maxPriorityFeePerGas: 9n * GWEI }));
    assert.equal(pool.stats().evicted, 1);
    assert.ok(pool.has(cheap), 'the evicted tail is carol\'s last nonce, not her first');
    await settled(store);
    assert.deepEqual(storedHashes(store), poolHashes(pool));
    assert.equal(store.size(), 5);

    const held = poolHashes(pool);
    await store.close();
    const restarted = await startNode(dir, state, { poolLimits: { maxPoolTransactions: 5 } });
    assert.deepEqual(poolHashes(restarted.node.pool), held);
    assert.deepEqual(restarted.outcome.dropped, 0);
    assert.equal(restarted.node.gossiped.length, held.length);
    await restarted.node.store.close();
  });
});

test('a transaction included or evicted while it was written does not stay in the store', async () => {
  await withDir(async (dir) => {
    const state = new MemoryState();
    fund(state, alice);
    const { node } = await startNode(dir, state);
    const raw = signTx(alice, { nonce: 0n });
    // The block including it commits between admission and the end of the write.
    const hash = await admitDurably(node.store, node.pool, raw, () => {
      state.set(alice.address, 1n, 999n * ETHER);
      node.pool.onBlockCommitted([{ hash: `0x${'11'.repeat(32)}`, sender: alice.address, nonce: 0n }], 1).catch(assert.fail);
    });
    assert.equal(node.pool.has(hash), false);
    await settled(node.store);
    assert.deepEqual(storedHashes(node.store), []);
    await node.store.close();
  });
});

test('a restart drops what the pool refuses now and restores at most the store\'s bound', async () => {
  await withDir(async (dir) => {
    const state = new MemoryState();
    const keys = Array.from({ length: 6 }, (_, i) => testKey(80 + i));
    for (const key of keys) fund(state, key);
    const first = await startNode(dir, state);
    for (const key of keys) await first.node.submit(signTx(key));
    await first.node.store.close();

    // While the node was down a block used keys[0]'s nonce 0.
    state.set(keys[0]!.address, 1n, 999n * ETHER);
    const again = await startNode(dir, state, { storeLimits: { maxEntries: 4 } });
    assert.equal(again.outcome.trimmed, 2);
    assert.equal(again.outcome.restored.length + again.outcome.dropped, 4);
    assert.ok(again.node.pool.size() <= 4);
    await settled(again.node.store);
    assert.equal(again.node.store.size(), again.node.pool.size());
    await again.node.store.close();
  });
});

test('a full store refuses a client\'s transaction before the pool admits it', async () => {
  await withDir(async (dir) => {
    const state = new MemoryState();
    for (const key of [alice, bob, carol]) fund(state, key);
    const { node } = await startNode(dir, state, { storeLimits: { maxEntries: 2 } });
    await node.submit(signTx(alice));
    await node.submit(signTx(bob));
    const refused = signTx(carol);
    await assert.rejects(node.submit(refused), (error: unknown) => {
      assert.ok(error instanceof MempoolError);
      assert.equal(error.code, Code.PoolFull);
      assert.match(error.message, /^txpool is full: the node's durable copy of pending transactions holds 2 transactions of \d+ bytes, its bound is 2 transactions/);
      return true;
    });
    assert.equal(node.pool.size(), 2, 'not admitted');
    assert.equal(node.gossiped.length, 2, 'not gossiped');
    await node.store.close();
  });
});
