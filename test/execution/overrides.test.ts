// Call overrides, the prestate tracer, block traces and eth_simulateV1 on a real engine and store:
// state overrides (balance, code, state, stateDiff) live only in the query's scratch state, the
// prestate tracer's diff matches geth's shape on a transfer and a storage write, a block trace
// lists every transaction, and a simulation carries a state override from block 1 to block 2.
import test from 'node:test';
import assert from 'node:assert/strict';
import type { Hex } from '../../src/chain/types.js';
import { runQuery } from '../../src/execution/query-jobs.js';
import type { CallResult } from '../../src/execution/queries.js';
import type { SimulatedBlock } from '../../src/execution/simulate.js';
import type { BlockTraceEntry } from '../../src/execution/trace-jobs.js';
import { address, blockInput, common, ETHER, genesisSpec, openHarness, transfer } from './helpers.js';

/** Returns SLOAD(0) and SLOAD(1) as two words. */
const READ_TWO_SLOTS: Hex = '0x60005460005260015460205260406000f3';
/** Returns BALANCE(CALLER). */
const CALLER_BALANCE: Hex = '0x333160005260206000f3';
/** SSTORE(0, CALLDATALOAD(0)). */
const STORE_ARG: Hex = '0x600035600055';
const STORE: Hex = '0x00000000000000000000000000000000000057a3';
const READER: Hex = '0x000000000000000000000000000000000000beef';
const RECIPIENT: Hex = '0x000000000000000000000000000000000000f00d';
const word = (n: bigint) => `0x${n.toString(16).padStart(64, '0')}` as Hex;

function spec() {
  const s = genesisSpec();
  return { ...s, alloc: { ...s.alloc, [STORE]: { balance: 0n, code: STORE_ARG, storage: { [word(0n)]: word(5n) } }, [READER]: { balance: 0n, code: READ_TWO_SLOTS, storage: { [word(0n)]: word(1n), [word(1n)]: word(2n) } } } };
}

test('state overrides change only the query: balance, code, state and stateDiff', async () => {
  const h = await openHarness(spec());
  try {
    const at = h.engine.head();
    const call = (overrides: object | undefined, to: Hex = READER, from?: Hex) =>
      runQuery(h.store, common, { kind: 'call', at, params: { to, ...(from === undefined ? {} : { from }) }, gasCap: 0n, overrides }) as Promise<CallResult>;
    assert.equal((await call(undefined)).returnData, `${word(1n)}${word(2n).slice(2)}`);
    // stateDiff changes the named slot only; state replaces the whole storage.
    assert.equal((await call({ state: { [READER]: { stateDiff: { [word(1n)]: word(9n) } } } })).returnData, `${word(1n)}${word(9n).slice(2)}`);
    assert.equal((await call({ state: { [READER]: { state: { [word(1n)]: word(9n) } } } })).returnData, `${word(0n)}${word(9n).slice(2)}`);
    // code: an address without code runs the override; balance: the caller's balance as overridden.
    const fresh: Hex = '0x00000000000000000000000000000000000c0de1';
    const balance = await call({ state: { [fresh]: { code: CALLER_BALANCE }, [address(3)]: { balance: 12345n } } }, fresh, address(3));
    assert.equal(BigInt(balance.returnData), 12345n);
    // Nothing reached the chain.
    assert.equal(await h.engine.getCode(fresh), '0x');
    assert.equal((await h.engine.getAccount(address(3))).balance, 100n * ETHER);
    assert.equal((await call(undefined)).returnData, `${word(1n)}${word(2n).slice(2)}`);
    // A block override reaches the EVM: NUMBER of the overridden block (PUSH NUMBER, return it).
    const number = await runQuery(h.store, common, { kind: 'call', at, params: { to: fresh }, gasCap: 0n, overrides: { state: { [fresh]: { code: '0x4360005260206000f3' } }, block: { number: 777n } } }) as CallResult;
    assert.equal(BigInt(number.returnData), 777n);
  } finally {
    await h.cleanup();
  }
});

test('prestateTracer: pre state and diff of a transfer and of a storage write, as geth shapes them', async () => {
  const h = await openHarness(spec());
  try {
    const value = 10n ** 15n;
    const result = await h.engine.executeBlock(blockInput(h.engine, [
      transfer(0, { nonce: 0n, to: RECIPIENT, value }),
      transfer(1, { nonce: 0n, to: STORE, data: word(42n), gasLimit: 100_000n }),
    ]));
    assert.equal(result.receipts.length, 2);
    const target = (index: number) => ({ parent: h.store.getBlockByNumber(result.block.number - 1n)!, block: result.block, index });
    const pre = (await runQuery(h.store, common, { kind: 'trace', target: target(0), options: { tracer: 'prestateTracer' } })) as Record<Hex, { balance: Hex; nonce?: number }>;
    assert.equal(BigInt(pre[address(0)]!.balance), 100n * ETHER);
    assert.equal(pre[address(0)]!.nonce, undefined, 'nonce 0 is omitted');
    assert.deepEqual(pre[RECIPIENT], { balance: '0x0' });

    const diff = (await runQuery(h.store, common, { kind: 'trace', target: target(0), options: { tracer: 'prestateTracer', tracerConfig: { diffMode: true } } })) as { pre: Record<Hex, Record<string, unknown>>; post: Record<Hex, Record<string, unknown>> };
    const receipt = result.receipts[0]!;
    const fee = receipt.gasUsed * receipt.effectiveGasPrice;
    assert.equal(BigInt(diff.post[address(0)]!.balance as Hex), 100n * ETHER - value - fee);
    assert.equal(diff.post[address(0)]!.nonce, 1);
    assert.deepEqual(diff.post[RECIPIENT], { balance: `0x${value.toString(16)}` });
    assert.ok(!(RECIPIENT in diff.pre) || diff.pre[RECIPIENT]!.balance === '0x0');

    const store = (await runQuery(h.store, common, { kind: 'trace', target: target(1), options: { tracer: 'prestateTracer', tracerConfig: { diffMode: true } } })) as typeof diff;
    assert.deepEqual(store.pre[STORE], { balance: '0x0', code: STORE_ARG, storage: { [word(0n)]: word(5n) } });
    assert.deepEqual(store.post[STORE], { storage: { [word(0n)]: word(42n) } }, 'post names only what changed');
    const noStorage = (await runQuery(h.store, common, { kind: 'trace', target: target(1), options: { tracer: 'prestateTracer', tracerConfig: { disableStorage: true, disableCode: true } } })) as Record<Hex, Record<string, unknown>>;
    assert.deepEqual(noStorage[STORE], { balance: '0x0' });
  } finally {
    await h.cleanup();
  }
});

test('traceBlock answers [{txHash, result}] for every transaction, on the parent state', async () => {
  const h = await openHarness(spec());
  try {
    const result = await h.engine.executeBlock(blockInput(h.engine, [transfer(0, { nonce: 0n, to: RECIPIENT, value: 1n }), transfer(1, { nonce: 0n, to: STORE, data: word(7n), gasLimit: 100_000n })]));
    const parent = h.store.getBlockByNumber(result.block.number - 1n)!;
    const traces = (await runQuery(h.store, common, { kind: 'traceBlock', parent, block: result.block, options: { tracer: 'callTracer' } })) as BlockTraceEntry[];
    assert.deepEqual(traces.map((t) => t.txHash), result.block.transactions);
    const second = traces[1] as { result: { type: string; to: Hex; input: Hex } };
    assert.equal(second.result.type, 'CALL');
    assert.equal(second.result.to, STORE);
    assert.equal(second.result.input, word(7n));
    const logs = (await runQuery(h.store, common, { kind: 'traceBlock', parent, block: result.block, options: {} })) as { result: { structLogs: unknown[]; failed: boolean } }[];
    assert.equal(logs[0]!.result.structLogs.length, 0, 'a plain transfer runs no code');
    assert.ok(logs[1]!.result.structLogs.length > 3);
  } finally {
    await h.cleanup();
  }
});

test('eth_simulateV1: two blocks, a state override of block 1 carried into block 2, numbers and times in order', async () => {
  const h = await openHarness(spec());
  try {
    const at = h.engine.head();
    const request = {
      validation: false,
      traceTransfers: false,
      blockStateCalls: [
        { stateOverrides: { [READER]: { stateDiff: { [word(0n)]: word(77n) } } }, calls: [{ from: address(0), to: READER }, { from: address(0), to: STORE, data: word(9n) }] },
        { blockOverrides: { time: at.timestamp + 100n }, calls: [{ from: address(0), to: READER }, { from: address(0), to: RECIPIENT, value: 5n }] },
      ],
    };
    const blocks = (await runQuery(h.store, common, { kind: 'simulate', at, request, gasCap: 50_000_000n })) as SimulatedBlock[];
    assert.equal(blocks.length, 2);
    assert.equal(blocks[0]!.block.number, at.number + 1n);
    assert.equal(blocks[1]!.block.number, at.number + 2n);
    assert.equal(blocks[0]!.block.timestamp, at.timestamp + 12n);
    assert.equal(blocks[1]!.block.timestamp, at.timestamp + 100n);
    assert.equal(blocks[1]!.block.parentHash, blocks[0]!.block.hash);
    assert.equal(blocks[0]!.calls[0]!.returnData, `${word(77n)}${word(2n).slice(2)}`);
    assert.equal(blocks[1]!.calls[0]!.returnData, `${word(77n)}${word(2n).slice(2)}`, 'the override of block 1 holds in block 2');
    assert.equal(blocks[1]!.calls[1]!.status, 1);
    assert.equal(blocks[0]!.transactions[1]!.nonce, 1n, 'the second call of the sender has the next nonce');
    assert.ok(blocks[0]!.block.gasUsed > 21_000n * 2n);
    // The chain is untouched.
    assert.equal(h.engine.head().number, at.number);
    assert.equal(await h.engine.getStorageAt(READER, word(0n)), word(1n));
    // Out of order: geth's -38020.
    await assert.rejects(
      runQuery(h.store, common, { kind: 'simulate', at, request: { ...request, blockStateCalls: [{ blockOverrides: { number: at.number + 3n }, calls: [] }, { blockOverrides: { number: at.number + 2n }, calls: [] }] }, gasCap: 0n }),
      (e: unknown) => (e as { rpcCode?: number }).rpcCode === -38020,
    );
  } finally {
    await h.cleanup();
  }
});
