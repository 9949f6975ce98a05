// Call overrides, tracers and eth_simulateV1 against a LIVE devnet through viem: publicClient.call
// with a stateOverride (code and storage of a contract that does not exist on chain, a balance),
// a prestateTracer diff of a real storage write read through client.request, debug_traceCall
// with an override, debug_traceBlockByNumber's shape, and eth_simulateV1 across two blocks.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicClient, createWalletClient, decodeFunctionResult, encodeFunctionData, http, pad, toHex, type Address, type Hex, type PublicClient, type WalletClient } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { startTestDevnet, TEST_PORT_BASE, until, type TestDevnet } from '../helpers/devnet.js';
import { compileContracts, DEV_ACCOUNTS, devnetChain, RECEIPT_TIMEOUT_MS, type CompiledContract } from './helpers.js';

const DEVNET_SLOT = 7;
const RPC_PORT = TEST_PORT_BASE + DEVNET_SLOT * 20;
const chain = devnetChain(RPC_PORT);
const URL = `http://127.0.0.1:${RPC_PORT}`;
const deployer = privateKeyToAccount(DEV_ACCOUNTS[0]!.privateKey);
/** Returns SLOAD(0). */
const READ_SLOT_ZERO: Hex = '0x60005460005260206000f3';
const GHOST: Address = '0x00000000000000000000000000000000000c0de5';

let devnet: TestDevnet;
let counter: CompiledContract;
let client: PublicClient;
let wallet: WalletClient;
let address: Address;

before(async () => {
  counter = compileContracts().Counter!;
  devnet = await startTestDevnet({ validators: 4, slot: DEVNET_SLOT });
  client = createPublicClient({ chain, transport: http(URL), pollingInterval: 250 }) as PublicClient;
  wallet = createWalletClient({ chain, transport: http(URL), account: deployer });
  // The first block is final before the first transaction goes in (a fresh chain may still be starting).
  await until('the devnet finalizes a block', async () => ((await client.getBlockNumber({ cacheTime: 0 })) >= 1n ? true : undefined), 60_000);
  const hash = await wallet.deployContract({ chain, account: deployer, abi: counter.abi, bytecode: counter.bytecode, args: [5n] });
  const receipt = await client.waitForTransactionReceipt({ hash, timeout: RECEIPT_TIMEOUT_MS });
  address = receipt.contractAddress!;
});

after(async () => {
  await devnet?.stop();
});

type Account = { balance?: Hex; nonce?: number; code?: Hex; storage?: Record<Hex, Hex> };

describe('call overrides, tracers and eth_simulateV1 on a live devnet', { timeout: 240_000 }, () => {
  test('viem call with a stateOverride: code, storage and balance that exist only for the call', async () => {
    const { data } = await client.call({ to: GHOST, stateOverride: [{ address: GHOST, code: READ_SLOT_ZERO, state: [{ slot: pad('0x0'), value: pad('0x2a') }] }] });
    assert.equal(BigInt(data!), 42n);
    // A stateDiff on the real contract: count() reads the overridden slot 0.
    const count = encodeFunctionData({ abi: counter.abi, functionName: 'count' });
    const real = await client.call({ to: address, data: count });
    assert.equal(BigInt(real.data!), 5n);
    const overridden = await client.call({ to: address, data: count, stateOverride: [{ address, stateDiff: [{ slot: pad('0x0'), value: pad('0x63') }] }] });
    assert.equal(decodeFunctionResult({ abi: counter.abi, functionName: 'count', data: overridden.data! }), 99n);
    // A balance override lets a broke sender send value; nothing reached the chain.
    const broke: Address = '0x00000000000000000000000000000000000b0e0e';
    await assert.rejects(client.call({ account: broke, to: GHOST, value: 10n }), /insufficient funds/);
    await client.call({ account: broke, to: GHOST, value: 10n, stateOverride: [{ address: broke, balance: 100n }] });
    assert.equal(await client.getCode({ address: GHOST }), undefined);
    assert.equal(await client.getBalance({ address: broke }), 0n);
  });

  test('prestateTracer diffMode of a storage write through client.request', async () => {
    const hash = await wallet.writeContract({ chain, account: deployer, address, abi: counter.abi, functionName: 'increment', args: [3n] });
    const receipt = await client.waitForTransactionReceipt({ hash, timeout: RECEIPT_TIMEOUT_MS });
    assert.equal(receipt.status, 'success');
    const request = client.request as (args: { method: string; params: unknown[] }) => Promise<unknown>;
    const diff = (await request({ method: 'debug_traceTransaction', params: [hash, { tracer: 'prestateTracer', tracerConfig: { diffMode: true } }] })) as { pre: Record<Address, Account>; post: Record<Address, Account> };
    const key = address.toLowerCase() as Address;
    const slot0 = pad('0x0');
    assert.equal(BigInt(diff.pre[key]!.storage![slot0]!), 5n);
    assert.equal(BigInt(diff.post[key]!.storage![slot0]!), 8n);
    assert.equal(diff.post[key]!.balance, undefined, 'unchanged fields are left out of post');
    assert.equal(diff.post[key]!.code, undefined);
    const sender = deployer.address.toLowerCase() as Address;
    assert.equal(diff.post[sender]!.nonce, diff.pre[sender]!.nonce! + 1);
    assert.ok(BigInt(diff.post[sender]!.balance!) < BigInt(diff.pre[sender]!.balance!));
    const pre = (await request({ method: 'debug_traceTransaction', params: [hash, { tracer: 'prestateTracer' }] })) as Record<Address, Account>;
    assert.ok(pre[key]!.code!.length > 2, 'the contract comes with its code');
    // The same call traced with debug_traceCall and an override of the count.
    const data = encodeFunctionData({ abi: counter.abi, functionName: 'increment', args: [1n] });
    const traced = (await request({ method: 'debug_traceCall', params: [{ from: deployer.address, to: address, data }, 'latest', { tracer: 'prestateTracer', tracerConfig: { diffMode: true }, stateOverrides: { [address]: { stateDiff: { [slot0]: pad('0x64') } } } }] })) as typeof diff;
    assert.equal(BigInt(traced.pre[key]!.storage![slot0]!), 100n);
    assert.equal(BigInt(traced.post[key]!.storage![slot0]!), 101n);
    // debug_traceBlockByNumber: one {txHash, result} per transaction of the block.
    const block = (await request({ method: 'debug_traceBlockByNumber', params: [toHex(receipt.blockNumber), { tracer: 'callTracer' }] })) as { txHash: Hex; result: { to: Hex } }[];
    const mine = block.find((t) => t.txHash === hash);
    assert.ok(mine !== undefined, 'the block trace lists the transaction');
    assert.equal(mine.result.to, key);
  });

  test('eth_simulateV1: two blocks, the first one\'s state override and writes seen by the second', async () => {
    const request = client.request as (args: { method: string; params: unknown[] }) => Promise<unknown>;
    const count = encodeFunctionData({ abi: counter.abi, functionName: 'count' });
    const increment = encodeFunctionData({ abi: counter.abi, functionName: 'increment', args: [2n] });
    const blocks = (await request({
      method: 'eth_simulateV1',
      params: [{ blockStateCalls: [
        { stateOverrides: { [address]: { stateDiff: { [pad('0x0')]: pad('0x3e8') } } }, calls: [{ from: deployer.address, to: address, data: increment }] },
        { calls: [{ from: deployer.address, to: address, data: count }] },
      ] }, 'latest'],
    })) as { number: Hex; hash: Hex; parentHash: Hex; calls: { status: Hex; returnData: Hex; logs: unknown[] }[] }[];
    assert.equal(blocks.length, 2);
    assert.equal(blocks[1]!.parentHash, blocks[0]!.hash);
    assert.equal(blocks[0]!.calls[0]!.status, '0x1');
    assert.equal(blocks[0]!.calls[0]!.logs.length, 1, 'Incremented is logged');
    assert.equal(BigInt(blocks[1]!.calls[0]!.returnData), 1002n);
    assert.equal(BigInt((await client.call({ to: address, data: count })).data!), 8n, 'the chain is untouched');
  });
});
