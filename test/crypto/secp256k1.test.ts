import test from 'node:test';
import assert from 'node:assert/strict';
import { createCustomCommon, Mainnet, Hardfork } from '@ethereumjs/common';
import { createFeeMarket1559Tx, createLegacyTx } from '@ethereumjs/tx';
import { hexToBytes } from '@ethereumjs/util';
import { privateKeyToAccount } from 'viem/accounts';
import { nativeCustomCrypto } from '../../src/crypto/secp256k1.js';

// Hardhat/Anvil development account #0.
const DEV_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';

test('native ecrecover recovers the sender of legacy (EIP-155) and EIP-1559 transactions', () => {
  const common = createCustomCommon({ chainId: 31337 }, Mainnet, { hardfork: Hardfork.Prague, customCrypto: nativeCustomCrypto });
  const expected = privateKeyToAccount(DEV_KEY).address.toLowerCase();
  const key = hexToBytes(DEV_KEY);
  const legacy = createLegacyTx({ nonce: 0, gasPrice: 1n, gasLimit: 21000, to: `0x${'11'.repeat(20)}`, value: 1 }, { common }).sign(key);
  assert.equal(legacy.getSenderAddress().toString(), expected);
  const dynamic = createFeeMarket1559Tx({ nonce: 1, maxFeePerGas: 2n, maxPriorityFeePerGas: 1n, gasLimit: 21000, to: `0x${'22'.repeat(20)}`, chainId: 31337n }, { common }).sign(key);
  assert.equal(dynamic.getSenderAddress().toString(), expected);
});
