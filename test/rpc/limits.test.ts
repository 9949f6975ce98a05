// Query limits: eth_getLogs block range and result count, optional methods the backend lacks,
// and transactions still in the mempool.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createPublicClient, http } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import type { LogRecord } from '../../src/chain/types.js';
import type { LogQuery } from '../../src/rpc/backend.js';
import { MAX_LOG_BLOCK_RANGE, MAX_LOG_RESULTS } from '../../src/rpc/index.js';
import { DEV_ADDRESSES, DEV_KEYS, EMITTER, MemoryBackend } from './memory-backend.js';
import { startHarness } from './helpers.js';

class ChattyBackend extends MemoryBackend {
  override getLogs(q: LogQuery): readonly LogRecord[] {
    const block = this.getBlockByNumber(0n)!;
    return Array.from({ length: q.limit }, (_, i) => ({
      address: EMITTER, topics: [], data: '0x', blockNumber: 0n, blockHash: block.hash,
      transactionHash: block.hash, transactionIndex: 0, logIndex: i, removed: false as const,
    }));
  }
}

test('eth_getLogs refuses a range past the limit and a result past the limit with -32005', async () => {
  const backend = new ChattyBackend();
  for (let i = 0n; i < MAX_LOG_BLOCK_RANGE; i++) backend.sealPending();
  const h = await startHarness({ backend });
  try {
    const range = await h.rpc('eth_getLogs', [{ fromBlock: '0x0', toBlock: `0x${MAX_LOG_BLOCK_RANGE.toString(16)}` }]);
    assert.deepEqual(range.error, { code: -32005, message: `query exceeds max block range ${MAX_LOG_BLOCK_RANGE}: narrow fromBlock..toBlock` });
    const many = await h.rpc('eth_getLogs', [{ fromBlock: '0x0', toBlock: '0x0' }]);
    assert.equal(many.error.code, -32005);
    assert.match(many.error.message, new RegExp(`query returned more than ${MAX_LOG_RESULTS} results`));
    const reversed = await h.rpc('eth_getLogs', [{ fromBlock: '0x5', toBlock: '0x4' }]);
    assert.equal(reversed.error.code, -32000);
    const future = await h.rpc('eth_getLogs', [{ fromBlock: '0xffffff', toBlock: '0x1000000' }]);
    assert.deepEqual(future.result, []);
  } finally {
    await h.close();
  }
});

test('optional methods the backend does not implement are -32601; bad overrides are -32602', async () => {
  const h = await startHarness();
  try {
    assert.equal((await h.rpc('eth_getProof', [DEV_ADDRESSES[0], [], 'latest'])).error.code, -32601);
    assert.equal((await h.rpc('debug_traceTransaction', [`0x${'11'.repeat(32)}`])).error.code, -32601);
    const both = await h.rpc('eth_call', [{ to: DEV_ADDRESSES[0] }, 'latest', { [DEV_ADDRESSES[0]!]: { state: {}, stateDiff: {} } }]);
    assert.equal(both.error.code, -32602);
    assert.equal(both.error.message, `invalid argument 2: account ${DEV_ADDRESSES[0]!.toLowerCase()} has both 'state' and 'stateDiff'`);
    const good = await h.rpc('eth_call', [{ to: DEV_ADDRESSES[0] }, 'latest', { [DEV_ADDRESSES[0]!]: { balance: '0x1' } }, { number: '0x10' }]);
    assert.equal(good.error, undefined);
    assert.equal((await h.rpc('debug_traceCall', [{ to: DEV_ADDRESSES[0] }, 'latest'])).error.code, -32601);
    assert.equal((await h.rpc('eth_simulateV1', [{ blockStateCalls: [{ calls: [] }] }])).error.code, -32601);
  } finally {
    await h.close();
  }
});

test('a transaction in the mempool reads as pending, then as mined', async () => {
  const h = await startHarness();
  h.backend.automine = false;
  try {
    const client = createPublicClient({ transport: http(h.server.url) });
    const account = privateKeyToAccount(DEV_KEYS[0]!);
    const raw = await account.signTransaction({ to: DEV_ADDRESSES[1]!, value: 1n, gas: 21_000n, maxFeePerGas: 5_000_000_000n, maxPriorityFeePerGas: 1n, nonce: 0, chainId: 31337 });
    const hash = await client.sendRawTransaction({ serializedTransaction: raw });
    const pending = await client.getTransaction({ hash });
    assert.equal(pending.blockHash, null);
    assert.equal(pending.blockNumber, null);
    assert.equal(pending.gasPrice, 5_000_000_000n);
    assert.equal(await client.getTransactionCount({ address: account.address, blockTag: 'pending' }), 1);
    assert.equal(await client.getTransactionCount({ address: account.address }), 0);
    assert.equal((await h.rpc('eth_getTransactionReceipt', [hash])).result, null);
    h.backend.sealPending();
    const mined = await client.getTransaction({ hash });
    assert.equal(mined.blockNumber, 1n);
    assert.equal(mined.gasPrice, 1_000_000_001n, 'effective price: base fee + tip');
  } finally {
    await h.close();
  }
});
