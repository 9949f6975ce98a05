// EIP-7702 set-code transactions in the pool: admitted and proposable like EIP-1559 ones; an
// empty or oversized authorization list is refused by the same rule execution applies.
import test from 'node:test';
import assert from 'node:assert/strict';
import { privateKeyToAccount } from 'viem/accounts';
import { MAX_AUTHORIZATIONS_PER_TRANSACTION } from '../../src/chain/transactions.js';
import { MempoolError, MempoolErrorCode as Code } from '../../src/mempool/index.js';
import { CHAIN_ID, GWEI, RECIPIENT, fund, makePool, signTx, testKey } from './helpers.js';

const key = testKey(7);
const authority = testKey(8);
const signer = privateKeyToAccount(key.privateKeyHex);

async function setCode(authorizations: number): Promise<Uint8Array> {
  const auth = await privateKeyToAccount(authority.privateKeyHex).signAuthorization({ chainId: Number(CHAIN_ID), address: RECIPIENT, nonce: 0 });
  const raw = await signer.signTransaction({
    type: 'eip7702', chainId: Number(CHAIN_ID), nonce: 0, to: authority.address, gas: 60_000n + 30_000n * BigInt(authorizations),
    maxFeePerGas: 2n * GWEI, maxPriorityFeePerGas: GWEI, authorizationList: Array.from({ length: authorizations }, () => auth),
  });
  return Uint8Array.from(Buffer.from(raw.slice(2), 'hex'));
}

test('a set-code transaction is admitted, with its type, and goes into a batch', async () => {
  const { pool, state } = makePool();
  fund(state, key);
  const raw = await setCode(1);
  const added = await pool.add(raw, 'local');
  assert.equal(added.sender, key.address);
  assert.equal(pool.get(added.hash)!.type, 4);
  const batch = pool.takeBatch({ member: pool.ownerOfSender(key.address), committeeSize: 4, height: 1, maxTransactions: 10, maxBytes: 1 << 20, maxGas: 15_000_000n });
  assert.deepEqual(batch, [raw]);
});

test(`an authorization list over ${MAX_AUTHORIZATIONS_PER_TRANSACTION} entries is refused`, async () => {
  const { pool, state } = makePool();
  fund(state, key);
  await assert.rejects(pool.add(await setCode(MAX_AUTHORIZATIONS_PER_TRANSACTION + 1), 'local'), (e: unknown) =>
    e instanceof MempoolError && e.code === Code.InvalidEncoding && new RegExp(`limit ${MAX_AUTHORIZATIONS_PER_TRANSACTION} per transaction`).test(e.message));
  assert.equal(pool.size(), 0);
});

test('a committed set-code transaction makes the pool re-read its authorities: their stale transactions leave', async () => {
  const { pool, state } = makePool();
  fund(state, key);
  fund(state, authority);
  const own = await pool.add(signTx(authority, { nonce: 0n }), 'local');
  assert.equal(await pool.pendingNonce(authority.address), 1n);
  // A block applied the key's set-code transaction: the authorization used the authority's nonce 0.
  state.set(authority.address, 1n, 1_000n * 10n ** 18n);
  state.set(key.address, 1n, 1_000n * 10n ** 18n);
  await pool.onBlockCommitted([{ hash: `0x${'ab'.repeat(32)}`, sender: key.address, nonce: 0n, authorities: [authority.address] }], 1);
  assert.equal(pool.has(own.hash), false);
  assert.equal(await pool.pendingNonce(authority.address), 1n);
});
