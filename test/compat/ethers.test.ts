// ethers v6 against a LIVE 4-validator devnet: JsonRpcProvider (which batches its requests),
// Wallet and NonceManager, ContractFactory deploy, calls and transactions, event filters with
// queryFilter, contract.on over a WebSocketProvider, and revert decoding (reason string, custom
// error, panic) on the call and estimateGas paths.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Contract,
  ContractFactory,
  JsonRpcProvider,
  Network,
  NonceManager,
  Wallet,
  WebSocketProvider,
  isCallException,
  parseEther,
  type ContractTransactionResponse,
  type EventLog,
  type Log,
} from 'ethers';
import { startTestDevnet, TEST_PORT_BASE, until, type TestDevnet } from '../helpers/devnet.js';
import { CHAIN_ID, compileContracts, DEV_ACCOUNTS, RECEIPT_TIMEOUT_MS, type CompiledContract } from './helpers.js';

const DEVNET_SLOT = 2;
const RPC_PORT = TEST_PORT_BASE + DEVNET_SLOT * 20;
const URL = `http://127.0.0.1:${RPC_PORT}`;
const WS_URL = `ws://127.0.0.1:${RPC_PORT + 2}`;
const network = Network.from({ chainId: CHAIN_ID, name: 'synod-devnet' });
const RECIPIENT = '0x000000000000000000000000000000000000bEEF';
/** ethers polls for receipts and events; a short interval keeps the test fast. */
const POLLING_INTERVAL_MS = 250;

let devnet: TestDevnet;
let artifact: CompiledContract;
let provider: JsonRpcProvider;
let owner: Wallet;
let stranger: Wallet;
let counter: Contract;
let deployBlock: number;

async function mined(tx: Promise<ContractTransactionResponse>) {
  const receipt = await (await tx).wait(1, RECEIPT_TIMEOUT_MS);
  assert.ok(receipt !== null);
  assert.equal(receipt.status, 1);
  return receipt;
}

/** The error a rejected promise carries (a passing promise fails the test). */
async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => assert.fail(`expected a revert, got ${String(value)}`),
    (error: unknown) => error,
  );
}

before(async () => {
  artifact = compileContracts().Counter!;
  devnet = await startTestDevnet({ validators: 4, slot: DEVNET_SLOT });
  provider = new JsonRpcProvider(URL, network, { staticNetwork: network, pollingInterval: POLLING_INTERVAL_MS });
  owner = new Wallet(DEV_ACCOUNTS[0]!.privateKey, provider);
  stranger = new Wallet(DEV_ACCOUNTS[1]!.privateKey, provider);
});

after(async () => {
  provider?.destroy();
  await devnet?.stop();
});

describe('ethers v6 against a live devnet', { timeout: 180_000 }, () => {
  test('provider basics: network, blocks by tag, balances, fee data', async () => {
    assert.equal((await provider.getNetwork()).chainId, BigInt(CHAIN_ID));
    const head = await provider.getBlockNumber();
    for (const tag of ['latest', 'safe', 'finalized', 'pending', 'earliest']) {
      const block = await provider.getBlock(tag);
      assert.ok(block !== null, `block ${tag}`);
      if (tag === 'earliest') assert.equal(block.number, 0);
      else assert.ok(block.number >= head);
    }
    assert.equal(await provider.getBalance(DEV_ACCOUNTS[9]!.address), parseEther('10000'));
    const fees = await provider.getFeeData();
    assert.ok(fees.maxFeePerGas! > 0n && fees.maxPriorityFeePerGas! > 0n && fees.gasPrice! > 0n);
  });

  test('ContractFactory deploys the contract and its calls read it back', async () => {
    const factory = new ContractFactory(artifact.abi as any, artifact.bytecode, owner);
    const deployed = await factory.deploy(7n);
    const receipt = await deployed.deploymentTransaction()!.wait(1, RECEIPT_TIMEOUT_MS);
    await deployed.waitForDeployment();
    counter = deployed as unknown as Contract;
    deployBlock = receipt!.blockNumber;
    assert.equal(await counter.getFunction('count')(), 7n);
    assert.equal(await counter.getFunction('owner')(), owner.address);
    assert.ok((await provider.getCode(await counter.getAddress())).length > 2);
  });

  test('transactions change state and emit events that queryFilter finds by topic', async () => {
    const receipt = await mined(counter.getFunction('increment')(5n));
    const parsed = receipt.logs.map((log) => counter.interface.parseLog(log)).find((e) => e?.name === 'Incremented');
    assert.deepEqual([...parsed!.args], [owner.address, 12n, 5n]);
    await mined(counter.getFunction('increment')(3n));
    await mined(counter.connect(stranger).getFunction('increment')(1n) as Promise<ContractTransactionResponse>);
    const head = await provider.getBlockNumber();
    const all = (await counter.queryFilter(counter.filters.Incremented!(), deployBlock, head)) as EventLog[];
    assert.deepEqual(all.map((e) => e.args.step), [5n, 3n, 1n]);
    const byStranger = (await counter.queryFilter(counter.filters.Incremented!(stranger.address), deployBlock, head)) as EventLog[];
    assert.deepEqual(byStranger.map((e) => e.args.newCount), [16n]);
    const byCount = (await counter.queryFilter(counter.filters.Incremented!(null, 15n), deployBlock, head)) as EventLog[];
    assert.deepEqual(byCount.map((e) => e.args.by), [owner.address]);
    // The raw provider path, with an OR of two topics in one position.
    const topic = counter.interface.getEvent('Incremented')!.topicHash;
    const pad = (n: bigint) => `0x${n.toString(16).padStart(64, '0')}`;
    const logs: Log[] = await provider.getLogs({ address: await counter.getAddress(), topics: [topic, null, [pad(12n), pad(16n)]], fromBlock: deployBlock, toBlock: head });
    assert.equal(logs.length, 2);
  });

  test('revert reasons, custom errors and panics are decoded on call and estimateGas', async () => {
    const reason = await failure(counter.getFunction('requirePositive')(0n));
    assert.ok(isCallException(reason), String(reason));
    assert.equal(reason.reason, 'Counter: value must be positive');
    const reset = (counter.connect(stranger) as Contract).getFunction('reset');
    const custom = await failure(reset.staticCall());
    assert.ok(isCallException(custom), String(custom));
    assert.equal(custom.revert?.name, 'NotOwner');
    assert.deepEqual([...custom.revert!.args], [stranger.address, owner.address]);
    // Sending it fails in the signer's estimateGas, where ethers (against any node) leaves the
    // custom error undecoded; the revert bytes are there for the contract's interface to decode.
    const sent = await failure(reset());
    assert.ok(isCallException(sent), String(sent));
    assert.equal(sent.action, 'estimateGas');
    assert.equal(counter.interface.parseError(sent.data!)?.name, 'NotOwner');
    // ethers decodes custom errors only on static calls; estimateGas keeps the revert bytes.
    const estimated = await failure(counter.getFunction('increment').estimateGas(5000n));
    assert.ok(isCallException(estimated), String(estimated));
    assert.equal(estimated.action, 'estimateGas');
    const tooLarge = counter.interface.parseError(estimated.data!);
    assert.equal(tooLarge?.name, 'StepTooLarge');
    assert.deepEqual([...tooLarge!.args], [5000n, 1000n]);
    const estimatedReason = await failure(counter.getFunction('requirePositive').estimateGas(0n));
    assert.ok(isCallException(estimatedReason), String(estimatedReason));
    assert.equal(estimatedReason.reason, 'Counter: value must be positive');
    const panic = await failure(counter.getFunction('divide')(1n, 0n));
    assert.ok(isCallException(panic), String(panic));
    assert.equal(panic.revert?.name, 'Panic');
    assert.equal(BigInt(panic.revert!.args[0]), 0x12n); // division by zero
  });

  test('NonceManager sends several transactions without waiting in between', async () => {
    const sender = new NonceManager(new Wallet(DEV_ACCOUNTS[3]!.privateKey, provider));
    const before = await provider.getBalance(RECIPIENT);
    const sent = await Promise.all(Array.from({ length: 6 }, () => sender.sendTransaction({ to: RECIPIENT, value: parseEther('0.01') })));
    assert.deepEqual(sent.map((tx) => tx.nonce), [0, 1, 2, 3, 4, 5]);
    for (const tx of sent) assert.equal((await tx.wait(1, RECEIPT_TIMEOUT_MS))!.status, 1);
    assert.equal(await provider.getBalance(RECIPIENT), before + parseEther('0.06'));
    assert.equal(await provider.getTransactionCount(DEV_ACCOUNTS[3]!.address), 6);
    const fetched = await provider.getTransaction(sent[0]!.hash);
    assert.equal(fetched!.from, await sender.getAddress());
    assert.equal(fetched!.nonce, 0);
  });

  test('contract.on receives events over a WebSocketProvider', async () => {
    const ws = new WebSocketProvider(WS_URL, network, { staticNetwork: network });
    try {
      const listening = counter.connect(ws) as Contract;
      const seen: bigint[] = [];
      await listening.on('Incremented', (_by: string, _newCount: bigint, step: bigint) => {
        seen.push(step);
      });
      const blocks: number[] = [];
      await ws.on('block', (n: number) => blocks.push(n));
      await until('a block over the WebSocket', async () => (blocks.length > 0 ? true : undefined), RECEIPT_TIMEOUT_MS);
      await mined(counter.getFunction('increment')(77n));
      await until('the Incremented event over the WebSocket', async () => (seen.includes(77n) ? true : undefined), RECEIPT_TIMEOUT_MS);
      await listening.removeAllListeners();
    } finally {
      await ws.destroy();
    }
  });
});
