// Output and time budgets of the JSON-RPC edge: a batch's and a response's size, a batch's wall
// time with the event loop let through between its calls, eth_getLogs scanning in slices, the
// cost-weighted rate limit covering loopback, return-data caps, and internal errors answered
// without their text.
import test from 'node:test';
import assert from 'node:assert/strict';
import type { Hex, LogRecord } from '../../src/chain/types.js';
import type { CallParams, ExecutionOutcome, LogQuery } from '../../src/rpc/backend.js';
// Namespace imports: each test fails on its own (not the whole file) against a build without them.
import * as rateLimit from '../../src/rpc/rate-limit.js';
import * as state from '../../src/rpc/methods/state.js';
import { MAX_LOG_BLOCK_RANGE } from '../../src/rpc/index.js';
import { DEV_ADDRESSES, MemoryBackend } from './memory-backend.js';
import { ManualClock, startHarness } from './helpers.js';

const call = (id: number, to: Hex = DEV_ADDRESSES[1]!) => ({ jsonrpc: '2.0', id, method: 'eth_call', params: [{ to }, 'latest'] });

/** Holds the thread for `ms`, as a long synchronous handler (EVM run, log scan) does. */
function spin(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy
  }
}

/** eth_call answers `bytes` of return data (or reverts with them). */
class BigReturnBackend extends MemoryBackend {
  constructor(private readonly bytes: number, private readonly kind: 'success' | 'revert' = 'success') {
    super();
  }
  override async call(): Promise<ExecutionOutcome> {
    return { kind: this.kind, returnData: `0x${'ab'.repeat(this.bytes)}`, gasUsed: 21_000n };
  }
}

/** eth_call holds the thread for a few milliseconds, like an EVM run; the first call is signalled. */
class SlowCallBackend extends MemoryBackend {
  calls = 0;
  readonly firstCall: Promise<void>;
  private signal!: () => void;
  constructor(private readonly ms: number) {
    super();
    this.firstCall = new Promise((resolve) => (this.signal = resolve));
  }
  override async call(params: CallParams): Promise<ExecutionOutcome> {
    if (this.calls++ === 0) this.signal();
    spin(this.ms);
    return super.call(params);
  }
}

test('a batch answers at most maxBatchResponseBytes: the calls past it get geth\'s -32003; one response is held to it too', async () => {
  const megabyte = 1_000_000;
  const h = await startHarness({ backend: new BigReturnBackend(megabyte), limits: { rateLimit: null, maxBatchResponseBytes: 5 * megabyte } });
  try {
    const batch = await h.post(JSON.stringify(Array.from({ length: 10 }, (_, i) => call(i))));
    assert.equal(batch.status, 200);
    assert.ok(batch.text.length <= 5 * megabyte, `batch answered ${batch.text.length} bytes`);
    assert.equal(batch.json.length, 10);
    assert.deepEqual(batch.json.map((r: any) => r.id), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.equal(batch.json[0].result.length, 2 + 2 * megabyte);
    assert.equal(batch.json[1].result.length, 2 + 2 * megabyte);
    for (const r of batch.json.slice(2)) {
      assert.equal(r.error.code, -32003);
      assert.match(r.error.message, /^response too large/);
    }
  } finally {
    await h.close();
  }
  const single = await startHarness({ backend: new BigReturnBackend(megabyte), limits: { rateLimit: null, maxBatchResponseBytes: megabyte } });
  try {
    const answer = await single.rpc('eth_call', [{ to: DEV_ADDRESSES[1] }, 'latest']);
    assert.equal(answer.error.code, -32003);
    assert.equal(answer.id, 1);
  } finally {
    await single.close();
  }
});

test('return and revert data past MAX_RETURN_DATA_BYTES are refused, not echoed', async () => {
  const big = await startHarness({ backend: new BigReturnBackend(state.MAX_RETURN_DATA_BYTES + 1), limits: { rateLimit: null } });
  try {
    const answer = await big.rpc('eth_call', [{ to: DEV_ADDRESSES[1] }, 'latest']);
    assert.equal(answer.error.code, -32005);
    assert.match(answer.error.message, /return data too large/);
  } finally {
    await big.close();
  }
  const reverted = await startHarness({ backend: new BigReturnBackend(state.MAX_RETURN_DATA_BYTES + 1, 'revert'), limits: { rateLimit: null } });
  try {
    const answer = await reverted.rpc('eth_call', [{ to: DEV_ADDRESSES[1] }, 'latest']);
    assert.equal(answer.error.code, 3);
    assert.equal(answer.error.data, undefined);
    assert.match(answer.error.message, /^execution reverted: revert data too large/);
  } finally {
    await reverted.close();
  }
});

test('a batch of 1,000 slow calls lets another request through and stops at its time budget', async () => {
  const backend = new SlowCallBackend(5); // 1,000 calls: 5 s of work
  const h = await startHarness({ backend, limits: { rateLimit: null, batchTimeBudgetMs: 500 } });
  try {
    const finished: string[] = [];
    const batch = h.post(JSON.stringify(Array.from({ length: 1_000 }, (_, i) => call(i)))).then((r) => {
      finished.push('batch');
      return r;
    });
    await backend.firstCall;
    const other = h.rpc('eth_blockNumber').then((r) => {
      finished.push('other');
      return r;
    });
    const [answer, head] = await Promise.all([batch, other]);
    assert.deepEqual(finished, ['other', 'batch'], 'a request sent while the batch ran is answered before it');
    assert.equal(head.result, '0x0');
    assert.equal(answer.json.length, 1_000);
    assert.equal(answer.json[0].result, '0x');
    const refused = answer.json.filter((r: any) => r.error !== undefined);
    assert.ok(refused.length > 0 && backend.calls < 1_000, `ran ${backend.calls} calls`);
    assert.equal(refused.length, 1_000 - backend.calls);
    assert.equal(refused[0].error.code, -32005);
    assert.match(refused[0].error.message, /^batch time budget exceeded/);
    assert.equal(answer.json.at(-1).id, 999);
  } finally {
    await h.close();
  }
});

/** getLogs costs a little thread time per block scanned, like the engine's bloom checks. */
class SlowScanBackend extends MemoryBackend {
  readonly firstScan: Promise<void>;
  private signal!: () => void;
  constructor() {
    super();
    this.firstScan = new Promise((resolve) => (this.signal = resolve));
  }
  override getLogs(q: LogQuery): readonly LogRecord[] {
    this.signal();
    spin(Number(q.toBlock - q.fromBlock + 1n) * 0.1);
    return super.getLogs(q);
  }
}

test('eth_getLogs over a wide range lets other requests through while it scans', async () => {
  const backend = new SlowScanBackend();
  for (let i = 1n; i < MAX_LOG_BLOCK_RANGE; i++) backend.sealPending();
  const h = await startHarness({ backend, limits: { rateLimit: null } });
  try {
    const finished: string[] = [];
    const logs = h.rpc('eth_getLogs', [{ fromBlock: '0x0', toBlock: 'latest' }]).then((r) => {
      finished.push('logs');
      return r;
    });
    await backend.firstScan;
    const other = h.rpc('eth_chainId').then((r) => {
      finished.push('other');
      return r;
    });
    const [found, chain] = await Promise.all([logs, other]);
    assert.deepEqual(found.result, []);
    assert.equal(chain.result, '0x7a69');
    assert.deepEqual(finished, ['other', 'logs']);
  } finally {
    await h.close();
  }
});

test('the rate limit covers loopback by default and weighs calls by cost', async () => {
  const h = await startHarness({ clock: new ManualClock() });
  try {
    const callCost = rateLimit.METHOD_COST_TOKENS.get('eth_call')!;
    const affordable = rateLimit.DEFAULT_RATE_LIMIT_BURST / callCost;
    const batch = await h.post(JSON.stringify(Array.from({ length: affordable + 5 }, (_, i) => call(i))));
    const refused = batch.json.filter((r: any) => r.error !== undefined);
    assert.equal(refused.length, 5, 'the burst buys burst / cost calls, from 127.0.0.1 too');
    assert.equal(refused[0].id, affordable);
    assert.deepEqual(refused[0].error, { code: -32005, message: `rate limit exceeded: 1000 tokens per second per client, eth_call costs ${callCost}` });
    assert.equal((await h.rpc('eth_chainId')).error.code, -32005, 'the bucket is empty');
  } finally {
    await h.close();
  }
  const exempt = await startHarness({ clock: new ManualClock(), limits: { rateLimit: { requestsPerSecond: 1, burst: 1, exemptLoopback: true } } });
  try {
    for (let i = 0; i < 5; i++) assert.equal((await exempt.rpc('eth_call', [{ to: DEV_ADDRESSES[1] }, 'latest'])).result, '0x');
  } finally {
    await exempt.close();
  }
});

class FailingBackend extends MemoryBackend {
  override async getAccount(): Promise<{ nonce: bigint; balance: bigint }> {
    throw new Error('lmdb: cannot read /var/lib/synod/validator-0/chain/data.mdb (key 0xdeadbeef)');
  }
}

test('an internal error answers -32603 "internal error" without the exception text', async () => {
  const h = await startHarness({ backend: new FailingBackend(), limits: { rateLimit: null } });
  try {
    const answer = await h.post(JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'eth_getBalance', params: [DEV_ADDRESSES[0], 'latest'] }));
    assert.deepEqual(answer.json, { jsonrpc: '2.0', id: 7, error: { code: -32603, message: 'internal error' } });
    assert.doesNotMatch(answer.text, /lmdb|var\/lib|deadbeef/);
    assert.equal((await h.rpc('eth_chainId')).result, '0x7a69');
  } finally {
    await h.close();
  }
});

/** getLogs refuses past its limit the way the node's engine does (ExecutionError TOO_MANY_LOGS). */
class RefusingLogsBackend extends MemoryBackend {
  override getLogs(q: LogQuery): readonly LogRecord[] {
    throw Object.assign(new Error(`log query matches more than ${q.limit} logs: narrow the block range`), { code: 'TOO_MANY_LOGS' });
  }
}

test('eth_getLogs past the result limit is -32005 when the backend refuses rather than stops', async () => {
  const h = await startHarness({ backend: new RefusingLogsBackend(), limits: { rateLimit: null } });
  try {
    const answer = await h.rpc('eth_getLogs', [{ fromBlock: '0x0', toBlock: 'latest' }]);
    assert.equal(answer.error.code, -32005);
    assert.match(answer.error.message, /^query returned more than 10000 results/);
  } finally {
    await h.close();
  }
});
