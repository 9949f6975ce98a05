// Real client encodings: transactions signed by viem and ethers, of all three types, are admitted
// with the hash and sender the clients compute themselves.
import test from 'node:test';
import assert from 'node:assert/strict';
import { keccak256 as viemKeccak, hexToBytes } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { Wallet } from 'ethers';
import { GWEI, RECIPIENT, fund, makePool } from './helpers.js';

// Hardhat/Anvil development account #1.
const DEV_KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';
const account = privateKeyToAccount(DEV_KEY);
const CHAIN = 31337;

test('viem-signed legacy, EIP-2930 and EIP-1559 transactions are admitted with viem’s hash', async () => {
  const { pool, state } = makePool();
  fund(state, account);
  const common = { chainId: CHAIN, to: RECIPIENT, value: 1n, gas: 21_000n } as const;
  const signed = [
    await account.signTransaction({ ...common, type: 'legacy', nonce: 0, gasPrice: 2n * GWEI }),
    await account.signTransaction({ ...common, type: 'eip2930', nonce: 1, gasPrice: 2n * GWEI, accessList: [{ address: RECIPIENT, storageKeys: [`0x${'00'.repeat(32)}`] }], gas: 30_000n }),
    await account.signTransaction({ ...common, type: 'eip1559', nonce: 2, maxFeePerGas: 3n * GWEI, maxPriorityFeePerGas: 1n * GWEI }),
  ];
  for (const [index, serialized] of signed.entries()) {
    const added = await pool.add(hexToBytes(serialized), 'local');
    assert.equal(added.hash, viemKeccak(serialized));
    assert.equal(added.sender, account.address.toLowerCase());
    assert.equal(added.nonce, BigInt(index));
    assert.equal(pool.get(added.hash)?.type, index);
  }
  assert.equal(await pool.pendingNonce(account.address), 3n);
});

test('ethers-signed transactions of all three types are admitted with ethers’ hash', async () => {
  const { pool, state } = makePool();
  const wallet = new Wallet(DEV_KEY);
  fund(state, { address: wallet.address as `0x${string}` });
  const base = { chainId: CHAIN, to: RECIPIENT, value: 1n, gasLimit: 21_000n };
  const signed = [
    await wallet.signTransaction({ ...base, type: 0, nonce: 0, gasPrice: 2n * GWEI }),
    await wallet.signTransaction({ ...base, type: 1, nonce: 1, gasPrice: 2n * GWEI, accessList: [] }),
    await wallet.signTransaction({ ...base, type: 2, nonce: 2, maxFeePerGas: 3n * GWEI, maxPriorityFeePerGas: 1n * GWEI }),
  ];
  for (const serialized of signed) {
    const added = await pool.add(hexToBytes(serialized as `0x${string}`), 'peer');
    assert.equal(added.hash, viemKeccak(serialized as `0x${string}`));
    assert.equal(added.sender, wallet.address.toLowerCase());
  }
});
