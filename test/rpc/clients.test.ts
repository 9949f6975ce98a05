// Per-client caps: one client address (127.0.0.1 here) filling its WebSocket, filter,
// subscription, criteria or in-flight budget is refused while another address (127.0.0.2,
// also loopback on Linux) still gets in; idle WebSockets are closed; and new blocks are fanned
// out to subscribers after the engine's call returns, not inside it.
import test from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import WebSocket from 'ws';
import type { Hex } from '../../src/chain/types.js';
import type { CallParams, ExecutionOutcome } from '../../src/rpc/backend.js';
import { FilterManager } from '../../src/rpc/filters.js';
import { MethodContext } from '../../src/rpc/methods/context.js';
import { SubscriptionHub } from '../../src/rpc/subscriptions.js';
import { DEV_ADDRESSES, EMITTER, MemoryBackend } from './memory-backend.js';
import { ManualClock, startHarness } from './helpers.js';

const OTHER_CLIENT = '127.0.0.2';

/** POSTs a JSON-RPC body from `localAddress`; the status and the parsed answer. */
function postFrom(url: string, body: unknown, localAddress = '127.0.0.1'): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', localAddress, headers: { 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, json: text === '' ? undefined : JSON.parse(text) });
      });
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

const rpc = (method: string, params: unknown[] = [], id = 1) => ({ jsonrpc: '2.0', id, method, params });

/** Opens a WebSocket from `localAddress`; resolves with it, or rejects with the refusal. */
function openFrom(url: string, localAddress = '127.0.0.1'): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { localAddress });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`refused with HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

/** One call over an open WebSocket. */
function wsCall(ws: WebSocket, method: string, params: unknown[] = []): Promise<any> {
  const id = Math.floor(Math.random() * 1e9);
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData) => {
      const m = JSON.parse(String(data));
      if (m.id !== id) return;
      ws.off('message', onMessage);
      resolve(m);
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify(rpc(method, params, id)));
  });
}

function closed(ws: WebSocket): Promise<void> {
  if (ws.readyState === ws.CLOSED) return Promise.resolve();
  return new Promise((resolve) => ws.once('close', () => resolve()));
}

test('a client past its WebSocket connections is refused (HTTP 429) while another client connects', async () => {
  const h = await startHarness({ limits: { maxWsConnectionsPerClient: 3 } });
  const open: WebSocket[] = [];
  try {
    for (let i = 0; i < 3; i++) open.push(await openFrom(h.server.wsUrl));
    await assert.rejects(openFrom(h.server.wsUrl), /refused with HTTP 429/);
    const other = await openFrom(h.server.wsUrl, OTHER_CLIENT);
    open.push(other);
    assert.equal((await wsCall(other, 'eth_chainId')).result, '0x7a69');
    const first = open.shift()!;
    first.close();
    await closed(first);
    await new Promise((resolve) => setTimeout(resolve, 50)); // the server sees the close
    open.push(await openFrom(h.server.wsUrl)); // a closed connection gives its slot back
  } finally {
    for (const ws of open) ws.terminate();
    await h.close();
  }
});

test('a client past its filters or its log criteria is refused while another client installs; uninstalling frees the slot', async () => {
  const h = await startHarness({ limits: { rateLimit: null, maxFiltersPerClient: 5, maxLogCriteriaPerClient: 10 } });
  try {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await postFrom(h.server.url, rpc('eth_newBlockFilter'))).json.result);
    const refused = (await postFrom(h.server.url, rpc('eth_newBlockFilter'))).json;
    assert.equal(refused.error.code, -32005);
    assert.match(refused.error.message, /too many filters from this client: at most 5/);
    assert.match((await postFrom(h.server.url, rpc('eth_newBlockFilter'), OTHER_CLIENT)).json.result, /^0x[0-9a-f]{32}$/);
    assert.equal((await postFrom(h.server.url, rpc('eth_uninstallFilter', [ids[0]]))).json.result, true);
    assert.match((await postFrom(h.server.url, rpc('eth_newBlockFilter'))).json.result, /^0x/);

    const addresses = (n: number) => Array.from({ length: n }, (_, i) => `0x${(i + 1).toString(16).padStart(40, '0')}`);
    const wide = (await postFrom(h.server.url, rpc('eth_newFilter', [{ address: addresses(11) }]), OTHER_CLIENT)).json;
    assert.equal(wide.error.code, -32005, 'a filter naming 11 addresses costs 11 criteria');
    assert.match(wide.error.message, /too many log criteria from this client/);
    assert.match((await postFrom(h.server.url, rpc('eth_newFilter', [{ address: addresses(10) }]), OTHER_CLIENT)).json.result, /^0x/);
    const more = (await postFrom(h.server.url, rpc('eth_newFilter', [{ topics: [[`0x${'11'.repeat(32)}`]] }]), OTHER_CLIENT)).json;
    assert.equal(more.error.code, -32005);
  } finally {
    await h.close();
  }
});

test('a client past its subscriptions over several connections is refused while another client subscribes', async () => {
  const h = await startHarness({ limits: { maxSubscriptionsPerClient: 4 } });
  const sockets: WebSocket[] = [];
  try {
    const a = await openFrom(h.server.wsUrl);
    const b = await openFrom(h.server.wsUrl);
    const other = await openFrom(h.server.wsUrl, OTHER_CLIENT);
    sockets.push(a, b, other);
    for (const ws of [a, a, b, b]) assert.match((await wsCall(ws, 'eth_subscribe', ['newHeads'])).result, /^0x/);
    const refused = await wsCall(b, 'eth_subscribe', ['logs', { address: EMITTER }]);
    assert.equal(refused.error.code, -32005);
    assert.match(refused.error.message, /too many subscriptions from this client: at most 4/);
    assert.match((await wsCall(other, 'eth_subscribe', ['newHeads'])).result, /^0x/);
    a.close();
    await closed(a);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.match((await wsCall(b, 'eth_subscribe', ['newHeads'])).result, /^0x/, 'a closed connection gives its subscriptions back');
  } finally {
    for (const ws of sockets) ws.terminate();
    await h.close();
  }
});

/** eth_call waits until released, so requests stay in flight as long as the test wants. */
class HeldCallBackend extends MemoryBackend {
  private held: (() => void)[] = [];
  started = 0;
  override async call(params: CallParams): Promise<ExecutionOutcome> {
    this.started++;
    await new Promise<void>((resolve) => this.held.push(resolve));
    return super.call(params);
  }
  release(): void {
    for (const resolve of this.held.splice(0)) resolve();
  }
}

test('a client past its requests in flight (HTTP and WebSocket together) is refused while another client is served', async () => {
  const backend = new HeldCallBackend();
  const h = await startHarness({ backend, limits: { rateLimit: null, maxRequestsInFlightPerClient: 2 } });
  const ws = await openFrom(h.server.wsUrl);
  try {
    const first = postFrom(h.server.url, rpc('eth_call', [{ to: DEV_ADDRESSES[1] }]));
    const second = wsCall(ws, 'eth_call', [{ to: DEV_ADDRESSES[1] }]);
    while (backend.started < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    const refused = await postFrom(h.server.url, rpc('eth_chainId'));
    assert.equal(refused.status, 429);
    assert.equal(refused.json.error.code, -32005);
    assert.match(refused.json.error.message, /too many requests in progress from this client: at most 2/);
    const overWs = await new Promise<any>((resolve) => {
      ws.once('message', (data) => resolve(JSON.parse(String(data))));
      ws.send(JSON.stringify(rpc('eth_chainId', [], 99)));
    });
    assert.equal(overWs.error.code, -32005);
    assert.equal((await postFrom(h.server.url, rpc('eth_chainId'), OTHER_CLIENT)).json.result, '0x7a69');
    backend.release();
    assert.equal((await first).json.result, '0x');
    assert.equal((await second).result, '0x');
    assert.equal((await postFrom(h.server.url, rpc('eth_chainId'))).json.result, '0x7a69');
  } finally {
    ws.terminate();
    await h.close();
  }
});

test('a WebSocket that sends nothing for the idle timeout is closed; one that keeps talking stays', async () => {
  const h = await startHarness({ limits: { wsIdleTimeoutMs: 300, wsPingIntervalMs: 60_000 } });
  const silent = await openFrom(h.server.wsUrl);
  const chatty = await openFrom(h.server.wsUrl);
  const talk = setInterval(() => chatty.send(JSON.stringify(rpc('eth_chainId'))), 50);
  try {
    const outcome = await Promise.race([
      closed(silent).then(() => 'closed'),
      new Promise((resolve) => setTimeout(() => resolve('still open'), 3_000)),
    ]);
    assert.equal(outcome, 'closed');
    assert.equal(chatty.readyState, chatty.OPEN);
    assert.equal((await wsCall(chatty, 'eth_chainId')).result, '0x7a69');
  } finally {
    clearInterval(talk);
    silent.terminate();
    chatty.terminate();
    await h.close();
  }
});

test('a new block is fanned out after the engine\'s call returns: a slow subscriber does not hold it', async () => {
  const backend = new MemoryBackend();
  const hub = new SubscriptionHub(new MethodContext(backend, new FilterManager(backend, new ManualClock())));
  backend.onNewBlock((block, receipts) => hub.publishBlock(block, receipts));
  const sent: string[] = [];
  const slow = hub.connect((text) => {
    const until = performance.now() + 200; // a subscriber that takes 200 ms a message
    while (performance.now() < until) {
      // busy
    }
    sent.push(text);
  });
  const fast: string[] = [];
  const quick = hub.connect((text) => fast.push(text));
  const slowId = slow.subscribe('newHeads', []);
  const quickId = quick.subscribe('newHeads', []);
  const block = backend.sealPending();
  assert.equal(sent.length + fast.length, 0, 'nothing is matched or sent inside the engine\'s call');
  await hub.whenIdle();
  assert.equal(sent.length, 1);
  assert.equal(fast.length, 1);
  assert.equal(JSON.parse(sent[0]!).params.subscription, slowId);
  assert.equal(JSON.parse(fast[0]!).params.result.hash, block.hash as Hex);
  assert.equal(JSON.parse(fast[0]!).params.subscription, quickId);
});

test('a subscriber that stops reading is dropped once its unread notifications pass the limit; the others keep receiving', async () => {
  const h = await startHarness({ limits: { maxWsBufferedBytes: 64 * 1024 } });
  const slow = await openFrom(h.server.wsUrl);
  const fast = await openFrom(h.server.wsUrl);
  try {
    let fastSeen = 0;
    let slowSeen = 0;
    fast.on('message', () => fastSeen++);
    slow.on('message', () => slowSeen++);
    assert.match((await wsCall(slow, 'eth_subscribe', ['newHeads'])).result, /^0x/);
    assert.match((await wsCall(fast, 'eth_subscribe', ['newHeads'])).result, /^0x/);
    const seenBefore = { fast: fastSeen, slow: slowSeen };
    (slow as unknown as { _socket: { pause(): void } })._socket.pause(); // stops reading
    const blocks = 20_000; // about 1.3 kB of header each: far past the kernel's buffers and the limit
    for (let i = 0; i < blocks; i++) {
      h.backend.sealPending();
      if (i % 100 === 99) await new Promise((resolve) => setImmediate(resolve));
    }
    const slowClosed = closed(slow);
    (slow as unknown as { _socket: { resume(): void } })._socket.resume();
    await slowClosed;
    while (fastSeen - seenBefore.fast < blocks) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(fastSeen - seenBefore.fast, blocks, 'the reading subscriber got every head');
    assert.ok(slowSeen - seenBefore.slow < blocks, `the stalled subscriber was dropped after ${slowSeen - seenBefore.slow} heads`);
  } finally {
    slow.terminate();
    fast.terminate();
    await h.close();
  }
});
