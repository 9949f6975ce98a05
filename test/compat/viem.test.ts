// viem against a LIVE 4-validator devnet (real consensus, real EVM, real sockets): public and
// wallet actions, a contract compiled with solc-js, deployed, read and written; events by topic
// across a block range; reverts with a reason string, a custom error and a panic, decoded by viem
// on the eth_call, simulate and estimateGas paths; fees, receipts, storage, proofs, filters, block
// tags; and watchBlocks / watchContractEvent over a WebSocket transport.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BaseError,
  ContractFunctionRevertedError,
  createPublicClient,
  createWalletClient,
  decodeErrorResult,
  encodeFunctionData,
  custom,
  getAddress,
  http,
  keccak256,
  parseEther,
  parseEventLogs,
  toHex,
  webSocket,
  type Address,
  type Hex,
  type PublicClient,
  type WalletClient,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { startTestDevnet, TEST_PORT_BASE, until, type TestDevnet } from '../helpers/devnet.js';
import { CHAIN_ID, compileContracts, DEV_ACCOUNTS, devnetChain, RECEIPT_TIMEOUT_MS, rpc, type CompiledContract } from './helpers.js';

const DEVNET_SLOT = 1;
const RPC_PORT = TEST_PORT_BASE + DEVNET_SLOT * 20;
const chain = devnetChain(RPC_PORT);
const URL = `http://127.0.0.1:${RPC_PORT}`;
const WS_URL = `ws://127.0.0.1:${RPC_PORT + 1}`; // a different validator than the writes go to
const deployer = privateKeyToAccount(DEV_ACCOUNTS[0]!.privateKey);
const stranger = privateKeyToAccount(DEV_ACCOUNTS[1]!.privateKey);
const RECIPIENT: Address = '0x000000000000000000000000000000000000bEEF';

let devnet: TestDevnet;
let counter: CompiledContract;
let client: PublicClient;
let wallet: WalletClient;
let address: Address;
let deployBlock: bigint;

/** The first revert error in viem's cause chain, which carries the decoded error. */
function revertOf(error: unknown): ContractFunctionRevertedError {
  assert.ok(error instanceof BaseError, `expected a viem error, got ${String(error)}`);
  const revert = error.walk((e) => e instanceof ContractFunctionRevertedError);
  assert.ok(revert instanceof ContractFunctionRevertedError, `no ContractFunctionRevertedError in: ${error.message}`);
  return revert;
}

async function increment(step: bigint): Promise<Hex> {
  const hash = await wallet.writeContract({ chain, account: deployer, address, abi: counter.abi, functionName: 'increment', args: [step] });
  const receipt = await client.waitForTransactionReceipt({ hash, timeout: RECEIPT_TIMEOUT_MS });
  assert.equal(receipt.status, 'success');
  return hash;
}

before(async () => {
  counter = compileContracts().Counter!;
  devnet = await startTestDevnet({ validators: 4, slot: DEVNET_SLOT });
  client = createPublicClient({ chain, transport: http(URL), pollingInterval: 250 }) as PublicClient;
  wallet = createWalletClient({ chain, transport: http(URL), account: deployer });
});

after(async () => {
  await devnet?.stop();
});

describe('viem against a live devnet', { timeout: 180_000 }, () => {
  test('public actions: chain id, blocks, balances, fees', async () => {
    assert.equal(await client.getChainId(), CHAIN_ID);
    const head = await client.getBlockNumber({ cacheTime: 0 });
    assert.ok(head >= 1n);
    const block = await client.getBlock({ blockNumber: head });
    assert.equal(block.number, head);
    assert.equal(typeof block.baseFeePerGas, 'bigint');
    assert.equal(await client.getBalance({ address: DEV_ACCOUNTS[9]!.address }), parseEther('10000'));
    assert.ok((await client.getGasPrice()) > 0n);
    const fees = await client.estimateFeesPerGas();
    assert.ok(fees.maxFeePerGas! >= block.baseFeePerGas! && fees.maxPriorityFeePerGas! > 0n);
    assert.ok((await client.estimateMaxPriorityFeePerGas()) > 0n);
    const history = await client.getFeeHistory({ blockCount: 4, blockNumber: head, rewardPercentiles: [25, 75] });
    const blocks = head + 1n < 4n ? Number(head) + 1 : 4; // no more blocks than the chain holds
    assert.equal(history.oldestBlock, head - BigInt(blocks) + 1n);
    assert.equal(history.baseFeePerGas.length, blocks + 1); // and the next block's
    assert.equal(history.reward!.length, blocks);
    assert.equal(history.gasUsedRatio.length, blocks);
  });

  test('block tags: latest, safe, finalized and pending name the final head; earliest is genesis', async () => {
    const [latest, safe, finalized, pending, earliest] = await Promise.all(
      (['latest', 'safe', 'finalized', 'pending', 'earliest'] as const).map((blockTag) => client.getBlock({ blockTag })),
    );
    assert.equal(earliest!.number, 0n);
    for (const b of [safe!, finalized!, pending!]) assert.ok(b.number! >= latest!.number! - 1n, `tag block ${b.number} far behind ${latest!.number}`);
  });

  test('wallet actions: a transfer gets a receipt and moves the value', async () => {
    const before = await client.getBalance({ address: RECIPIENT });
    const hash = await wallet.sendTransaction({ chain, account: deployer, to: RECIPIENT, value: parseEther('1.5') });
    const receipt = await client.waitForTransactionReceipt({ hash, timeout: RECEIPT_TIMEOUT_MS });
    assert.equal(receipt.status, 'success');
    assert.equal(receipt.gasUsed, 21_000n);
    assert.equal(await client.getBalance({ address: RECIPIENT }), before + parseEther('1.5'));
    const tx = await client.getTransaction({ hash });
    assert.equal(tx.from.toLowerCase(), deployer.address.toLowerCase());
    assert.equal(tx.type, 'eip1559');
    assert.equal(tx.blockNumber, receipt.blockNumber);
    assert.ok((await client.getTransactionConfirmations({ hash })) >= 1n);
    const byIndex = await client.getTransaction({ blockNumber: receipt.blockNumber, index: receipt.transactionIndex });
    assert.equal(byIndex.hash, hash);
    assert.equal(await client.getBlockTransactionCount({ blockNumber: receipt.blockNumber }), (await client.getBlock({ blockNumber: receipt.blockNumber })).transactions.length);
  });

  test('deploys a contract compiled with solc and reads it back', async () => {
    const hash = await wallet.deployContract({ chain, account: deployer, abi: counter.abi, bytecode: counter.bytecode, args: [7n] });
    const receipt = await client.waitForTransactionReceipt({ hash, timeout: RECEIPT_TIMEOUT_MS });
    assert.equal(receipt.status, 'success');
    assert.ok(receipt.contractAddress);
    address = receipt.contractAddress;
    deployBlock = receipt.blockNumber;
    assert.ok(((await client.getCode({ address })) ?? '0x').length > 2);
    assert.equal(await client.readContract({ address, abi: counter.abi, functionName: 'count' }), 7n);
    assert.equal((await client.readContract({ address, abi: counter.abi, functionName: 'owner' }) as string).toLowerCase(), deployer.address.toLowerCase());
  });

  test('simulates and writes, then reads the new state and storage slots', async () => {
    const { result, request } = await client.simulateContract({ account: deployer, address, abi: counter.abi, functionName: 'increment', args: [5n] });
    assert.equal(result, 12n);
    const hash = await wallet.writeContract(request);
    const receipt = await client.waitForTransactionReceipt({ hash, timeout: RECEIPT_TIMEOUT_MS });
    const [event] = parseEventLogs({ abi: counter.abi, logs: receipt.logs, eventName: 'Incremented' });
    assert.deepEqual((event as any).args, { by: deployer.address, newCount: 12n, step: 5n });
    assert.equal(await client.readContract({ address, abi: counter.abi, functionName: 'count' }), 12n);
    assert.equal(await client.getStorageAt({ address, slot: toHex(0, { size: 32 }) }), toHex(12n, { size: 32 }));
    // credits[deployer] lives at keccak256(pad(deployer) . pad(2)).
    const slot = keccak256(`0x${deployer.address.slice(2).toLowerCase().padStart(64, '0')}${'2'.padStart(64, '0')}`);
    assert.equal(await client.getStorageAt({ address, slot }), toHex(5n, { size: 32 }));
    // State at an older block is still served.
    assert.equal(await client.readContract({ address, abi: counter.abi, functionName: 'count', blockNumber: deployBlock }), 7n);
  });

  test('eth_createAccessList lists the slots a call touches; calls and estimates accept the list', async () => {
    const data = encodeFunctionData({ abi: counter.abi, functionName: 'increment', args: [1n] });
    const { accessList, gasUsed } = await client.createAccessList({ account: deployer, to: address, data });
    const creditsSlot = keccak256(`0x${deployer.address.slice(2).toLowerCase().padStart(64, '0')}${'2'.padStart(64, '0')}`);
    assert.deepEqual(accessList, [{ address: address.toLowerCase(), storageKeys: [toHex(0, { size: 32 }), creditsSlot] }]);
    assert.ok(gasUsed > 21_000n);
    // Warm slots cost 100 gas to read instead of 2100: the estimate with the list is what the list says.
    const withList = await client.estimateGas({ account: deployer, to: address, data, accessList, type: 'eip1559' });
    assert.ok(withList >= gasUsed, `estimate ${withList} below the list's ${gasUsed}`);
    const reverted = await rpc(URL, 'eth_createAccessList', [{ from: deployer.address, to: address, data: encodeFunctionData({ abi: counter.abi, functionName: 'increment', args: [5000n] }) }]);
    assert.equal(reverted.error, 'execution reverted');
  });

  test('eth_getProof returns the account and storage proof of the contract', async () => {
    const proof = await client.getProof({ address, storageKeys: [toHex(0, { size: 32 })] });
    assert.equal(proof.address.toLowerCase(), address.toLowerCase());
    assert.ok(proof.accountProof.length > 0);
    assert.equal(proof.storageProof[0]!.value, 12n);
    assert.ok(proof.storageProof[0]!.proof.length > 0);
  });

  test('decodes a revert reason string on eth_call, simulate and estimateGas', async () => {
    const read = await client.readContract({ address, abi: counter.abi, functionName: 'requirePositive', args: [0n] }).catch((e: unknown) => e);
    const revert = revertOf(read);
    assert.equal(revert.reason, 'Counter: value must be positive');
    const estimate = await client.estimateContractGas({ account: deployer, address, abi: counter.abi, functionName: 'requirePositive', args: [0n] }).catch((e: unknown) => e);
    assert.equal(revertOf(estimate).reason, 'Counter: value must be positive');
  });

  test('decodes custom errors with their arguments, and panics', async () => {
    const simulated = await client.simulateContract({ account: stranger, address, abi: counter.abi, functionName: 'reset' }).catch((e: unknown) => e);
    const notOwner = revertOf(simulated);
    assert.equal(notOwner.data?.errorName, 'NotOwner');
    assert.deepEqual(notOwner.data?.args, [stranger.address, deployer.address]);
    const estimate = await client.estimateContractGas({ account: deployer, address, abi: counter.abi, functionName: 'increment', args: [5000n] }).catch((e: unknown) => e);
    const tooLarge = revertOf(estimate);
    assert.equal(tooLarge.data?.errorName, 'StepTooLarge');
    assert.deepEqual(tooLarge.data?.args, [5000n, 1000n]);
    const panic = revertOf(await client.readContract({ address, abi: counter.abi, functionName: 'divide', args: [1n, 0n] }).catch((e: unknown) => e));
    assert.equal(panic.data?.errorName, 'Panic');
    assert.equal(panic.data?.args?.[0], 0x12n);
    // writeContract simulates nothing: it estimates gas, which must fail the same way.
    const written = await wallet.writeContract({ chain, account: stranger, address, abi: counter.abi, functionName: 'reset' }).catch((e: unknown) => e);
    assert.equal(revertOf(written).data?.errorName, 'NotOwner');
  });

  test('logs by topic across a block range, contract events and a log filter', async () => {
    const filter = await client.createContractEventFilter({ address, abi: counter.abi, eventName: 'Incremented', fromBlock: deployBlock });
    const blockFilter = await client.createBlockFilter();
    await increment(1n);
    await increment(2n);
    const head = await client.getBlockNumber({ cacheTime: 0 });
    const event = counter.abi.find((item) => item.type === 'event' && item.name === 'Incremented')!;
    const all = await client.getLogs({ address, event: event as any, fromBlock: deployBlock, toBlock: head });
    assert.deepEqual(all.map((l: any) => l.args.step), [5n, 1n, 2n]);
    // By the indexed newCount topic (the third step brought the count to 15).
    const byTopic = await client.getLogs({ address, event: event as any, args: { newCount: 15n }, fromBlock: deployBlock, toBlock: head });
    assert.equal(byTopic.length, 1);
    assert.equal((byTopic[0] as any).args.step, 2n);
    const byOtherSender = await client.getLogs({ event: event as any, args: { by: stranger.address }, fromBlock: 0n, toBlock: head });
    assert.equal(byOtherSender.length, 0);
    const events = await client.getContractEvents({ address, abi: counter.abi, eventName: 'Incremented', fromBlock: deployBlock });
    assert.equal(events.length, 3);
    // As in geth, polling returns the logs of blocks since the filter was made; eth_getFilterLogs
    // returns the filter's whole range.
    const changes = await client.getFilterChanges({ filter });
    assert.deepEqual(changes.map((l: any) => l.args.step), [1n, 2n]);
    assert.deepEqual(await client.getFilterChanges({ filter }), []);
    assert.deepEqual((await client.getFilterLogs({ filter })).map((l: any) => l.args.step), [5n, 1n, 2n]);
    const blocks = await client.getFilterChanges({ filter: blockFilter });
    assert.ok(blocks.length >= 2);
    assert.equal(await client.uninstallFilter({ filter }), true);
  });

  test('eth_getBlockReceipts returns every receipt of a block, shaped for viem', async () => {
    const hash = await increment(3n);
    const receipt = await client.getTransactionReceipt({ hash });
    const receipts = await client.request({ method: 'eth_getBlockReceipts' as any, params: [toHex(receipt.blockNumber)] as any }) as any[];
    assert.ok(receipts.some((r) => r.transactionHash === hash));
    assert.equal(receipts.length, (await client.getBlock({ blockNumber: receipt.blockNumber })).transactions.length);
    const raw = await rpc(URL, 'eth_getBlockByNumber', [toHex(receipt.blockNumber), true]);
    assert.equal(raw.transactions[receipt.transactionIndex].hash, hash);
  });

  test('watchContractEvent over HTTP polls a log filter', async () => {
    const steps: bigint[] = [];
    const errors: Error[] = []; // asserted inside the test: a throw in a callback would fail another test
    // A transport that notes the methods it answered, to know when the filter is installed.
    const answered = new Set<string>();
    const base = http(URL)({ chain });
    const transport = custom({
      request: async ({ method, params }: { method: string; params?: unknown }) => {
        const result = await base.request({ method, params } as any);
        answered.add(method);
        return result;
      },
    });
    const polling = createPublicClient({ chain, transport });
    const unwatch = polling.watchContractEvent({
      address,
      abi: counter.abi,
      eventName: 'Incremented',
      poll: true,
      pollingInterval: 250,
      onLogs: (logs) => steps.push(...logs.map((l: any) => l.args.step as bigint)),
      onError: (e) => errors.push(e),
    });
    try {
      // The first poll installs the filter (eth_newFilter); events after it arrive by eth_getFilterChanges.
      await until('the log filter to be installed', async () => (answered.has('eth_newFilter') ? true : undefined));
      await increment(11n);
      await until('the Incremented event by filter polling', async () => (steps.includes(11n) ? true : undefined), RECEIPT_TIMEOUT_MS);
      assert.deepEqual(errors, []);
    } finally {
      unwatch();
    }
  });

  test('watchBlocks and watchContractEvent over a WebSocket transport', async () => {
    const wsClient = createPublicClient({ chain, transport: webSocket(WS_URL) });
    const blocks: bigint[] = [];
    const events: bigint[] = [];
    const pending: Hex[] = [];
    const errors: Error[] = []; // asserted inside the test: a throw in a callback would fail another test
    const stopBlocks = wsClient.watchBlocks({ onBlock: (b) => blocks.push(b.number!), onError: (e) => errors.push(e) });
    const stopPending = wsClient.watchPendingTransactions({ onTransactions: (hashes) => pending.push(...hashes), onError: (e) => errors.push(e) });
    const stopEvents = wsClient.watchContractEvent({
      address,
      abi: counter.abi,
      eventName: 'Incremented',
      onLogs: (logs) => events.push(...logs.map((l: any) => l.args.step as bigint)),
      onError: (e) => errors.push(e),
    });
    try {
      // Give the subscriptions time to register before the event is written.
      await until('a block over the WebSocket', async () => (blocks.length > 0 ? true : undefined), RECEIPT_TIMEOUT_MS);
      await increment(42n);
      await until('the Incremented event over the WebSocket', async () => (events.includes(42n) ? true : undefined), RECEIPT_TIMEOUT_MS);
      // A transaction admitted by the node behind the WebSocket is announced while it is pending.
      const sender = privateKeyToAccount(DEV_ACCOUNTS[5]!.privateKey);
      const direct = createWalletClient({ chain, transport: http(`http://127.0.0.1:${RPC_PORT + 1}`), account: sender });
      const hash = await direct.sendTransaction({ chain, account: sender, to: RECIPIENT, value: 1n });
      await until('the pending transaction over the WebSocket', async () => (pending.includes(hash) ? true : undefined), RECEIPT_TIMEOUT_MS);
      assert.deepEqual(errors, []);
      assert.ok(blocks.length >= 2);
      for (let i = 1; i < blocks.length; i++) assert.ok(blocks[i]! > blocks[i - 1]!, 'blocks arrive in order');
    } finally {
      stopBlocks();
      stopEvents();
      stopPending();
      await (wsClient.transport as any).getRpcClient?.().then((c: any) => c.close());
    }
  });

  test('debug_traceTransaction: geth struct logger, storage on SLOAD/SSTORE, its options, errors', async () => {
    const hash = await increment(4n);
    const trace = await rpc(URL, 'debug_traceTransaction', [hash]);
    const receipt = await client.getTransactionReceipt({ hash });
    assert.equal(BigInt(trace.gas), receipt.gasUsed);
    assert.equal(trace.failed, false);
    assert.equal(BigInt(`0x${trace.returnValue}`), await client.readContract({ address, abi: counter.abi, functionName: 'count' }));
    const steps: any[] = trace.structLogs;
    assert.deepEqual(Object.keys(steps[0]).sort(), ['depth', 'gas', 'gasCost', 'op', 'pc', 'stack']); // memory is opt-in, as in geth
    assert.deepEqual([steps[0].op, steps[0].gasCost, steps[0].depth], ['PUSH1', 3, 1]);
    // Gas left falls by each simple step's cost (one frame, no calls in this contract).
    for (let i = 0; i + 1 < steps.length; i++) {
      if (['SSTORE', 'SLOAD', 'LOG3'].includes(steps[i].op)) continue;
      assert.equal(steps[i].gas - steps[i].gasCost, steps[i + 1].gas, `step ${i} ${steps[i].op}`);
    }
    const store = steps.find((step) => step.op === 'SSTORE');
    const countAfter = (await client.readContract({ address, abi: counter.abi, functionName: 'count' })) as bigint;
    assert.equal(store.storage[toHex(0, { size: 32 }).slice(2)], toHex(countAfter, { size: 32 }).slice(2));
    assert.ok(steps.some((step) => step.op === 'LOG3'), 'Incremented has three topics');
    const limited = await rpc(URL, 'debug_traceTransaction', [hash, { limit: 5, enableMemory: true, disableStack: true, disableStorage: true }]);
    assert.equal(limited.structLogs.length, 5);
    assert.deepEqual(Object.keys(limited.structLogs[4]).sort(), ['depth', 'gas', 'gasCost', 'memory', 'op', 'pc']);
    await assert.rejects(rpc(URL, 'debug_traceTransaction', [`0x${'11'.repeat(32)}`]), /-32000 transaction not found/);
  });

  test('debug_traceTransaction with callTracer: nested CALL and STATICCALL frames, a reverted inner frame', async () => {
    const viaSelf = await wallet.writeContract({ chain, account: deployer, address, abi: counter.abi, functionName: 'incrementViaSelf', args: [2n] });
    const caught = await wallet.writeContract({ chain, account: deployer, address, abi: counter.abi, functionName: 'tryReset' });
    const [receipt] = await Promise.all([viaSelf, caught].map((hash) => client.waitForTransactionReceipt({ hash, timeout: RECEIPT_TIMEOUT_MS })));
    const self = address.toLowerCase();
    const tree = await rpc(URL, 'debug_traceTransaction', [viaSelf, { tracer: 'callTracer' }]);
    assert.deepEqual([tree.type, tree.from, tree.to, tree.value], ['CALL', deployer.address.toLowerCase(), self, '0x0']);
    assert.equal(BigInt(tree.gasUsed), receipt!.gasUsed);
    assert.equal(tree.input, encodeFunctionData({ abi: counter.abi, functionName: 'incrementViaSelf', args: [2n] }));
    const [inner, check] = tree.calls;
    assert.deepEqual([inner.type, inner.from, inner.to, inner.value], ['CALL', self, self, '0x0']);
    assert.equal(inner.input, encodeFunctionData({ abi: counter.abi, functionName: 'increment', args: [2n] }));
    assert.equal(BigInt(inner.output), BigInt(tree.output));
    assert.ok(BigInt(inner.gasUsed) > 0n && BigInt(inner.gasUsed) < BigInt(inner.gas));
    assert.deepEqual([check.type, check.from, check.to, 'value' in check], ['STATICCALL', self, self, false]);
    const top = await rpc(URL, 'debug_traceTransaction', [viaSelf, { tracer: 'callTracer', tracerConfig: { onlyTopCall: true } }]);
    assert.equal(top.calls, undefined);
    const failedInner = (await rpc(URL, 'debug_traceTransaction', [caught, { tracer: 'callTracer' }])).calls[0];
    assert.equal(failedInner.error, 'execution reverted');
    const decoded = decodeErrorResult({ abi: counter.abi, data: failedInner.output });
    assert.equal(decoded.errorName, 'NotOwner');
    await assert.rejects(rpc(URL, 'debug_traceTransaction', [caught, { tracer: '{ result: function () { return 1; } }' }]), /-32602 .*not supported/);
  });

  test('eth_call and eth_estimateGas check the sender\'s funds as geth does', async () => {
    const broke = getAddress('0x00000000000000000000000000000000000f00d5'); // geth prints it checksummed
    const call = { from: broke, to: RECIPIENT, value: '0x1' };
    const expected = new RegExp(`-32000 err: insufficient funds for gas \\* price \\+ value: address ${broke} have 0 want 1 \\(supplied gas \\d+\\)`);
    await assert.rejects(rpc(URL, 'eth_call', [call, 'latest']), expected);
    await assert.rejects(rpc(URL, 'eth_estimateGas', [{ ...call, maxFeePerGas: '0x3b9aca00' }]), /-32000 insufficient funds for transfer/);
    // A fee cap limits the estimate to what the balance pays for.
    const poor = { from: DEV_ACCOUNTS[7]!.address, to: RECIPIENT, maxFeePerGas: toHex(parseEther('0.1')) }; // 10000 ETH, untouched
    await assert.rejects(rpc(URL, 'eth_estimateGas', [{ ...poor, maxFeePerGas: toHex(parseEther('10')) }]), /-32000 gas required exceeds allowance \(1000\)/);
    assert.equal(await rpc(URL, 'eth_estimateGas', [poor]), '0x5208');
    await assert.rejects(rpc(URL, 'eth_call', [{ to: RECIPIENT, gas: '0x1' }, 'latest']), /-32000 err: intrinsic gas too low: have 1, want 21000 \(supplied gas 1\)/);
    // viem surfaces the node's reason.
    const viaViem = await client.call({ account: broke, to: RECIPIENT, value: 1n }).catch((e: unknown) => e);
    assert.match(String((viaViem as Error).message), /insufficient funds/);
  });

  test('synod_* extensions: committee weights, finality certificates, consensus status, contracts', async () => {
    const committee = await rpc(URL, 'synod_committee');
    assert.equal(committee.members.length, 4);
    const total = committee.members.reduce((sum: bigint, m: any) => sum + BigInt(m.weight), 0n);
    assert.equal(total, BigInt(committee.totalWeight));
    assert.ok(BigInt(committee.quorumWeight) * 3n > total * 2n);
    const certificate = await rpc(URL, 'synod_getCertificate', ['0x1']);
    const block1 = await client.getBlock({ blockNumber: 1n });
    assert.equal(certificate.blockHash, block1.hash);
    assert.equal(certificate.stateRoot, block1.stateRoot);
    const signed = certificate.signatures.reduce((sum: bigint, s: any) => sum + BigInt(committee.members[s.validatorIndex].weight), 0n);
    assert.ok(signed >= BigInt(committee.quorumWeight), 'a certificate holds a quorum of weight');
    assert.equal(await rpc(URL, 'synod_getCertificate', ['0xffffffff']), null);
    const status = await rpc(URL, 'synod_consensusStatus');
    assert.ok(BigInt(status.height) >= 1n);
    assert.equal(status.proposers.length, 4);
    assert.equal(((await rpc(URL, 'synod_contracts')) as Record<string, unknown>).Multicall3, '0xca11bde05977b3631167028862be2a173976ca11');
  });

  test('objects carry every field geth returns, and a batch is answered in one round trip', async () => {
    const hash = await increment(1n);
    const batched = createPublicClient({ chain, transport: http(URL, { batch: true }) });
    const [receipt, tx, head] = await Promise.all([
      rpc(URL, 'eth_getTransactionReceipt', [hash]),
      rpc(URL, 'eth_getTransactionByHash', [hash]),
      batched.getBlockNumber({ cacheTime: 0 }),
    ]);
    const block = await rpc(URL, 'eth_getBlockByNumber', [receipt.blockNumber, false]);
    const keys = (o: object) => Object.keys(o).sort();
    for (const field of ['baseFeePerGas', 'difficulty', 'extraData', 'gasLimit', 'gasUsed', 'hash', 'logsBloom', 'miner', 'mixHash', 'nonce', 'number', 'parentHash', 'receiptsRoot', 'sha3Uncles', 'size', 'stateRoot', 'timestamp', 'transactions', 'transactionsRoot', 'uncles', 'withdrawals', 'withdrawalsRoot']) {
      assert.ok(field in block, `block.${field}`);
    }
    assert.deepEqual(keys(tx), ['accessList', 'blockHash', 'blockNumber', 'chainId', 'from', 'gas', 'gasPrice', 'hash', 'input', 'maxFeePerGas', 'maxPriorityFeePerGas', 'nonce', 'r', 's', 'to', 'transactionIndex', 'type', 'v', 'value', 'yParity']);
    assert.deepEqual(keys(receipt), ['blockHash', 'blockNumber', 'contractAddress', 'cumulativeGasUsed', 'effectiveGasPrice', 'from', 'gasUsed', 'logs', 'logsBloom', 'status', 'to', 'transactionHash', 'transactionIndex', 'type']);
    assert.ok(head >= BigInt(receipt.blockNumber));
    for (const quantity of [block.number, block.gasUsed, tx.nonce, receipt.status]) assert.match(quantity, /^0x(0|[1-9a-f][0-9a-f]*)$/);
  });

  test('local dapps: CORS preflight and CORS headers for localhost pages (the devnet\'s origins), none for others', async () => {
    const origin = 'http://localhost:5173';
    const preflight = await fetch(URL, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), origin);
    assert.match(preflight.headers.get('access-control-allow-methods') ?? '', /POST/);
    assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /content-type/i);
    const answer = await fetch(URL, { method: 'POST', headers: { origin, 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }) });
    assert.equal(answer.headers.get('access-control-allow-origin'), origin);
    assert.deepEqual(await answer.json(), { jsonrpc: '2.0', id: 1, result: toHex(CHAIN_ID) });
    const foreign = await fetch(URL, { method: 'POST', headers: { origin: 'http://wallet.example', 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }) });
    assert.equal(foreign.headers.get('access-control-allow-origin'), null);
  });

  test('a sender sends several transactions in a row with pending nonces', async () => {
    const sender = privateKeyToAccount(DEV_ACCOUNTS[2]!.privateKey);
    const w = createWalletClient({ chain, transport: http(URL), account: sender });
    const hashes: Hex[] = [];
    for (let i = 0; i < 5; i++) hashes.push(await w.sendTransaction({ chain, account: sender, to: RECIPIENT, value: 1n }));
    for (const hash of hashes) assert.equal((await client.waitForTransactionReceipt({ hash, timeout: RECEIPT_TIMEOUT_MS })).status, 'success');
    assert.equal(await client.getTransactionCount({ address: sender.address }), 5);
  });
});
