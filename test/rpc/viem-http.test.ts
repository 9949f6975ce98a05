// viem's public and wallet actions against the server over real HTTP: every object it reads
// goes through viem's formatters, so a missing or malformed field fails here.
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicClient, createWalletClient, defineChain, http, parseEther, parseGwei, type PublicClient } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { COUNTER, DEV_ADDRESSES, DEV_KEYS, EMITTER, FIXTURE_ABI, PING_TOPIC } from './memory-backend.js';
import { startHarness, type Harness } from './helpers.js';

let h: Harness;
let client: PublicClient;
const chain = defineChain({ id: 31337, name: 'synod-test', nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 }, rpcUrls: { default: { http: [] } } });
const account = privateKeyToAccount(DEV_KEYS[0]!);

before(async () => {
  h = await startHarness();
  client = createPublicClient({ chain, transport: http(h.server.url), pollingInterval: 20 }) as PublicClient;
});
after(() => h.close());

test('chain id, block number, genesis block and node facts', async () => {
  assert.equal(await client.getChainId(), 31337);
  const genesis = await client.getBlock({ blockNumber: 0n });
  assert.equal(genesis.number, 0n);
  assert.equal(genesis.baseFeePerGas, 1_000_000_000n);
  assert.deepEqual(genesis.transactions, []);
  assert.equal((await client.getBlock({ blockTag: 'earliest' })).hash, genesis.hash);
  assert.equal((await h.rpc('net_version')).result, '31337');
  assert.equal((await h.rpc('web3_clientVersion')).result, 'synod/v0.1.0-test/memory');
  assert.equal((await h.rpc('eth_syncing')).result, false);
  assert.deepEqual((await h.rpc('eth_accounts')).result, []);
});

test('wallet sends EIP-1559, EIP-2930 and legacy transfers; viem reads them back', async () => {
  const wallet = createWalletClient({ account, chain, transport: http(h.server.url) });
  const to = DEV_ADDRESSES[1]!;
  const before = await client.getBalance({ address: to });
  const hashes = [
    await wallet.sendTransaction({ to, value: parseEther('1') }),
    await wallet.sendTransaction({ to, value: 1n, type: 'eip2930', gasPrice: parseGwei('3'), accessList: [{ address: COUNTER, storageKeys: [`0x${'00'.repeat(32)}`] }] }),
    await wallet.sendTransaction({ to, value: 2n, type: 'legacy', gasPrice: parseGwei('2') }),
  ];
  const types = ['eip1559', 'eip2930', 'legacy'];
  for (const [i, hash] of hashes.entries()) {
    const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 10 });
    assert.equal(receipt.status, 'success');
    assert.equal(receipt.type, types[i]);
    assert.equal(receipt.from, account.address.toLowerCase());
    const tx = await client.getTransaction({ hash });
    assert.equal(tx.type, types[i]);
    assert.equal(tx.hash, hash);
    assert.equal(tx.blockHash, receipt.blockHash);
    assert.equal(tx.from, account.address.toLowerCase());
    assert.equal(tx.to, to);
    if (i === 1) assert.deepEqual(tx.accessList, [{ address: COUNTER, storageKeys: [`0x${'00'.repeat(32)}`] }]);
    if (i === 2) assert.equal(tx.chainId, 31337);
    const block = await client.getBlock({ blockHash: receipt.blockHash, includeTransactions: true });
    assert.equal(block.transactions[0]!.hash, hash);
  }
  assert.equal(await client.getBalance({ address: to }), before + parseEther('1') + 3n);
  assert.equal(await client.getTransactionCount({ address: account.address }), 3);
  assert.equal(await client.getTransactionCount({ address: account.address, blockTag: 'pending' }), 3);
  assert.equal(await client.getTransactionCount({ address: account.address, blockNumber: 0n }), 0);
});

test('blocks by number and tag, transaction lookups by position and counts', async () => {
  const head = await client.getBlockNumber();
  assert.ok(head >= 1n);
  const latest = await client.getBlock();
  for (const blockTag of ['safe', 'finalized', 'pending'] as const) {
    assert.equal((await client.getBlock({ blockTag })).hash, latest.hash, blockTag);
  }
  assert.equal(await client.getBlockTransactionCount({ blockNumber: head }), latest.transactions.length);
  assert.equal(await client.getBlockTransactionCount({ blockHash: latest.hash }), latest.transactions.length);
  const tx = await client.getTransaction({ blockNumber: head, index: 0 });
  assert.equal(tx.hash, latest.transactions[0]);
  const byHash = await client.getTransaction({ blockHash: latest.hash, index: 0 });
  assert.equal(byHash.hash, tx.hash);
  assert.equal((await h.rpc('eth_getBlockByNumber', [`0x${(head + 100n).toString(16)}`, false])).result, null);
  assert.equal((await h.rpc('eth_getTransactionByHash', [`0x${'12'.repeat(32)}`])).result, null);
  assert.equal((await h.rpc('eth_getTransactionReceipt', [`0x${'12'.repeat(32)}`])).result, null);
});

test('calls, gas estimates, code, storage and fee suggestions', async () => {
  const count = await client.readContract({ address: COUNTER, abi: FIXTURE_ABI, functionName: 'count' });
  assert.equal(count, 42n);
  assert.equal(await client.estimateGas({ account: account.address, to: DEV_ADDRESSES[1]!, value: 1n }), 21_000n);
  assert.equal(await client.getCode({ address: COUNTER }), '0x6080604052');
  assert.equal(await client.getCode({ address: DEV_ADDRESSES[1]! }), undefined);
  assert.equal(await client.getStorageAt({ address: COUNTER, slot: '0x0' }), `0x${'2a'.padStart(64, '0')}`);
  assert.equal(await client.getGasPrice(), 2_000_000_000n);
  const fees = await client.estimateFeesPerGas();
  assert.equal(fees.maxPriorityFeePerGas, 1_000_000_000n);
  const history = await client.getFeeHistory({ blockCount: 4, rewardPercentiles: [25, 75] });
  assert.equal(history.baseFeePerGas.length, history.gasUsedRatio.length + 1);
  assert.equal(history.reward!.length, history.gasUsedRatio.length);
});

test('receipts of a block and logs by address, topic and range, and by block hash', async () => {
  const wallet = createWalletClient({ account, chain, transport: http(h.server.url) });
  const hash = await wallet.sendTransaction({ to: EMITTER, value: 5n });
  const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 10 });
  assert.equal(receipt.logs.length, 1);
  const blockReceipts = await h.rpc('eth_getBlockReceipts', [`0x${receipt.blockNumber.toString(16)}`]);
  assert.equal(blockReceipts.result[0].transactionHash, hash);
  const logs = await client.getLogs({ address: EMITTER, event: FIXTURE_ABI[0], args: { from: account.address }, fromBlock: 0n, toBlock: 'latest' });
  assert.equal(logs.length, 1);
  assert.equal(logs[0]!.args.value, 5n);
  assert.equal(logs[0]!.transactionHash, hash);
  const byHash = await h.rpc('eth_getLogs', [{ blockHash: receipt.blockHash, topics: [PING_TOPIC] }]);
  assert.equal(byHash.result.length, 1);
  const none = await h.rpc('eth_getLogs', [{ fromBlock: '0x0', toBlock: 'latest', topics: [`0x${'99'.repeat(32)}`] }]);
  assert.deepEqual(none.result, []);
});

test('synod_* methods', async () => {
  const committee = (await h.rpc('synod_committee')).result;
  assert.equal(committee.members.length, 4);
  assert.equal(committee.members[0].weight, '0x28');
  assert.equal(committee.totalWeight, '0x64');
  const cert = (await h.rpc('synod_getCertificate', ['latest'])).result;
  assert.equal(cert.blockHash, (await client.getBlock()).hash);
  assert.equal(cert.signatures.length, 3);
  assert.equal((await h.rpc('synod_getCertificate', ['0xffff'])).result, null);
  const status = (await h.rpc('synod_consensusStatus')).result;
  assert.equal(status.height, `0x${(await client.getBlockNumber()).toString(16)}`);
  assert.deepEqual((await h.rpc('synod_contracts')).result, { counter: COUNTER });
});
