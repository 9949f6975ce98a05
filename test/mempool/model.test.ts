// Random sequences of admissions and committed blocks against a small pool, checking after
// every step what must always hold: bounds, gap-free pending runs, pendingNonce, and that the
// members' batches together carry exactly the pending set, each sender in nonce order.
import test from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MempoolError } from '../../src/mempool/index.js';
import type { Mempool, RemovalReason } from '../../src/mempool/index.js';
import type { Hex } from '../../src/chain/types.js';
import { ETHER, GWEI, fund, makePool, signTx, testKey } from './helpers.js';
import type { MemoryState } from './helpers.js';

const SENDERS = [testKey(60), testKey(61), testKey(62), testKey(63)];
const NONCES = 6;
const FEES = [2n * GWEI, 3n * GWEI];
const LIMITS = { maxPoolTransactions: 8, maxPerSender: 4, nonceWindow: 5 };
const COMMITTEE = 4;

interface Signed {
  readonly raw: Uint8Array;
  readonly sender: Hex;
  readonly nonce: bigint;
}

// Signed once: 4 senders x 6 nonces x 2 fee levels (the higher one replaces the lower). Values
// of 0 to 2 ether against 10 ether balances make funds checks and revalidation bite.
const SIGNED: Signed[] = SENDERS.flatMap((key) =>
  Array.from({ length: NONCES }, (_, n) =>
    FEES.map((fee) => ({
      raw: signTx(key, { nonce: BigInt(n), maxFeePerGas: fee, maxPriorityFeePerGas: fee / 2n, value: BigInt(n % 3) * ETHER }),
      sender: key.address,
      nonce: BigInt(n),
    })),
  ).flat(),
);

type Op = { kind: 'add'; index: number; local: boolean } | { kind: 'commit'; sender: number; advance: number };

const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('add' as const), index: fc.nat(SIGNED.length - 1), local: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('commit' as const), sender: fc.nat(SENDERS.length - 1), advance: fc.integer({ min: 0, max: 3 }) }) },
);

async function apply(pool: Mempool, state: MemoryState, op: Op, height: number): Promise<void> {
  if (op.kind === 'add') {
    const signed = SIGNED[op.index]!;
    try {
      await pool.add(signed.raw, op.local ? 'local' : 'peer');
    } catch (error) {
      assert.ok(error instanceof MempoolError, `unexpected ${String(error)}`);
    }
    return;
  }
  const sender = SENDERS[op.sender]!.address;
  const account = state.getAccount(sender);
  const nonce = account.nonce + BigInt(op.advance);
  const spent = BigInt(op.advance) * 3n * ETHER;
  state.set(sender, nonce, account.balance > spent ? account.balance - spent : 0n);
  // The block used nonces [old, new): the pool's copy where it has one, else a transaction
  // submitted elsewhere (its hash unknown here).
  const included = [];
  for (let used = account.nonce; used < nonce; used++) {
    const ours = pool.senderTransactions(sender).find((tx) => tx.nonce === used);
    included.push({ hash: ours?.hash ?? (`0x${used.toString(16).padStart(64, '0')}` as Hex), sender, nonce: used });
  }
  await pool.onBlockCommitted(included, height);
}

async function checkInvariants(pool: Mempool, state: MemoryState, height: number): Promise<void> {
  const pendingSet = new Set<Hex>();
  let total = 0;
  for (const key of SENDERS) {
    const txs = pool.senderTransactions(key.address);
    total += txs.length;
    assert.ok(txs.length <= LIMITS.maxPerSender);
    const { nonce: accountNonce, balance } = state.getAccount(key.address);
    let next = accountNonce;
    for (const tx of txs) {
      assert.ok(tx.nonce >= accountNonce, 'no stale nonce survives a commit');
      assert.ok(tx.cost <= balance, 'no transaction its sender cannot pay survives a commit');
      assert.ok(tx.nonce < accountNonce + BigInt(LIMITS.nonceWindow) + 3n);
      if (tx.nonce === next) {
        pendingSet.add(tx.hash);
        next++;
      }
    }
    assert.equal(await pool.pendingNonce(key.address), next);
  }
  assert.equal(pool.size(), total);
  assert.ok(pool.size() <= LIMITS.maxPoolTransactions);
  assert.deepEqual(new Set(pool.pendingTransactions().map((tx) => tx.hash)), pendingSet);
  const stats = pool.stats();
  assert.equal(stats.pending, pendingSet.size);
  assert.equal(stats.pending + stats.queued, stats.transactions);

  const taken = new Set<Hex>();
  for (let member = 0; member < COMMITTEE; member++) {
    const batch = pool.takeBatch({ member, committeeSize: COMMITTEE, height, maxTransactions: 100, maxBytes: 1 << 20, maxGas: 10_000_000n });
    const lastNonce = new Map<Hex, bigint>();
    for (const raw of batch) {
      const tx = pool.get(hashOf(pool, raw))!;
      const before = lastNonce.get(tx.sender);
      assert.ok(before === undefined || tx.nonce === before + 1n, 'a sender appears in nonce order, gap-free');
      lastNonce.set(tx.sender, tx.nonce);
      taken.add(tx.hash);
    }
  }
  assert.deepEqual(taken, pendingSet, 'the batches together carry exactly the pending set');
}

function hashOf(pool: Mempool, raw: Uint8Array): Hex {
  const match = pool.pendingTransactions().find((tx) => Buffer.compare(tx.raw, raw) === 0);
  assert.ok(match, 'a batch only carries pending transactions');
  return match.hash;
}

/**
 * Follows the pool through its listeners only: what was added and not since removed must be
 * exactly what it holds, so whoever keeps a copy (the node's durable store) stays in step.
 */
function followListeners(pool: Mempool) {
  const live = new Set<Hex>();
  const byReason: Record<RemovalReason, number> = { included: 0, replaced: 0, evicted: 0, invalidated: 0, expired: 0 };
  pool.onAdded((hash) => live.add(hash));
  pool.onRemoved((removed, reason) => {
    for (const tx of removed) {
      assert.ok(live.delete(tx.hash), `${reason}: ${tx.hash} reported removed but not held`);
      assert.ok(!pool.has(tx.hash), `${reason}: ${tx.hash} reported removed but still in the pool`);
    }
    byReason[reason] += removed.length;
  });
  return {
    check() {
      assert.equal(live.size, pool.size());
      for (const hash of live) assert.ok(pool.has(hash));
      const stats = pool.stats();
      for (const reason of Object.keys(byReason) as RemovalReason[]) assert.equal(byReason[reason], stats[reason], reason);
    },
  };
}

test('random admissions and commits keep every pool invariant', async () => {
  let evicted = 0;
  let invalidated = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(opArbitrary, { minLength: 10, maxLength: 60 }), async (ops) => {
      const { pool, state } = makePool(LIMITS);
      const followed = followListeners(pool);
      for (const key of SENDERS) fund(state, key, 10n * ETHER);
      let height = 1;
      for (const op of ops) {
        await apply(pool, state, op, height);
        await checkInvariants(pool, state, height);
        followed.check();
        height++;
      }
      evicted += pool.stats().evicted;
      invalidated += pool.stats().invalidated;
    }),
    { numRuns: 150, seed: 4 },
  );
  // The runs must reach the paths under test, or the property proves little.
  assert.ok(evicted > 20 && invalidated > 20, `evicted ${evicted}, invalidated ${invalidated}`);
});
