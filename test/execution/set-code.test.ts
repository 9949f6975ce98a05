// EIP-7702 set-code transactions (Prague) through execution: a delegation lands (the authority's
// code becomes 0xef0100 || address and calls to it run the delegate's code), and a transaction
// over MAX_AUTHORIZATIONS_PER_TRANSACTION is skipped at its turn, by the rule the mempool applies.
import test from 'node:test';
import assert from 'node:assert/strict';
import { concat, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { MAX_AUTHORIZATIONS_PER_TRANSACTION } from '../../src/chain/transactions.js';
import { toHex } from '../../src/crypto/bytes.js';
import { CHAIN_ID, GWEI, address, blockInput, genesisSpec, key, openHarness } from './helpers.js';

/** Returns 42 from any call. */
const DELEGATE: Hex = '0x00000000000000000000000000000000000de1e9';
const RETURNS_42: Hex = '0x602a60005260206000f3';
const sender = privateKeyToAccount(`0x${toHex(key(0))}`);
const authority = privateKeyToAccount(`0x${toHex(key(1))}`);

async function setCode(authorizations: number, nonce: number): Promise<Uint8Array> {
  const auth = await authority.signAuthorization({ chainId: Number(CHAIN_ID), address: DELEGATE, nonce: 0 });
  const raw = await sender.signTransaction({
    type: 'eip7702', chainId: Number(CHAIN_ID), nonce, to: authority.address, gas: 100_000n + 30_000n * BigInt(authorizations),
    maxFeePerGas: 2n * GWEI, maxPriorityFeePerGas: 1n, authorizationList: Array.from({ length: authorizations }, () => auth),
  });
  return Uint8Array.from(Buffer.from(raw.slice(2), 'hex'));
}

test('a set-code transaction applies: the authority delegates to the contract, and calls run its code', async () => {
  const spec = genesisSpec();
  const h = await openHarness({ ...spec, alloc: { ...spec.alloc, [DELEGATE]: { balance: 0n, code: RETURNS_42 } } });
  try {
    assert.equal(authority.address.toLowerCase(), address(1));
    const { receipts, skipped, included } = await h.engine.executeBlock(blockInput(h.engine, [await setCode(1, 0)]));
    assert.deepEqual(skipped, []);
    assert.deepEqual(included[0]!.authorities, [address(1)], 'the block reports the authority, for the mempool to re-read');
    assert.equal(receipts[0]!.status, 1);
    assert.equal(receipts[0]!.type, 4);
    assert.equal(await h.engine.getCode(address(1)), concat(['0xef0100', DELEGATE]));
    assert.equal((await h.engine.getAccount(address(1))).nonce, 1n, 'the authorization bumped the authority\'s nonce');
    const call = await h.engine.call({ from: address(2), to: address(1), data: '0x' });
    assert.equal(BigInt(call.returnData), 42n);
  } finally {
    await h.cleanup();
  }
});

test(`more than ${MAX_AUTHORIZATIONS_PER_TRANSACTION} authorizations: skipped at its turn`, async () => {
  const h = await openHarness();
  try {
    const { skipped, included } = await h.engine.executeBlock(blockInput(h.engine, [await setCode(MAX_AUTHORIZATIONS_PER_TRANSACTION + 1, 0)]));
    assert.equal(included.length, 0);
    assert.match(skipped[0]!.reason, new RegExp(`limit ${MAX_AUTHORIZATIONS_PER_TRANSACTION} per transaction`));
  } finally {
    await h.cleanup();
  }
});
