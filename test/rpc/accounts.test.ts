// Unlocked development accounts over the real server and the in-memory backend: eth_accounts,
// eth_sendTransaction completed as geth completes it, eth_signTransaction, eth_sign,
// personal_sign, eth_signTypedData_v4 through viem's wallet client with a JSON-RPC account
// (which sends those very methods), and geth's "unknown account" on a node without keys.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createWalletClient, getAddress, http, parseTransaction, recoverTransactionAddress, verifyMessage, verifyTypedData, type Hex } from 'viem';
import { startHarness, type Harness } from './helpers.js';
import { BASE_FEE, CHAIN_ID, DEV_ADDRESSES, DEV_KEYS, REVERT_STRING, TRANSFER_GAS } from './memory-backend.js';

const chain = { id: Number(CHAIN_ID), name: 'memory', nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 }, rpcUrls: { default: { http: [] } } } as const;
const RECIPIENT: Hex = '0x000000000000000000000000000000000000dead';
const TYPED = {
  domain: { name: 'Permit2', version: '1', chainId: Number(CHAIN_ID), verifyingContract: '0x000000000022d473030f116ddee9f6b43ac78ba3' as Hex },
  types: { Transfer: [{ name: 'to', type: 'address' }, { name: 'amount', type: 'uint256' }] },
  primaryType: 'Transfer' as const,
  message: { to: RECIPIENT, amount: 7n },
};

describe('a node with unlocked development accounts', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ unlockedKeys: DEV_KEYS });
  });
  after(async () => h.close());
  const wallet = (index: number) => createWalletClient({ chain, transport: http(h.server.url), account: getAddress(DEV_ADDRESSES[index]!) });

  test('eth_accounts lists them, checksummed, in order', async () => {
    assert.deepEqual((await h.rpc('eth_accounts')).result, DEV_ADDRESSES.map((a) => getAddress(a)));
  });

  test('eth_sendTransaction fills nonce (pending counted), gas by estimation and EIP-1559 fees as geth does', async () => {
    h.backend.automine = false;
    try {
      const first = await wallet(0).sendTransaction({ to: RECIPIENT, value: 1n });
      const second = (await h.rpc('eth_sendTransaction', [{ from: DEV_ADDRESSES[0], to: RECIPIENT, value: '0x2' }])).result as Hex;
      const a = parseTransaction(h.backend.getPendingTransaction(first)!.raw);
      const b = parseTransaction(h.backend.getPendingTransaction(second)!.raw);
      assert.equal(a.type, 'eip1559');
      assert.equal(a.nonce, 0);
      assert.equal(b.nonce, 1, 'the second counts the first, still pending');
      assert.equal(a.gas, TRANSFER_GAS);
      assert.equal(a.maxPriorityFeePerGas, 1_000_000_000n);
      assert.equal(a.maxFeePerGas, 1_000_000_000n + 2n * BASE_FEE);
      assert.equal(a.chainId, Number(CHAIN_ID));
      assert.equal(await recoverTransactionAddress({ serializedTransaction: h.backend.getPendingTransaction(first)!.raw as `0x02${string}` }), getAddress(DEV_ADDRESSES[0]!));
    } finally {
      h.backend.automine = true;
      h.backend.mine();
    }
  });

  test('concurrent sends from one account take distinct nonces', async () => {
    h.backend.automine = false;
    try {
      const hashes = await Promise.all(Array.from({ length: 5 }, (_, i) => h.rpc('eth_sendTransaction', [{ from: DEV_ADDRESSES[1], to: RECIPIENT, value: `0x${(i + 1).toString(16)}` }])));
      const nonces = hashes.map((r) => parseTransaction(h.backend.getPendingTransaction(r.result as Hex)!.raw).nonce).sort();
      assert.deepEqual(nonces, [0, 1, 2, 3, 4]);
    } finally {
      h.backend.automine = true;
      h.backend.mine();
    }
  });

  test('a gasPrice makes a legacy transaction (EIP-155); an explicit gas and nonce are kept', async () => {
    const raw = (await h.rpc('eth_signTransaction', [{ from: DEV_ADDRESSES[0], to: RECIPIENT, gasPrice: '0x77359400', gas: '0x6000', nonce: '0x9' }])).result as Hex;
    const tx = parseTransaction(raw);
    assert.equal(tx.type, 'legacy');
    assert.equal(tx.gasPrice, 2_000_000_000n);
    assert.equal(tx.gas, 0x6000n);
    assert.equal(tx.nonce, 9);
    assert.equal(tx.chainId, Number(CHAIN_ID));
    assert.equal(await recoverTransactionAddress({ serializedTransaction: raw as `0x01${string}` }), getAddress(DEV_ADDRESSES[0]!));
  });

  test('viem signMessage (personal_sign), eth_sign and signTypedData (eth_signTypedData_v4) verify', async () => {
    const address = getAddress(DEV_ADDRESSES[1]!);
    const signature = await wallet(1).signMessage({ message: 'hello synod' });
    assert.ok(await verifyMessage({ address, message: 'hello synod', signature }));
    const ethSign = (await h.rpc('eth_sign', [address, '0xdeadbeef'])).result as Hex;
    assert.ok(await verifyMessage({ address, message: { raw: '0xdeadbeef' }, signature: ethSign }));
    const typed = await wallet(1).signTypedData(TYPED);
    assert.ok(await verifyTypedData({ address, ...TYPED, signature: typed }));
    // MetaMask and ethers pass the document as JSON text, with EIP712Domain among the types.
    const text = JSON.stringify({ ...TYPED, types: { EIP712Domain: [{ name: 'name', type: 'string' }, { name: 'version', type: 'string' }, { name: 'chainId', type: 'uint256' }, { name: 'verifyingContract', type: 'address' }], ...TYPED.types }, message: { to: RECIPIENT, amount: '7' } });
    assert.equal((await h.rpc('eth_signTypedData_v4', [address, text])).result, typed);
  });

  test('bad input gets geth\'s errors: unknown sender, revert in estimation, wrong chain id, fees, typed data', async () => {
    const stranger = '0x00000000000000000000000000000000000b0e0e';
    assert.deepEqual((await h.rpc('eth_sendTransaction', [{ from: stranger, to: RECIPIENT }])).error, { code: -32000, message: 'unknown account' });
    assert.equal((await h.rpc('eth_sendTransaction', [{ to: RECIPIENT }])).error.code, -32602);
    const revert = (await h.rpc('eth_sendTransaction', [{ from: DEV_ADDRESSES[0], to: REVERT_STRING }])).error;
    assert.equal(revert.code, 3);
    assert.match(revert.message, /execution reverted: not enough tokens/);
    assert.deepEqual((await h.rpc('eth_sendTransaction', [{ from: DEV_ADDRESSES[0], to: RECIPIENT, chainId: '0x1' }])).error, { code: -32000, message: "chainId does not match node's (have=1, want=31337)" });
    assert.equal((await h.rpc('eth_sendTransaction', [{ from: DEV_ADDRESSES[0], to: RECIPIENT, gasPrice: '0x1', maxFeePerGas: '0x1' }])).error.code, -32602);
    assert.deepEqual((await h.rpc('eth_sendTransaction', [{ from: DEV_ADDRESSES[0], maxFeePerGas: '0x1', maxPriorityFeePerGas: '0x2', to: RECIPIENT }])).error, { code: -32000, message: 'maxFeePerGas (1) < maxPriorityFeePerGas (2)' });
    assert.deepEqual((await h.rpc('eth_sendTransaction', [{ from: DEV_ADDRESSES[0] }])).error, { code: -32000, message: 'contract creation without any data provided' });
    const setCode = (await h.rpc('eth_sendTransaction', [{ from: DEV_ADDRESSES[0], to: RECIPIENT, authorizationList: [] }])).error;
    assert.equal(setCode.code, -32602);
    assert.match(setCode.message, /authorizationList: .*eth_sendRawTransaction/);
    const badTyped = (await h.rpc('eth_signTypedData_v4', [DEV_ADDRESSES[0], { ...TYPED, message: { to: 'nope', amount: '1' } }])).error;
    assert.equal(badTyped.code, -32602);
    assert.match(badTyped.message, /typed data/);
  });
});

describe('a node without unlocked accounts (the default)', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => h.close());

  test('eth_accounts is [] and every signing method answers "unknown account"', async () => {
    assert.deepEqual((await h.rpc('eth_accounts')).result, []);
    const address = DEV_ADDRESSES[0]!;
    const calls: [string, unknown[]][] = [
      ['eth_sendTransaction', [{ from: address, to: RECIPIENT, value: '0x1' }]],
      ['eth_signTransaction', [{ from: address, to: RECIPIENT, value: '0x1' }]],
      ['eth_sign', [address, '0x01']],
      ['personal_sign', ['0x01', address]],
      ['eth_signTypedData_v4', [address, JSON.stringify(TYPED, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))]],
    ];
    for (const [method, params] of calls) assert.deepEqual((await h.rpc(method, params)).error, { code: -32000, message: 'unknown account' }, method);
  });

  test('eth_coinbase: blocks name no coinbase, so geth\'s error', async () => {
    assert.deepEqual((await h.rpc('eth_coinbase')).error, { code: -32000, message: 'etherbase must be explicitly specified' });
  });
});
