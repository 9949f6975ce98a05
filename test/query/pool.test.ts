// The query pool: EVM queries in worker threads over the committed chain give the engine's own
// answers, see new blocks, respect the gas cap, and a query that runs past the timeout is cut
// off without holding the node's thread.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Hex } from '../../src/chain/types.js';
import { EstimateGasError } from '../../src/execution/errors.js';
import type { CallResult } from '../../src/execution/queries.js';
import { MAX_QUERY_STARVED_MS } from '../../src/query/limits.js';
import { QueryPool } from '../../src/query/pool.js';
import { QueryQueueFullError, QueryTimeoutError } from '../../src/query/errors.js';
import { CHAIN_ID, address, blockInput, genesisSpec, openHarness, transfer } from '../execution/helpers.js';

const LOOP = '0x00000000000000000000000000000000000000f1' as Hex; // JUMPDEST PUSH1 0 JUMP: spins until out of gas
const GAS_LEFT = '0x00000000000000000000000000000000000000f2' as Hex; // returns GAS as a 32-byte word
const COUNTER = '0x00000000000000000000000000000000000000f3' as Hex; // SSTORE(0, SLOAD(0)+1), returns the new value

function spec() {
  const base = genesisSpec();
  return {
    ...base,
    alloc: {
      ...base.alloc,
      [LOOP]: { balance: 0n, code: '0x5b600056' as Hex },
      [GAS_LEFT]: { balance: 0n, code: '0x5a60005260206000f3' as Hex },
      [COUNTER]: { balance: 0n, code: '0x600054600101806000556000526020' + '6000f3' as Hex },
    },
  };
}

test('worker answers equal the engine\'s own, and each new block is seen', async () => {
  const h = await openHarness(spec());
  const pool = new QueryPool({ dataDir: h.dir, chainId: CHAIN_ID, workers: 1 });
  try {
    const at = () => h.engine.queryBlock();
    const params = { from: address(1), to: COUNTER };
    const mine = (await pool.run({ kind: 'call', at: at(), params, gasCap: 50_000_000n })) as CallResult;
    assert.deepEqual(mine, await h.engine.call(params));
    assert.equal(BigInt(mine.returnData), 1n);
    assert.equal(await pool.run({ kind: 'estimateGas', at: at(), params, gasCap: 50_000_000n }), await h.engine.estimateGas(params));
    assert.deepEqual(await pool.run({ kind: 'createAccessList', at: at(), params, gasCap: 50_000_000n }), await h.engine.createAccessList(params));

    // Two blocks later the worker reads the new state (and still the old one at its number).
    const first = await h.engine.executeBlock(blockInput(h.engine, [transfer(0, { nonce: 0n, to: COUNTER, gasLimit: 100_000n })]));
    await h.engine.executeBlock(blockInput(h.engine, [transfer(0, { nonce: 1n, to: COUNTER, gasLimit: 100_000n })]));
    const now = (await pool.run({ kind: 'call', at: at(), params, gasCap: 50_000_000n })) as CallResult;
    assert.equal(BigInt(now.returnData), 3n);
    const then = (await pool.run({ kind: 'call', at: h.engine.queryBlock(1n), params, gasCap: 50_000_000n })) as CallResult;
    assert.equal(BigInt(then.returnData), 2n);

    const hash = first.block.transactions[0]!;
    assert.deepEqual(await pool.run({ kind: 'trace', target: h.engine.traceTarget(hash), options: {} }), await h.engine.traceTransaction(hash));
    assert.deepEqual(
      await pool.run({ kind: 'trace', target: h.engine.traceTarget(hash), options: { tracer: 'callTracer' } }),
      await h.engine.traceTransaction(hash, { tracer: 'callTracer' }),
    );
    // Typed errors keep their type across the thread boundary.
    await assert.rejects(pool.run({ kind: 'estimateGas', at: at(), params: { from: address(1), to: LOOP }, gasCap: 100_000n }), (e: unknown) => e instanceof EstimateGasError && /gas required exceeds allowance \(100000\)/.test(e.message));
  } finally {
    await pool.close();
    await h.cleanup();
  }
});

test('the gas cap lowers a call\'s gas (geth --rpc.gascap), whatever the caller asks', async () => {
  const h = await openHarness(spec());
  try {
    const gasLeft = async (gas: bigint | undefined) => BigInt((await h.engine.call({ from: address(1), to: GAS_LEFT, ...(gas === undefined ? {} : { gas }) })).returnData);
    // No gas given: min(block gas limit 60M, cap 50M) minus the intrinsic 21,000 and GAS's 2.
    assert.equal(await gasLeft(undefined), 50_000_000n - 21_002n);
    assert.equal(await gasLeft(2n ** 256n - 1n), 50_000_000n - 21_002n);
    assert.equal(await gasLeft(100_000n), 100_000n - 21_002n);
  } finally {
    await h.cleanup();
  }
});

test('a query past its timeout is aborted, the node\'s thread stays free, and the pool goes on', async () => {
  const h = await openHarness(spec());
  const pool = new QueryPool({ dataDir: h.dir, chainId: CHAIN_ID, workers: 1, timeoutMs: 400 });
  try {
    await pool.whenReady();
    let ticks = 0;
    let maxGapMs = 0;
    let last = Date.now();
    const ticker = setInterval(() => {
      const now = Date.now();
      maxGapMs = Math.max(maxGapMs, now - last);
      last = now;
      ticks++;
    }, 10);
    const started = Date.now();
    await assert.rejects(pool.run({ kind: 'call', at: h.engine.queryBlock(), params: { from: address(1), to: LOOP }, gasCap: 0n }), (e: unknown) => e instanceof QueryTimeoutError && e.message === 'execution aborted (timeout = 400ms)');
    const elapsed = Date.now() - started;
    clearInterval(ticker);
    // The deadline counts the worker's CPU time, so on a loaded machine the wall time stretches, up
    // to the pool's bound on starvation: past it the query is aborted whatever the worker got.
    assert.ok(elapsed < 400 + MAX_QUERY_STARVED_MS, `aborted after ${elapsed} ms`);
    // The loop ran in the worker: this thread kept its timers (a liveness check, generous bound).
    assert.ok(ticks >= 10 && maxGapMs < 300, `ticks ${ticks}, longest gap ${maxGapMs} ms`);
    await pool.whenReady(); // its replacement loads (about a second) before it takes work
    const after = (await pool.run({ kind: 'call', at: h.engine.queryBlock(), params: { from: address(1), to: COUNTER }, gasCap: 50_000_000n })) as CallResult;
    assert.equal(BigInt(after.returnData), 1n);
    assert.equal(pool.stats().timedOut, 1);
    assert.ok(pool.stats().workerRestarts >= 1);
  } finally {
    await pool.close();
    await h.cleanup();
  }
});

test('a full queue refuses new queries instead of growing', async () => {
  const h = await openHarness(spec());
  const pool = new QueryPool({ dataDir: h.dir, chainId: CHAIN_ID, workers: 1, timeoutMs: 2_000, maxQueued: 2 });
  try {
    const loop = () => pool.run({ kind: 'call', at: h.engine.queryBlock(), params: { from: address(1), to: LOOP }, gasCap: 0n });
    const running = [loop(), loop(), loop()].map((p) => p.catch((e: unknown) => e));
    await assert.rejects(loop(), (e: unknown) => e instanceof QueryQueueFullError);
    await pool.close();
    for (const outcome of await Promise.all(running)) assert.ok(outcome instanceof Error);
  } finally {
    await pool.close();
    await h.cleanup();
  }
});

test('the deadline runs from when a worker takes the query: a query asked while workers start is not timed out by their start', async () => {
  const h = await openHarness(spec());
  // A fresh pool's worker takes about a second to load; the query itself takes milliseconds.
  const pool = new QueryPool({ dataDir: h.dir, chainId: CHAIN_ID, workers: 1, timeoutMs: 250 });
  try {
    const result = (await pool.run({ kind: 'call', at: h.engine.queryBlock(), params: { from: address(1), to: COUNTER }, gasCap: 50_000_000n })) as CallResult;
    assert.equal(BigInt(result.returnData), 1n);
    assert.equal(pool.stats().timedOut, 0);
  } finally {
    await pool.close();
    await h.cleanup();
  }
});

test('a query that waits in the queue past its bound is answered, not held', async () => {
  const h = await openHarness(spec());
  const pool = new QueryPool({ dataDir: h.dir, chainId: CHAIN_ID, workers: 1, timeoutMs: 0, maxQueueWaitMs: 300 });
  try {
    await pool.whenReady();
    const spinning = pool.run({ kind: 'call', at: h.engine.queryBlock(), params: { from: address(1), to: LOOP }, gasCap: 2_000_000_000n }).catch((e: unknown) => e);
    await assert.rejects(pool.run({ kind: 'call', at: h.engine.queryBlock(), params: { from: address(1), to: COUNTER }, gasCap: 50_000_000n }), (e: unknown) => e instanceof QueryQueueFullError && /waited/.test((e as Error).message));
    await pool.close();
    assert.ok((await spinning) instanceof Error);
  } finally {
    await pool.close();
    await h.cleanup();
  }
});

const STAND_IN = new URL('./fixtures/stand-in-worker.mjs', import.meta.url);
const onLinux = { skip: process.platform !== 'linux' && 'the worker CPU clock is read from /proc' };
type StandInJob = { wait?: number; spin?: number };
const runStandIn = (pool: QueryPool, job: StandInJob) => pool.run(job as never);

test('the timeout counts the worker\'s CPU time: a query whose worker waits for a core is not ended by the wait, one that computes is ended on time', onLinux, async () => {
  const pool = new QueryPool({ dataDir: '/nonexistent', chainId: CHAIN_ID, workers: 1, timeoutMs: 300, maxStarvedMs: 10_000, workerUrl: STAND_IN });
  try {
    await pool.whenReady();
    // Off the CPU for 1.2 s (as a niced worker on a loaded machine): four times the timeout in wall time, no CPU.
    assert.equal(await runStandIn(pool, { wait: 1_200 }), 'done');
    assert.equal(pool.stats().timedOut, 0);
    const started = performance.now();
    await assert.rejects(runStandIn(pool, { spin: 10_000 }), (e: unknown) => e instanceof QueryTimeoutError && e.message === 'execution aborted (timeout = 300ms)');
    const elapsed = performance.now() - started;
    assert.ok(elapsed < 5_000, `a computing query was ended after ${elapsed.toFixed(0)} ms`);
    assert.equal(pool.stats().timedOut, 1);
  } finally {
    await pool.close();
  }
});

test('a query whose worker gets no core is still ended once it has waited its allowance past the timeout', onLinux, async () => {
  const pool = new QueryPool({ dataDir: '/nonexistent', chainId: CHAIN_ID, workers: 1, timeoutMs: 200, maxStarvedMs: 400, workerUrl: STAND_IN });
  try {
    await pool.whenReady();
    const started = performance.now();
    await assert.rejects(runStandIn(pool, { wait: 5_000 }), (e: unknown) => e instanceof QueryTimeoutError);
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= 590 && elapsed < 4_000, `ended after ${elapsed.toFixed(0)} ms (timeout 200 + allowance 400)`);
  } finally {
    await pool.close();
  }
});
