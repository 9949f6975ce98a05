// ethers v6 against the server over HTTP and WebSocket: its formatters check every field of
// blocks, transactions and receipts; NonceManager and event filters use the pending nonce and logs.
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { Contract, JsonRpcProvider, NonceManager, Wallet, WebSocketProvider, parseEther } from 'ethers';
import { COUNTER, DEV_ADDRESSES, DEV_KEYS, EMITTER, REVERT_STRING } from './memory-backend.js';
import { startHarness, type Harness } from './helpers.js';

let h: Harness;
let provider: JsonRpcProvider;
before(async () => {
  h = await startHarness();
  provider = new JsonRpcProvider(h.server.url, 31337, { staticNetwork: true, pollingInterval: 20 });
});
after(async () => {
  provider.destroy();
  await h.close();
});

test('ethers reads network, blocks, fee data; NonceManager sends transfers; receipts and transactions parse', async () => {
  assert.equal((await provider.getNetwork()).chainId, 31337n);
  const genesis = await provider.getBlock(0);
  assert.equal(genesis!.number, 0);
  const fee = await provider.getFeeData();
  assert.equal(fee.maxPriorityFeePerGas, 1_000_000_000n);
  const signer = new NonceManager(new Wallet(DEV_KEYS[0]!, provider));
  const first = await signer.sendTransaction({ to: DEV_ADDRESSES[1], value: parseEther('0.5') });
  const second = await signer.sendTransaction({ to: DEV_ADDRESSES[1], value: 1n, type: 0, gasPrice: 3_000_000_000n });
  assert.equal(second.nonce, first.nonce + 1);
  const receipts = await Promise.all([first.wait(), second.wait()]);
  assert.deepEqual(receipts.map((r) => r!.status), [1, 1]);
  const tx = await provider.getTransaction(first.hash);
  assert.equal(tx!.from, new Wallet(DEV_KEYS[0]!).address);
  assert.equal(tx!.type, 2);
  assert.equal(tx!.blockNumber, receipts[0]!.blockNumber);
  const block = await provider.getBlock(receipts[1]!.blockNumber, true);
  assert.equal(block!.prefetchedTransactions[0]!.hash, second.hash);
});

test('ethers contract call, revert reason and event filter', async () => {
  const counter = new Contract(COUNTER, ['function count() view returns (uint256)'], provider);
  assert.equal(await counter.getFunction('count').staticCall(), 42n);
  const reverter = new Contract(REVERT_STRING, ['function withdraw(uint256)'], provider);
  await assert.rejects(reverter.getFunction('withdraw').staticCall(1n), (err: any) => err.code === 'CALL_EXCEPTION' && err.reason === 'not enough tokens');
  const emitter = new Contract(EMITTER, ['event Ping(address indexed from, uint256 value)'], new Wallet(DEV_KEYS[1]!, provider));
  const tx = await new Wallet(DEV_KEYS[1]!, provider).sendTransaction({ to: EMITTER, value: 11n });
  await tx.wait();
  const events = await emitter.queryFilter(emitter.filters.Ping(DEV_ADDRESSES[1]), 0, 'latest');
  assert.equal(events.length, 1);
  assert.equal((events[0] as any).args.value, 11n);
});

test('ethers WebSocketProvider receives new blocks', async () => {
  const ws = new WebSocketProvider(h.server.wsUrl, 31337, { staticNetwork: true });
  try {
    const next = new Promise<number>((resolve, reject) => {
      ws.once('block', (n: number) => resolve(n)).catch(reject);
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const sealed = h.backend.sealPending();
    assert.equal(await next, Number(sealed.number));
  } finally {
    await ws.destroy();
  }
});
