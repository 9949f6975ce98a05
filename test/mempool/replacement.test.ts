// Replacing a transaction at the same (sender, nonce) needs at least a 10% higher fee cap and tip.
import test from 'node:test';
import assert from 'node:assert/strict';
import { MempoolError, MempoolErrorCode as Code } from '../../src/mempool/index.js';
import { GWEI, fund, makePool, signTx, testKey } from './helpers.js';

const key = testKey(3);

test('a replacement below +10% on either fee is refused with the fees it needs', async () => {
  const { pool, state } = makePool();
  fund(state, key);
  const original = await pool.add(signTx(key, { maxFeePerGas: 10n * GWEI, maxPriorityFeePerGas: 2n * GWEI }), 'local');
  const cheapTip = signTx(key, { maxFeePerGas: 20n * GWEI, maxPriorityFeePerGas: 2n * GWEI + 1n });
  await assert.rejects(pool.add(cheapTip, 'local'), (error: unknown) => {
    assert.ok(error instanceof MempoolError);
    assert.equal(error.code, Code.ReplaceUnderpriced);
    assert.equal(error.message, `replacement transaction underpriced: nonce 0 is taken by ${original.hash}; a replacement needs maxFeePerGas >= 11000000000 and maxPriorityFeePerGas >= 2200000000 (+10%)`);
    return true;
  });
  const cheapCap = signTx(key, { maxFeePerGas: 11n * GWEI - 1n, maxPriorityFeePerGas: 3n * GWEI });
  await assert.rejects(pool.add(cheapCap, 'local'), /replacement transaction underpriced/);
  assert.ok(pool.has(original.hash));
});

test('a replacement at exactly +10% takes the slot; the old hash is gone', async () => {
  const { pool, state } = makePool();
  fund(state, key);
  const original = await pool.add(signTx(key, { maxFeePerGas: 10n * GWEI, maxPriorityFeePerGas: 2n * GWEI }), 'local');
  const bumped = await pool.add(signTx(key, { maxFeePerGas: 11n * GWEI, maxPriorityFeePerGas: 22n * GWEI / 10n }), 'peer');
  assert.equal(pool.has(original.hash), false);
  assert.ok(pool.has(bumped.hash));
  assert.equal(pool.size(), 1);
  assert.equal(pool.stats().replaced, 1);
  assert.equal(pool.get(bumped.hash)?.origin, 'peer');
});

test('a legacy transaction can replace an EIP-1559 one when its gas price clears both bumps', async () => {
  const { pool, state } = makePool();
  fund(state, key);
  await pool.add(signTx(key, { maxFeePerGas: 10n * GWEI, maxPriorityFeePerGas: 1n * GWEI }), 'local');
  const legacy = await pool.add(signTx(key, { type: 0, maxFeePerGas: 11n * GWEI }), 'local');
  assert.equal(pool.get(legacy.hash)?.type, 0);
});

test('funds are checked for the replacement in place of the transaction it replaces', async () => {
  const { pool, state } = makePool();
  // Enough for one transaction at 10 gwei and one at 11 gwei, not for 10 + 11 + 10.
  fund(state, key, 21_000n * 21n * GWEI + 2n);
  await pool.add(signTx(key, { nonce: 0n, maxFeePerGas: 10n * GWEI }), 'local');
  await pool.add(signTx(key, { nonce: 1n, maxFeePerGas: 10n * GWEI }), 'local');
  await pool.add(signTx(key, { nonce: 1n, maxFeePerGas: 11n * GWEI, maxPriorityFeePerGas: 2n * GWEI }), 'local');
  await assert.rejects(pool.add(signTx(key, { nonce: 0n, maxFeePerGas: 12n * GWEI, maxPriorityFeePerGas: 2n * GWEI }), 'local'), /insufficient funds/);
  assert.equal(pool.size(), 2);
});
