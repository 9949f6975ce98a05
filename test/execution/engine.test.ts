import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createExecutionEngine, genesisHashOf } from '../../src/execution/engine.js';
import { EstimateGasError, ExecutionError } from '../../src/execution/errors.js';
import { openChainStore } from '../../src/storage/lmdb-store.js';
import { CHAIN_ID, ETHER, GWEI, address, blockInput, genesisSpec, legacyTransfer, openHarness, transfer } from './helpers.js';
import type { Hex } from '../../src/chain/types.js';

const RECIPIENT = '0x00000000000000000000000000000000000000aa' as Hex;
const TOPIC = `0x${'11'.repeat(32)}` as Hex;
// Runtime: if calldata[0] == 0xff revert with 0xdeadbeef; else copy calldata to memory,
// LOG1(calldata, TOPIC), store calldatasize in slot 0, stop. Hand-assembled (see offsets).
const RUNTIME = `0x600035` + `60f81c60ff14603c57` + `3660006000377f${'11'.repeat(32)}` + `366000a1` + `3660005500` + `5b63deadbeef600052600460` + `1cfd`;
const INITCODE = (`0x604a600c600039604a6000f3` + RUNTIME.slice(2)) as Hex;

test('genesis is deterministic and a reopened store must match the genesis spec', async () => {
  const a = await openHarness();
  const b = await openHarness();
  try {
    assert.equal(a.engine.head().hash, b.engine.head().hash);
    assert.equal(a.engine.head().number, 0n);
    assert.equal(a.engine.head().hash, await genesisHashOf(CHAIN_ID, genesisSpec()));
    assert.equal((await a.engine.getAccount(address(1))).balance, 100n * ETHER);
    await a.store.close();
    const store = await openChainStore(a.dir);
    await assert.rejects(createExecutionEngine({ store, chainId: CHAIN_ID, genesis: genesisSpec(5) }), (e: unknown) => e instanceof ExecutionError && e.code === 'GENESIS_MISMATCH' && /another chain/.test(e.message));
    await store.close();
  } finally {
    await a.cleanup();
    await b.cleanup();
  }
});

test('transfers move balances and nonces and produce receipts with cumulative gas', async () => {
  const h = await openHarness();
  try {
    const txs = [transfer(0, { nonce: 0n, to: RECIPIENT, value: 5n }), legacyTransfer(1, { nonce: 0n, to: RECIPIENT, value: 7n }), transfer(0, { nonce: 1n, to: RECIPIENT, value: 1n })];
    const { block, receipts, skipped } = await h.engine.executeBlock(blockInput(h.engine, txs));
    assert.deepEqual(skipped, []);
    assert.equal(block.number, 1n);
    assert.equal(block.parentHash, (await h.engine.getBlockByNumber(0n))!.hash);
    assert.equal(block.gasUsed, 63_000n);
    assert.deepEqual(receipts.map((r) => r.cumulativeGasUsed), [21_000n, 42_000n, 63_000n]);
    assert.deepEqual(receipts.map((r) => r.type), [2, 0, 2]);
    assert.ok(receipts.every((r) => r.status === 1 && r.blockHash === block.hash));
    assert.equal(receipts[0].effectiveGasPrice, GWEI + GWEI / 10n);
    assert.equal((await h.engine.getAccount(RECIPIENT)).balance, 13n);
    const sender = await h.engine.getAccount(address(0));
    assert.equal(sender.nonce, 2n);
    assert.equal(sender.balance, 100n * ETHER - 6n - 2n * 21_000n * (GWEI + GWEI / 10n));
    assert.deepEqual(h.engine.getReceipt(block.transactions[1]), receipts[1]);
    assert.equal(h.engine.getTransaction(block.transactions[2])?.from, address(0));
    assert.equal(h.engine.getBlockByHash(block.hash)?.number, 1n);
  } finally {
    await h.cleanup();
  }
});

test('invalid transactions are skipped with a reason while the others apply', async () => {
  const h = await openHarness();
  try {
    const poor = 9; // not funded
    const txs = [
      transfer(0, { nonce: 0n, to: RECIPIENT, value: 1n }),
      transfer(0, { nonce: 0n, to: RECIPIENT, value: 2n }), // nonce reused
      transfer(1, { nonce: 3n, to: RECIPIENT, value: 1n }), // nonce gap
      transfer(poor, { nonce: 0n, to: RECIPIENT, value: 1n }),
      transfer(2, { nonce: 0n, to: RECIPIENT, value: 1n, chainId: 1n }),
      transfer(3, { nonce: 0n, to: RECIPIENT, value: 1n, maxFeePerGas: GWEI / 2n }),
      transfer(3, { nonce: 0n, to: RECIPIENT, value: 1n, gasLimit: 70_000_000n }),
      new Uint8Array([0x02, 0xc0]),
      transfer(1, { nonce: 0n, to: RECIPIENT, value: 4n }),
    ];
    const { receipts, skipped } = await h.engine.executeBlock(blockInput(h.engine, txs));
    assert.equal(receipts.length, 2);
    const reasons = skipped.map((s) => s.reason);
    assert.equal(skipped.length, 7);
    assert.match(reasons[0], /nonce too low/);
    assert.match(reasons[1], /nonce too high/);
    assert.match(reasons[2], /insufficient funds for gas \* price \+ value/);
    assert.match(reasons[3], /chain id/);
    assert.match(reasons[4], /less than block base fee/);
    assert.match(reasons[5], /gas limit reached/);
    assert.match(reasons[6], /invalid transaction encoding/);
    assert.equal((await h.engine.getAccount(RECIPIENT)).balance, 5n);
    assert.equal((await h.engine.getAccount(address(3))).nonce, 0n);
  } finally {
    await h.cleanup();
  }
});

test('a deployed contract emits logs found by getLogs, reverts return data, and old state stays readable', async () => {
  const h = await openHarness();
  try {
    const deploy = await h.engine.executeBlock(blockInput(h.engine, [transfer(0, { nonce: 0n, data: INITCODE, gasLimit: 200_000n })]));
    const contract = deploy.receipts[0].contractAddress!;
    assert.ok(contract);
    assert.equal(deploy.receipts[0].status, 1);
    assert.equal(await h.engine.getCode(contract), `0x${RUNTIME.slice(2)}`);

    const ping = await h.engine.executeBlock(blockInput(h.engine, [transfer(0, { nonce: 1n, to: contract, data: '0x0102', gasLimit: 100_000n }), transfer(0, { nonce: 2n, to: contract, data: '0xff', gasLimit: 100_000n })]));
    assert.deepEqual(ping.receipts.map((r) => r.status), [1, 0]);
    assert.deepEqual(ping.receipts[0].logs.map((l) => [l.address, l.topics, l.data]), [[contract, [TOPIC], '0x0102']]);
    assert.equal(await h.engine.getStorageAt(contract, '0x00'), `0x${'00'.repeat(31)}02`);
    assert.equal(await h.engine.getStorageAt(contract, '0x00', 1n), `0x${'00'.repeat(32)}`);

    const head = h.engine.head().number;
    assert.equal(h.engine.getLogs({ fromBlock: 0n, toBlock: head, addresses: [contract], topics: [TOPIC] }).length, 1);
    assert.equal(h.engine.getLogs({ fromBlock: 0n, toBlock: head, topics: [[`0x${'22'.repeat(32)}`, TOPIC]] })[0].data, '0x0102');
    assert.equal(h.engine.getLogs({ fromBlock: 0n, toBlock: head, addresses: [RECIPIENT] }).length, 0);
    assert.equal(h.engine.getLogs({ fromBlock: 0n, toBlock: head, topics: [`0x${'22'.repeat(32)}`] }).length, 0);
    assert.equal(h.engine.getLogs({ fromBlock: 0n, toBlock: head, blockHash: ping.block.hash })[0].logIndex, 0);

    const ok = await h.engine.call({ from: address(1), to: contract, data: '0x05' });
    assert.equal(ok.reverted, false);
    const reverted = await h.engine.call({ from: address(1), to: contract, data: '0xff' });
    assert.deepEqual([reverted.reverted, reverted.returnData], [true, '0xdeadbeef']);
    await assert.rejects(h.engine.estimateGas({ from: address(1), to: contract, data: '0xff' }), (e: unknown) => e instanceof EstimateGasError && e.revertData === '0xdeadbeef');
    const estimate = await h.engine.estimateGas({ from: address(1), to: contract, data: '0x0102' });
    assert.ok(estimate > 21_000n && estimate < 100_000n, `estimate ${estimate}`);
    const exact = await h.engine.call({ from: address(1), to: contract, data: '0x0102', gas: estimate });
    assert.equal(exact.reverted || exact.error !== undefined, false);
    const short = await h.engine.call({ from: address(1), to: contract, data: '0x0102', gas: estimate - 1n });
    assert.ok(short.error !== undefined || short.reverted, 'one gas less fails');
    // Calls never change state.
    assert.equal((await h.engine.getAccount(address(1))).nonce, 0n);
    assert.equal(await h.engine.getStorageAt(contract, '0x00'), `0x${'00'.repeat(31)}02`);

    assert.equal((await h.engine.getAccount(address(0), 0n)).nonce, 0n);
    assert.equal((await h.engine.getAccount(address(0), 1n)).nonce, 1n);
    assert.equal(await h.engine.getCode(contract, 0n), '0x');

    const trace = await h.engine.traceTransaction(ping.block.transactions[0]);
    assert.equal(trace.failed, false);
    assert.ok(trace.structLogs.some((s) => s.op === 'LOG1'));
    assert.equal(trace.structLogs[0].op, 'PUSH1');

    const proof = await h.engine.getProof(contract, ['0x00']);
    assert.ok(proof.accountProof.length > 0);
    assert.equal(proof.storageProof[0].value, 2n);
  } finally {
    await h.cleanup();
  }
});

test('a reopened store continues the chain from its head', async () => {
  const h = await openHarness();
  try {
    await h.engine.executeBlock(blockInput(h.engine, [transfer(0, { nonce: 0n, to: RECIPIENT, value: 1n })]));
    const head = h.engine.head();
    await h.store.close();
    const store = await openChainStore(h.dir);
    const engine = await createExecutionEngine({ store, chainId: CHAIN_ID, genesis: genesisSpec() });
    assert.deepEqual(engine.head(), head);
    await assert.rejects(engine.executeBlock({ ...blockInput(engine, []), height: 5n }), (e: unknown) => e instanceof ExecutionError && e.code === 'WRONG_HEIGHT');
    const seen: bigint[] = [];
    const off = engine.onBlock((block) => seen.push(block.number));
    const next = await engine.executeBlock(blockInput(engine, [transfer(0, { nonce: 1n, to: RECIPIENT, value: 1n })]));
    off();
    assert.deepEqual(seen, [2n]);
    assert.equal(next.block.parentHash, head.hash);
    assert.equal((await engine.getAccount(RECIPIENT)).balance, 2n);
    await store.close();
    h.store = await openChainStore(h.dir);
  } finally {
    await h.cleanup();
  }
});

test('the same block on two validators gives the same hash and state root', async () => {
  const a = await openHarness();
  const b = await openHarness();
  try {
    const txs = [transfer(0, { nonce: 0n, to: RECIPIENT, value: 1n }), transfer(1, { nonce: 0n, to: address(2), value: ETHER })];
    const input = blockInput(a.engine, txs);
    const [ra, rb] = [await a.engine.executeBlock(input), await b.engine.executeBlock(input)];
    assert.equal(ra.block.hash, rb.block.hash);
    assert.equal(ra.block.stateRoot, rb.block.stateRoot);
    assert.equal(ra.block.receiptsRoot, rb.block.receiptsRoot);
    // The hash is keccak(rlp(header)) over Ethereum's header fields: a different extraData changes it.
    const c = await openHarness();
    try {
      const other = await c.engine.executeBlock({ ...input, extraData: `0x${'01'.repeat(32)}` });
      assert.notEqual(other.block.hash, ra.block.hash);
      assert.equal(other.block.stateRoot, ra.block.stateRoot);
    } finally {
      await c.cleanup();
    }
  } finally {
    await a.cleanup();
    await b.cleanup();
  }
});
