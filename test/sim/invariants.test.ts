import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { toHex } from '../../src/crypto/bytes.js';
import {
  checkAgreement,
  checkIntegrity,
  checkLiveness,
  checkValidity,
  dedupTransactions,
  type SuperblockBatchView,
  type SuperblockView,
  type ValidityContext,
} from '../../src/sim/invariants.js';

const tx = (n: number): Uint8Array => Uint8Array.of(0xaa, n);
const digest = (n: number): Uint8Array => new Uint8Array(32).fill(n);

function batch(proposer: number, txs: number[], timestampMs = 1000): SuperblockBatchView {
  return { proposer, digest: digest(proposer + 1), timestampMs, transactions: txs.map(tx) };
}

function block(height: number, batches: SuperblockBatchView[], timestampMs = 1000): SuperblockView {
  return { height, epoch: 0, batches, transactions: dedupTransactions(batches.flatMap((b) => b.transactions)), digest: digest(height * 7 + batches.length), timestampMs };
}

// Four members of equal weight: any three are a quorum.
const weights = [1n, 1n, 1n, 1n];
const context: ValidityContext = { weightsAt: () => weights, isHonest: (_h, p) => p !== 3 };

test('agreement: equal blocks pass; a different block at a height is caught', () => {
  const good = [block(1, [batch(0, [1]), batch(1, [2]), batch(2, [3])]), block(2, [batch(0, [4]), batch(1, [5]), batch(2, [6])])];
  assert.deepEqual(checkAgreement([{ member: 'a', superblocks: good }, { member: 'b', superblocks: good.slice(0, 1) }]), []);
  const other = [good[0] as SuperblockView, block(2, [batch(0, [4]), batch(1, [5]), batch(3, [6])])];
  const violations = checkAgreement([{ member: 'a', superblocks: good }, { member: 'b', superblocks: other }]);
  assert.equal(violations.length, 1);
  assert.equal(violations[0]?.invariant, 'agreement');
  assert.equal(violations[0]?.height, 2);
});

test('agreement: equal digests over different contents are caught too', () => {
  const a = block(1, [batch(0, [1]), batch(1, [2]), batch(2, [3])]);
  const b = { ...a, batches: [batch(0, [1]), batch(1, [2]), batch(2, [9])], transactions: [tx(1), tx(2), tx(9)] };
  assert.match(checkAgreement([{ member: 'a', superblocks: [a] }, { member: 'b', superblocks: [b] }])[0]?.message ?? '', /same digest/);
});

test('integrity: a transaction delivered at two heights is caught', () => {
  const blocks = [block(1, [batch(0, [1]), batch(1, [2]), batch(2, [3])]), block(2, [batch(0, [4]), batch(1, [1]), batch(2, [5])])];
  const v = checkIntegrity([{ member: 'a', superblocks: blocks }]);
  assert.equal(v.length, 1);
  assert.match(v[0]?.message ?? '', /delivered again at height 2/);
});

test('integrity: skipped heights, disordered batches and a wrong transaction list are caught', () => {
  const one = block(1, [batch(0, [1]), batch(1, [2]), batch(2, [3])]);
  const three = block(3, [batch(0, [4]), batch(1, [5]), batch(2, [6])]);
  assert.equal(checkIntegrity([{ member: 'a', superblocks: [one, three] }]).length, 1);
  const disordered = { ...block(1, [batch(1, [2]), batch(0, [1]), batch(2, [3])]) };
  assert.ok(checkIntegrity([{ member: 'a', superblocks: [disordered] }]).some((v) => /increasing committee order/.test(v.message)));
  const undeduped = { ...one, transactions: [tx(1), tx(2), tx(3), tx(1)] };
  assert.ok(checkIntegrity([{ member: 'a', superblocks: [undeduped] }]).some((v) => /without duplicates/.test(v.message)));
  const overlap = block(1, [batch(0, [1, 2]), batch(1, [2, 3]), batch(2, [3])]);
  assert.deepEqual(checkIntegrity([{ member: 'a', superblocks: [overlap] }]), [], 'duplicates across batches are removed, not an error');
});

test('validity: the included proposers must hold a quorum, with honest weight above 1/3', () => {
  const ok = block(1, [batch(0, [1]), batch(1, [2]), batch(3, [3])]);
  assert.deepEqual(checkValidity([{ member: 'a', superblocks: [ok] }], context), []);
  const small = block(1, [batch(0, [1]), batch(3, [3])]);
  assert.ok(checkValidity([{ member: 'a', superblocks: [small] }], context).some((v) => /not a quorum/.test(v.message)));
  const heavyByzantine = block(1, [batch(0, [1]), batch(3, [3])]);
  const skewed: ValidityContext = { weightsAt: () => [1n, 0n, 0n, 1n], isHonest: (_h, p) => p !== 3 };
  assert.deepEqual(checkValidity([{ member: 'a', superblocks: [heavyByzantine] }], skewed), []);
  const byzantineOnly: ValidityContext = { weightsAt: () => [1n, 1n, 1n, 9n], isHonest: (_h, p) => p !== 3 };
  assert.ok(checkValidity([{ member: 'a', superblocks: [block(1, [batch(3, [3])])] }], byzantineOnly).some((v) => /not more than 1\/3/.test(v.message)));
});

test('validity: an honest proposer is credited only with a batch it proposed, and the timestamp stays in the honest range', () => {
  const proposed = new Map([[0, [batch(0, [1], 1000)]], [1, [batch(1, [2], 1010)]], [2, [batch(2, [3], 1020)]]]);
  const ctx: ValidityContext = { ...context, proposedBy: (_h, p) => proposed.get(p) };
  const good = block(1, [batch(0, [1], 1000), batch(1, [2], 1010), batch(2, [3], 1020)], 1010);
  assert.deepEqual(checkValidity([{ member: 'a', superblocks: [good] }], ctx), []);
  const forged = block(1, [batch(0, [9], 1000), batch(1, [2], 1010), batch(2, [3], 1020)], 1010);
  assert.ok(checkValidity([{ member: 'a', superblocks: [forged] }], ctx).some((v) => /not one it proposed/.test(v.message)));
  const pulled = block(1, [batch(0, [1], 1000), batch(1, [2], 1010), batch(2, [3], 1020), batch(3, [4], 99_999)], 99_999);
  assert.ok(checkValidity([{ member: 'a', superblocks: [pulled] }], ctx).some((v) => /outside the honest/.test(v.message)));
});

test('liveness: a missing height and a slow height after GST are caught', () => {
  const blocks = [1, 2, 3].map((h) => block(h, [batch(0, [h]), batch(1, [h + 10]), batch(2, [h + 20])]));
  const bound = { targetHeight: 3, gstMs: 1000, perHeightMs: 500 };
  assert.deepEqual(checkLiveness([{ member: 'a', superblocks: blocks, deliveredAtMs: [5000, 5100, 5200] }], { ...bound, gstMs: 5000 }), []);
  assert.deepEqual(checkLiveness([{ member: 'a', superblocks: blocks, deliveredAtMs: [100, 1400, 1800] }], bound), []);
  const slow = checkLiveness([{ member: 'a', superblocks: blocks, deliveredAtMs: [100, 1400, 2000] }], bound);
  assert.equal(slow.length, 1);
  assert.equal(slow[0]?.height, 3);
  const short = checkLiveness([{ member: 'a', superblocks: blocks.slice(0, 2) }], bound);
  assert.match(short[0]?.message ?? '', /never delivered 3/);
});

test('dedupTransactions keeps first occurrences in order (against a naive version)', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 20 })), (ns) => {
      const naive: number[] = [];
      for (const n of ns) if (!naive.includes(n)) naive.push(n);
      assert.deepEqual(dedupTransactions(ns.map(tx)).map(toHex), naive.map((n) => toHex(tx(n))));
    }),
  );
});
