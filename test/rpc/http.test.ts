// The HTTP side of the server: CORS, the explorer page, /metrics, /health, rate limits per
// client, a clear error when the port is taken, and a clean shutdown.
import test from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { RpcServerError, startRpcServer } from '../../src/rpc/index.js';
import { MemoryBackend } from './memory-backend.js';
import { ManualClock, startHarness } from './helpers.js';

test('CORS preflight and headers on every answer when any origin is allowed (--rpc-cors *)', async () => {
  const h = await startHarness({ cors: ['*'] });
  try {
    const preflight = await fetch(h.server.url, {
      method: 'OPTIONS',
      headers: { Origin: 'https://wallet.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), '*');
    assert.match(preflight.headers.get('access-control-allow-methods')!, /POST/);
    assert.match(preflight.headers.get('access-control-allow-headers')!, /Content-Type/i);
    const res = await h.post(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId' }), { Origin: 'https://wallet.example' });
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.equal(res.headers.get('content-type'), 'application/json');
  } finally {
    await h.close();
  }
});

test('explorer page at / and /explorer, /health, /metrics, 404 and 405', async () => {
  const h = await startHarness();
  try {
    for (const path of ['/', '/explorer']) {
      const page = await fetch(h.server.url + path);
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-type')!, /text\/html/);
      const html = await page.text();
      assert.match(html, /Synod explorer/);
      assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+href="http/); // self-contained, no CDN
    }
    const health = await (await fetch(`${h.server.url}/health`)).json();
    assert.deepEqual(health, { head: '0', syncing: false });
    await h.rpc('eth_blockNumber');
    await h.rpc('no_such_method');
    const metrics = await (await fetch(`${h.server.url}/metrics`)).text();
    assert.match(metrics, /synod_rpc_requests_total\{method="eth_blockNumber"\} 1/);
    assert.match(metrics, /synod_rpc_requests_total\{method="other"\} 1/);
    assert.match(metrics, /synod_rpc_errors_total\{code="-32601"\} 1/);
    assert.equal((await fetch(`${h.server.url}/nope`)).status, 404);
    assert.equal((await fetch(h.server.url, { method: 'PUT' })).status, 405);
  } finally {
    await h.close();
  }
});

test('a body streamed past the limit without Content-Length is refused; the server keeps serving', async () => {
  const h = await startHarness({ limits: { maxBodyBytes: 1024 } });
  try {
    const { port } = h.server.address;
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', headers: { 'Transfer-Encoding': 'chunked' } }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      });
      req.on('error', reject);
      for (let i = 0; i < 8; i++) req.write('x'.repeat(512));
      req.end();
    });
    assert.equal(answer.status, 413);
    assert.equal(JSON.parse(answer.body).error.code, -32600);
    assert.equal((await h.rpc('eth_chainId')).result, '0x7a69');
  } finally {
    await h.close();
  }
});

test('rate limit per client: -32005 past the burst, refilled over time; loopback exempt by default', async () => {
  const clock = new ManualClock();
  const limited = await startHarness({ clock, limits: { rateLimit: { requestsPerSecond: 2, burst: 3, exemptLoopback: false } } });
  try {
    for (let i = 0; i < 3; i++) assert.equal((await limited.rpc('eth_chainId')).result, '0x7a69');
    const refused = await limited.rpc('eth_chainId');
    assert.deepEqual(refused.error, { code: -32005, message: "rate limit exceeded: 2 tokens per second per client, eth_chainId costs 1" });
    const batch = await limited.post(JSON.stringify([{ jsonrpc: '2.0', id: 1, method: 'eth_chainId' }]));
    assert.equal(batch.json[0].error.code, -32005);
    clock.ms += 500; // one token back
    assert.equal((await limited.rpc('eth_chainId')).result, '0x7a69');
    assert.equal((await limited.rpc('eth_chainId')).error.code, -32005);
  } finally {
    await limited.close();
  }
  const open = await startHarness({ clock: new ManualClock(), limits: { rateLimit: { requestsPerSecond: 1, burst: 1, exemptLoopback: true } } });
  try {
    for (let i = 0; i < 5; i++) assert.equal((await open.rpc('eth_chainId')).result, '0x7a69');
  } finally {
    await open.close();
  }
});

test('a port in use fails with a message that says what to do; close() releases port and listeners', async () => {
  const backend = new MemoryBackend();
  const first = await startRpcServer({ backend, host: '127.0.0.1', port: 0 });
  const { port } = first.address;
  await assert.rejects(
    startRpcServer({ backend, host: '127.0.0.1', port }),
    (err: unknown) => err instanceof RpcServerError && err.message === `port ${port} is in use: choose another with --rpc-port`,
  );
  assert.equal(backend.listenerCount, 2);
  await first.close();
  assert.equal(backend.listenerCount, 0);
  const again = await startRpcServer({ backend, host: '127.0.0.1', port });
  await again.close();
});
