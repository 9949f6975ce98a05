// RPC namespaces (geth's --http.api): a method outside the enabled namespaces answers -32601 with
// geth's words, over HTTP and WebSocket, in batches too; rpc_modules lists what is enabled.
import test from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startRpcServer, DEFAULT_RPC_API } from '../../src/rpc/index.js';
import { MemoryBackend } from './memory-backend.js';
import { startHarness } from './helpers.js';

/** A backend that can trace, so that a -32601 can only come from the namespace filter. */
class TracingBackend extends MemoryBackend {
  traceTransaction(): Promise<unknown> {
    return Promise.resolve({ traced: true });
  }
}

const TRACE = { jsonrpc: '2.0', id: 1, method: 'debug_traceTransaction', params: [`0x${'00'.repeat(32)}`] };

function wsCall(url: string, request: unknown): Promise<any> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => ws.send(JSON.stringify(request)));
    ws.once('message', (data: Buffer) => {
      resolve(JSON.parse(data.toString('utf8')));
      ws.close();
    });
    ws.once('error', reject);
  });
}

test('a method of a namespace that is not enabled answers -32601 as geth does; enabled ones are served', async () => {
  const h = await startHarness({ api: ['eth', 'net'], backend: new TracingBackend() });
  try {
    const off = await h.rpc('debug_traceTransaction', [`0x${'00'.repeat(32)}`]);
    assert.deepEqual(off.error, { code: -32601, message: 'the method debug_traceTransaction does not exist/is not available' });
    assert.equal((await h.rpc('web3_clientVersion')).error.code, -32601);
    assert.equal((await h.rpc('synod_committee')).error.code, -32601);
    assert.equal((await h.rpc('eth_chainId')).result, '0x7a69');
    assert.equal((await h.rpc('net_version')).result, '31337');
    const batch = await h.post(JSON.stringify([{ jsonrpc: '2.0', id: 1, method: 'eth_chainId' }, { ...TRACE, id: 2 }]));
    assert.equal(batch.json[0].result, '0x7a69');
    assert.equal(batch.json[1].error.code, -32601);
    assert.equal((await wsCall(h.server.wsUrl, TRACE)).error.code, -32601);
    assert.equal((await wsCall(h.server.wsUrl, { jsonrpc: '2.0', id: 3, method: 'eth_chainId' })).result, '0x7a69');
  } finally {
    await h.close();
  }
});

test('the same method is served once its namespace is enabled, over HTTP and WebSocket', async () => {
  const h = await startHarness({ api: ['eth', 'debug'], backend: new TracingBackend() });
  try {
    assert.deepEqual((await h.rpc('debug_traceTransaction', [`0x${'00'.repeat(32)}`])).result, { traced: true });
    assert.deepEqual((await wsCall(h.server.wsUrl, TRACE)).result, { traced: true });
    assert.equal((await h.rpc('net_version')).error.code, -32601);
  } finally {
    await h.close();
  }
});

test('the server serves eth, net, web3 and synod when no namespaces are named; rpc_modules lists them', async () => {
  const server = await startRpcServer({ backend: new TracingBackend(), host: '127.0.0.1', port: 0 });
  try {
    const call = async (body: unknown) => (await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json() as Promise<any>;
    assert.equal((await call(TRACE)).error.code, -32601);
    assert.equal((await call({ jsonrpc: '2.0', id: 1, method: 'synod_committee' })).error, undefined);
    const modules = await call({ jsonrpc: '2.0', id: 2, method: 'rpc_modules' });
    assert.deepEqual(modules.result, Object.fromEntries([...DEFAULT_RPC_API, 'rpc'].map((name) => [name, '1.0'])));
  } finally {
    await server.close();
  }
});
