// JSON-RPC and eth_subscribe over WebSocket on the same port as HTTP: viem's watchBlocks,
// watchContractEvent and watchPendingTransactions, and the raw protocol.
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { createPublicClient, createWalletClient, http, webSocket, type Block, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { DEV_ADDRESSES, DEV_KEYS, EMITTER, FIXTURE_ABI, PING_TOPIC } from './memory-backend.js';
import { startHarness, type Harness } from './helpers.js';
import { MAX_SUBSCRIPTIONS_PER_CONNECTION } from '../../src/rpc/index.js';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(() => h.close());

/** A raw WebSocket client that collects every message. */
async function rawClient(url: string) {
  const ws = new WebSocket(url);
  const messages: any[] = [];
  const waiters: (() => void)[] = [];
  ws.on('message', (data) => {
    messages.push(JSON.parse(String(data)));
    for (const w of waiters.splice(0)) w();
  });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  let id = 1;
  const next = async (predicate: (m: any) => boolean): Promise<any> => {
    for (;;) {
      const found = messages.findIndex(predicate);
      if (found >= 0) return messages.splice(found, 1)[0];
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  return {
    ws,
    call: async (method: string, params: unknown[] = []) => {
      const myId = id++;
      ws.send(JSON.stringify({ jsonrpc: '2.0', id: myId, method, params }));
      return next((m) => m.id === myId);
    },
    notification: (subscription: string) => next((m) => m.method === 'eth_subscription' && m.params.subscription === subscription),
    close: () => ws.close(),
  };
}

test('viem over WebSocket: calls, watchBlocks on newHeads, watchContractEvent on logs', async () => {
  const transport = webSocket(h.server.wsUrl);
  const client = createPublicClient({ transport });
  assert.equal(await client.getChainId(), 31337);
  const blocks: Block[] = [];
  const gotBlocks = new Promise<void>((resolve) => {
    const stop = client.watchBlocks({ onBlock: (b) => { blocks.push(b); if (blocks.length === 2) { stop(); resolve(); } } });
  });
  const events: { value?: bigint; from?: Hex }[] = [];
  const gotEvent = new Promise<void>((resolve) => {
    const stop = client.watchContractEvent({ address: EMITTER, abi: FIXTURE_ABI, eventName: 'Ping', onLogs: (logs) => {
      for (const l of logs) events.push(l.args as { value: bigint; from: Hex });
      stop();
      resolve();
    } });
  });
  await new Promise((resolve) => setTimeout(resolve, 50)); // let both subscriptions register
  const wallet = createWalletClient({ account: privateKeyToAccount(DEV_KEYS[0]!), transport: http(h.server.url) });
  const chain = { id: 31337 } as any;
  await wallet.sendTransaction({ chain, to: EMITTER, value: 9n });
  await new Promise((resolve) => setTimeout(resolve, 20));
  h.backend.sealPending(); // a second, empty block
  await gotBlocks;
  await gotEvent;
  assert.ok(blocks[1]!.number! === blocks[0]!.number! + 1n);
  assert.equal(typeof blocks[0]!.hash, 'string');
  assert.deepEqual(events, [{ from: privateKeyToAccount(DEV_KEYS[0]!).address, value: 9n }]);
  await client.transport.getRpcClient().then((c: any) => c.close());
});

test('raw protocol: newHeads header shape, filtered logs, pending hashes, unsubscribe', async () => {
  const c = await rawClient(h.server.wsUrl);
  const heads = (await c.call('eth_subscribe', ['newHeads'])).result;
  const logs = (await c.call('eth_subscribe', ['logs', { address: EMITTER, topics: [PING_TOPIC] }])).result;
  const otherLogs = (await c.call('eth_subscribe', ['logs', { address: DEV_ADDRESSES[1] }])).result;
  const pending = (await c.call('eth_subscribe', ['newPendingTransactions'])).result;
  const pendingFull = (await c.call('eth_subscribe', ['newPendingTransactions', true])).result;
  assert.match(heads, /^0x[0-9a-f]{32}$/);
  const raw = await privateKeyToAccount(DEV_KEYS[1]!).signTransaction({ to: EMITTER, value: 3n, gas: 50_000n, maxFeePerGas: 5_000_000_000n, maxPriorityFeePerGas: 1n, nonce: 0, chainId: 31337 });
  const sent = await c.call('eth_sendRawTransaction', [raw]);
  const hash = sent.result;
  assert.equal((await c.notification(pending)).params.result, hash);
  const full = (await c.notification(pendingFull)).params.result;
  assert.equal(full.hash, hash);
  assert.equal(full.blockHash, null);
  const head = (await c.notification(heads)).params.result;
  for (const field of ['number', 'hash', 'parentHash', 'stateRoot', 'baseFeePerGas', 'timestamp', 'logsBloom', 'withdrawalsRoot', 'requestsHash']) {
    assert.ok(field in head, field);
  }
  const log = (await c.notification(logs)).params.result;
  assert.equal(log.transactionHash, hash);
  assert.equal(log.address, EMITTER);
  assert.equal((await c.call('eth_unsubscribe', [heads])).result, true);
  assert.equal((await c.call('eth_unsubscribe', [heads])).result, false);
  h.backend.sealPending();
  await new Promise((resolve) => setTimeout(resolve, 30));
  assert.equal((await c.call('eth_blockNumber')).result !== undefined, true);
  // otherLogs matched nothing, and the unsubscribed newHeads got no second header.
  const unexpected = await Promise.race([c.notification(otherLogs).then(() => 'log'), c.notification(heads).then(() => 'head'), new Promise((r) => setTimeout(() => r('none'), 50))]);
  assert.equal(unexpected, 'none');
  c.close();
});

test('subscription errors: unknown kind, bad filter, per-connection limit, and HTTP refuses subscribing', async () => {
  const c = await rawClient(h.server.wsUrl);
  const unknown = await c.call('eth_subscribe', ['newBlocks']);
  assert.equal(unknown.error.code, -32602);
  assert.match(unknown.error.message, /use newHeads, logs or newPendingTransactions/);
  const bad = await c.call('eth_subscribe', ['logs', { address: '0x12' }]);
  assert.equal(bad.error.code, -32602);
  for (let i = 0; i < MAX_SUBSCRIPTIONS_PER_CONNECTION; i++) assert.ok((await c.call('eth_subscribe', ['newHeads'])).result);
  const over = await c.call('eth_subscribe', ['newHeads']);
  assert.equal(over.error.code, -32005);
  c.close();
  const overHttp = await h.rpc('eth_subscribe', ['newHeads']);
  assert.equal(overHttp.error.code, -32601);
  assert.match(overHttp.error.message, /notifications not supported/);
  const parse = await rawClient(h.server.wsUrl);
  parse.ws.send('{nope');
  // A parse error has id null; the connection keeps serving.
  assert.equal((await parse.call('eth_chainId')).result, '0x7a69');
  parse.close();
});
