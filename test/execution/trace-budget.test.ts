// debug_traceTransaction's byte budget: a memory-expanding loop traced with enableMemory would
// build gigabytes of struct logs well within the step limit; it is refused with TRACE_TOO_LARGE
// once the trace passes its bytes, and the process stays within memory.
import test from 'node:test';
import assert from 'node:assert/strict';
import type { Hex } from '../../src/chain/types.js';
import { ExecutionError } from '../../src/execution/errors.js';
import * as limits from '../../src/execution/limits.js';
import { CallTracer } from '../../src/execution/call-tracer.js';
import { replayTransaction, traceAt } from '../../src/execution/trace.js';
import { blockInput, common, openHarness, transfer } from './helpers.js';

/**
 * Creation code that loops forever writing a word one past the end of memory, so memory grows
 * by a word every 8 steps until the gas runs out:
 * PUSH1 0; JUMPDEST; DUP1; DUP1; MSTORE; PUSH1 32; ADD; PUSH1 2; JUMP
 */
const MEMORY_LOOP: Hex = '0x60005b808052602001600256';

test('a trace past its byte budget is refused with TRACE_TOO_LARGE before it is built', async () => {
  const h = await openHarness();
  try {
    // 75k gas: about 500 words of memory, ~60 MB of struct logs with memory.
    const small = await h.engine.executeBlock(blockInput(h.engine, [transfer(0, { nonce: 0n, data: MEMORY_LOOP, gasLimit: 75_000n })]));
    assert.equal(small.receipts[0]!.status, 0, 'the loop runs out of gas');
    const parent = h.store.getBlockByNumber(small.block.number - 1n)!;
    const budget = 4 * 1024 * 1024;
    await assert.rejects(
      traceAt(h.store, common, parent, small.block, 0, { enableMemory: true }, budget),
      (e: unknown) => e instanceof ExecutionError && e.code === 'TRACE_TOO_LARGE' && e.message.includes(`${budget} bytes`),
    );
    const lean = await traceAt(h.store, common, parent, small.block, 0, { disableStack: true, disableStorage: true }, budget);
    assert.ok(lean.structLogs.length > 1_000, 'without memory the same trace fits');

    // 1M gas with the real budget: gigabytes unbounded; refused, and the heap stays small.
    const big = await h.engine.executeBlock(blockInput(h.engine, [transfer(0, { nonce: 1n, data: MEMORY_LOOP, gasLimit: 1_000_000n })]));
    const before = process.memoryUsage().rss;
    await assert.rejects(
      h.engine.traceTransaction(big.block.transactions[0]!, { enableMemory: true }),
      (e: unknown) => e instanceof ExecutionError && e.code === 'TRACE_TOO_LARGE' && e.message.includes(`${limits.MAX_TRACE_BYTES} bytes`),
    );
    const grown = process.memoryUsage().rss - before;
    assert.ok(grown < 1024 * 1024 * 1024, `rss grew ${Math.round(grown / 2 ** 20)} MiB`);
  } finally {
    await h.cleanup();
  }
});

test('callTracer counts call inputs and outputs against the byte budget', async () => {
  const h = await openHarness();
  try {
    const input = `0x${'5b'.repeat(60_000)}` as Hex; // 60 kB of JUMPDESTs: 120 kB of hex in the frame
    const result = await h.engine.executeBlock(blockInput(h.engine, [transfer(0, { nonce: 0n, to: `0x${'77'.repeat(20)}`, data: input, gasLimit: 3_000_000n })]));
    const parent = h.store.getBlockByNumber(result.block.number - 1n)!;
    const budget = 100_000;
    await assert.rejects(
      replayTransaction(h.store, common, parent, result.block, 0, new CallTracer({}, budget)),
      (e: unknown) => e instanceof ExecutionError && e.code === 'TRACE_TOO_LARGE',
    );
    const frame = await replayTransaction(h.store, common, parent, result.block, 0, new CallTracer({}, 4 * budget));
    assert.equal(frame.input.length, 2 + 120_000);
  } finally {
    await h.cleanup();
  }
});
