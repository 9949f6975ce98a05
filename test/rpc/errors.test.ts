// Error codes and messages for bad input, rejected transactions and reverts; the server keeps
// serving after each.
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { BaseError, ContractFunctionRevertedError, createPublicClient, http, parseGwei } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { DEV_ADDRESSES, DEV_KEYS, FIXTURE_ABI, REVERT_CUSTOM, REVERT_PANIC, REVERT_STRING } from './memory-backend.js';
import { startHarness, type Harness } from './helpers.js';

let h: Harness;
before(async () => {
  h = await startHarness({ limits: { maxBodyBytes: 64 * 1024, maxBatchLength: 10 } });
});
after(() => h.close());

async function stillServing(): Promise<void> {
  assert.equal((await h.rpc('eth_chainId')).result, '0x7a69');
}

test('malformed JSON is -32700 with id null', async () => {
  const { status, json } = await h.post('{"jsonrpc":"2.0","id":1,"method":');
  assert.equal(status, 200);
  assert.equal(json.id, null);
  assert.equal(json.error.code, -32700);
  await stillServing();
});

test('invalid requests are -32600 and say what is wrong', async () => {
  const cases: [unknown, RegExp][] = [
    [42, /JSON-RPC request object/],
    [{ jsonrpc: '1.0', id: 1, method: 'eth_chainId' }, /"jsonrpc" must be "2.0"/],
    [{ jsonrpc: '2.0', id: 1, method: 7 }, /"method" must be a string/],
    [{ jsonrpc: '2.0', id: { a: 1 }, method: 'eth_chainId' }, /id must be/],
    [[], /empty batch/],
  ];
  for (const [body, message] of cases) {
    const { json } = await h.post(JSON.stringify(body));
    assert.equal(json.error.code, -32600, JSON.stringify(body));
    assert.match(json.error.message, message);
  }
  await stillServing();
});

test('unknown method is -32601 with the id echoed', async () => {
  const res = await h.post(JSON.stringify({ jsonrpc: '2.0', id: 'abc', method: 'eth_doesNotExist', params: [] }));
  assert.equal(res.json.id, 'abc');
  assert.equal(res.json.error.code, -32601);
  assert.match(res.json.error.message, /eth_doesNotExist does not exist/);
});

test('invalid params are -32602 naming the argument and the fix', async () => {
  const cases: [string, unknown, RegExp][] = [
    ['eth_getBalance', ['0x1234', 'latest'], /invalid argument 0: address must be a 20-byte/],
    ['eth_getBalance', [DEV_ADDRESSES[0], '0x01'], /invalid argument 1: .*without leading zeros/],
    ['eth_getBalance', [DEV_ADDRESSES[0], 'newest'], /invalid argument 1/],
    ['eth_getBlockByNumber', ['latest', 'yes'], /invalid argument 1: full transactions flag must be true or false/],
    ['eth_blockNumber', [1], /too many arguments, want at most 0/],
    ['eth_getTransactionByHash', [], /missing value for required argument 0/],
    ['eth_getLogs', [{ fromBlock: '0x0', blockHash: `0x${'11'.repeat(32)}` }], /cannot specify both blockHash and fromBlock/],
    ['eth_call', [{ to: DEV_ADDRESSES[0], gasPrice: '0x1', maxFeePerGas: '0x1' }, 'latest'], /both gasPrice and/],
    ['eth_sendRawTransaction', ['0x'], /empty transaction/],
    ['eth_chainId', { a: 1 }, /named parameters are not supported/],
  ];
  for (const [method, params, message] of cases) {
    const { json } = await h.post(JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }));
    assert.equal(json.error?.code, -32602, `${method} ${JSON.stringify(params)}: ${JSON.stringify(json)}`);
    assert.match(json.error.message, message);
  }
  await stillServing();
});

test('state at a block that does not exist is geth\'s -32000 "header not found"', async () => {
  const res = await h.rpc('eth_getBalance', [DEV_ADDRESSES[0], '0xffffff']);
  assert.deepEqual(res.error, { code: -32000, message: 'header not found' });
  const byHash = await h.rpc('eth_getBalance', [DEV_ADDRESSES[0], { blockHash: `0x${'11'.repeat(32)}` }]);
  assert.deepEqual(byHash.error, { code: -32000, message: 'header for hash not found' });
});

test('an oversized body is refused with -32600 and HTTP 413', async () => {
  const big = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: ['x'.repeat(70 * 1024)] });
  const res = await h.post(big);
  assert.equal(res.status, 413);
  assert.equal(res.json.error.code, -32600);
  assert.match(res.json.error.message, /request body too large: limit 65536 bytes/);
  await stillServing();
});

test('an oversized batch is refused whole; a batch answers each call in order', async () => {
  const call = (id: number) => ({ jsonrpc: '2.0', id, method: 'eth_chainId' });
  const tooMany = await h.post(JSON.stringify(Array.from({ length: 11 }, (_, i) => call(i))));
  assert.equal(tooMany.json.error.code, -32600);
  assert.match(tooMany.json.error.message, /batch too large: 11 requests, limit 10/);
  const batch = await h.post(JSON.stringify([call(1), { jsonrpc: '2.0', id: 2, method: 'nope' }, { jsonrpc: '2.0', method: 'eth_chainId' }, 5]));
  assert.equal(batch.json.length, 3); // the notification gets no answer
  assert.deepEqual(batch.json.map((r: any) => r.id), [1, 2, null]);
  assert.equal(batch.json[0].result, '0x7a69');
  assert.equal(batch.json[1].error.code, -32601);
  assert.equal(batch.json[2].error.code, -32600);
  const onlyNotifications = await h.post(JSON.stringify([{ jsonrpc: '2.0', method: 'eth_chainId' }]));
  assert.equal(onlyNotifications.text, '');
});

test('rejected transactions get -32000 with geth\'s reason', async () => {
  const account = privateKeyToAccount(DEV_KEYS[1]!);
  const base = { to: DEV_ADDRESSES[0]!, gas: 21_000n, maxFeePerGas: parseGwei('3'), maxPriorityFeePerGas: 1n, chainId: 31337 } as const;
  const first = await account.signTransaction({ ...base, nonce: 0, value: 1n });
  assert.match((await h.rpc('eth_sendRawTransaction', [first])).result, /^0x[0-9a-f]{64}$/);
  const again = await h.rpc('eth_sendRawTransaction', [first]);
  assert.deepEqual(again.error, { code: -32000, message: 'already known' });
  await new Promise((resolve) => setTimeout(resolve, 20)); // automine seals it
  const stale = await h.rpc('eth_sendRawTransaction', [await account.signTransaction({ ...base, nonce: 0, value: 2n })]);
  assert.deepEqual(stale.error, { code: -32000, message: 'nonce too low: next nonce 1, tx nonce 0' });
  const wrongChain = await h.rpc('eth_sendRawTransaction', [await account.signTransaction({ ...base, nonce: 1, chainId: 1 })]);
  assert.equal(wrongChain.error.code, -32000);
  assert.match(wrongChain.error.message, /^invalid chain id/);
  const broke = await h.rpc('eth_sendRawTransaction', [await account.signTransaction({ ...base, nonce: 1, value: 10n ** 30n })]);
  assert.equal(broke.error.code, -32000);
  assert.match(broke.error.message, /^insufficient funds for gas \* price \+ value/);
  const garbage = await h.rpc('eth_sendRawTransaction', ['0x02c0ffee']);
  assert.equal(garbage.error.code, -32000);
  assert.match(garbage.error.message, /^invalid transaction encoding/);
});

test('reverts are code 3 with the revert bytes; viem decodes reason strings and custom errors', async () => {
  const raw = await h.rpc('eth_call', [{ to: REVERT_STRING, data: '0x' }, 'latest']);
  assert.equal(raw.error.code, 3);
  assert.equal(raw.error.message, 'execution reverted: not enough tokens');
  assert.match(raw.error.data, /^0x08c379a0/);
  const estimate = await h.rpc('eth_estimateGas', [{ to: REVERT_CUSTOM }]);
  assert.equal(estimate.error.code, 3);
  assert.equal(estimate.error.message, 'execution reverted');
  const panic = await h.rpc('eth_call', [{ to: REVERT_PANIC }, 'latest']);
  assert.equal(panic.error.message, 'execution reverted: arithmetic underflow or overflow');
  const outOfGas = await h.rpc('eth_call', [{ to: DEV_ADDRESSES[0], gas: '0x1' }, 'latest']);
  assert.deepEqual(outOfGas.error, { code: -32000, message: 'out of gas' });

  const client = createPublicClient({ transport: http(h.server.url) });
  const revertOf = async (address: `0x${string}`) => {
    const err = await client.simulateContract({ address, abi: FIXTURE_ABI, functionName: 'withdraw', args: [1n] }).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof BaseError, 'expected a viem error');
    const reverted = err.walk((e) => e instanceof ContractFunctionRevertedError);
    assert.ok(reverted instanceof ContractFunctionRevertedError);
    return reverted;
  };
  assert.equal((await revertOf(REVERT_STRING)).reason, 'not enough tokens');
  const custom = await revertOf(REVERT_CUSTOM);
  assert.equal(custom.data?.errorName, 'InsufficientBalance');
  assert.deepEqual(custom.data?.args, [7n, 9n]);
});
