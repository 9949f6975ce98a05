// Browser access and host names: CORS headers only for named origins (geth's --http.corsdomain),
// browser WebSockets from other origins refused before the upgrade (--ws.origins), and requests
// under a host name not in --http.vhosts refused with 403 while the probe routes stay reachable.
import test from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import WebSocket from 'ws';
import { originMatcher } from '../../src/rpc/origins.js';
import { startHarness } from './helpers.js';

const CHAIN_ID = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] });
const PREFLIGHT = { 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' };

/** A raw HTTP request, so that the Host header can be anything. */
function raw(port: number, options: { method: string; path: string; headers?: Record<string, string>; body?: string }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: options.method, path: options.path, headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Opens a WebSocket; resolves to 'open' or the HTTP status the server refused it with. */
function upgrade(url: string, options: WebSocket.ClientOptions): Promise<'open' | number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options);
    ws.once('open', () => {
      ws.close();
      resolve('open');
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode!);
      res.resume();
    });
    ws.once('error', (err) => reject(err));
  });
}

test('no CORS headers by default, on answers and on preflights', async () => {
  const h = await startHarness();
  try {
    const res = await h.post(CHAIN_ID, { Origin: 'https://wallet.example' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), null);
    const preflight = await fetch(h.server.url, { method: 'OPTIONS', headers: { Origin: 'https://wallet.example', ...PREFLIGHT } });
    assert.equal(preflight.headers.get('access-control-allow-origin'), null);
    assert.equal(preflight.headers.get('access-control-allow-methods'), null);
  } finally {
    await h.close();
  }
});

test('CORS headers echo a named origin (and localhost on any port with http://localhost:*), never another', async () => {
  const h = await startHarness({ cors: ['https://wallet.example', 'http://localhost:*'] });
  try {
    const named = await h.post(CHAIN_ID, { Origin: 'https://wallet.example' });
    assert.equal(named.headers.get('access-control-allow-origin'), 'https://wallet.example');
    assert.match(named.headers.get('vary') ?? '', /Origin/);
    const preflight = await fetch(h.server.url, { method: 'OPTIONS', headers: { Origin: 'http://localhost:5173', ...PREFLIGHT } });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), 'http://localhost:5173');
    assert.match(preflight.headers.get('access-control-allow-methods')!, /POST/);
    assert.match(preflight.headers.get('access-control-allow-headers')!, /Content-Type/i);
    for (const origin of ['https://evil.example', 'https://wallet.example.evil', 'http://localhost.evil:80', 'https://localhost:5173']) {
      const res = await h.post(CHAIN_ID, { Origin: origin });
      assert.equal(res.headers.get('access-control-allow-origin'), null, origin);
      assert.equal(res.json.result, '0x7a69'); // the answer itself is the same: only the browser withholds it
    }
  } finally {
    await h.close();
  }
});

test('origin patterns: exact, case-insensitive, * in a part, :* for any port or none, * for all', () => {
  const match = originMatcher(['http://localhost:*', 'https://*.example.com', 'http://127.0.0.1:8080']);
  assert.ok(match('http://localhost:3000'));
  assert.ok(match('http://localhost'));
  assert.ok(match('HTTP://LOCALHOST:3000'));
  assert.ok(match('https://app.example.com'));
  assert.ok(match('http://127.0.0.1:8080'));
  assert.ok(!match('http://127.0.0.1:8081'));
  assert.ok(!match('http://localhost:3000.evil.example'));
  assert.ok(!match('https://example.com.evil'));
  assert.ok(!match('null'));
  assert.ok(originMatcher(['*'])('https://anything.example'));
  assert.ok(!originMatcher([])('http://localhost'));
});

test('a browser WebSocket from a foreign origin is refused with 403; one without Origin or from an allowed origin opens', async () => {
  const h = await startHarness({ wsOrigins: ['http://localhost:*'] });
  try {
    assert.equal(await upgrade(h.server.wsUrl, { origin: 'https://evil.example' }), 403);
    assert.equal(await upgrade(h.server.wsUrl, {}), 'open'); // viem, ethers, wscat in Node send no Origin
    assert.equal(await upgrade(h.server.wsUrl, { origin: 'http://localhost:3000' }), 'open');
  } finally {
    await h.close();
  }
});

test('by default WebSocket pages are accepted from http://localhost only, as geth does, and from the explorer this server serves', async () => {
  const h = await startHarness();
  try {
    assert.equal(await upgrade(h.server.wsUrl, { origin: 'http://localhost:8080' }), 'open');
    assert.equal(await upgrade(h.server.wsUrl, { origin: 'http://wallet.example' }), 403);
    // The explorer at http://127.0.0.1:<port>/ opens its WebSocket with its own origin.
    assert.equal(await upgrade(h.server.wsUrl, { origin: h.server.url }), 'open');
    assert.equal(await upgrade(h.server.wsUrl, { origin: `http://127.0.0.1:${h.server.address.port + 1}` }), 403);
  } finally {
    await h.close();
  }
});

test('a host name not in vhosts gets 403 "invalid host specified" on JSON-RPC, the explorer and WebSocket; probes still answer', async () => {
  const h = await startHarness();
  const { port } = h.server.address;
  try {
    const evil = { Host: 'evil.example', 'Content-Type': 'application/json' };
    const post = await raw(port, { method: 'POST', path: '/', headers: evil, body: CHAIN_ID });
    assert.equal(post.status, 403);
    assert.equal(post.body, 'invalid host specified\n');
    assert.equal((await raw(port, { method: 'GET', path: '/', headers: evil })).status, 403);
    assert.equal(await upgrade(h.server.wsUrl, { headers: { Host: 'evil.example' } }), 403);
    for (const path of ['/health', '/livez', '/readyz', '/metrics']) {
      assert.equal((await raw(port, { method: 'GET', path, headers: evil })).status, 200, path);
    }
    h.backend.syncStatus = { startingBlock: 0n, currentBlock: 0n, highestBlock: 10n };
    assert.equal((await raw(port, { method: 'GET', path: '/readyz', headers: evil })).status, 503);
    // Allowed: localhost (the default vhost) with or without a port, any IP literal.
    for (const host of ['localhost', 'localhost:8545', 'LOCALHOST', '127.0.0.1:8545', '[::1]:8545', '10.1.2.3']) {
      const ok = await raw(port, { method: 'POST', path: '/', headers: { ...evil, Host: host }, body: CHAIN_ID });
      assert.equal(ok.status, 200, host);
    }
  } finally {
    await h.close();
  }
});

test('named vhosts are accepted; * accepts every host', async () => {
  const named = await startHarness({ vhosts: ['rpc.example.com'] });
  const any = await startHarness({ vhosts: ['*'] });
  try {
    const headers = (host: string) => ({ Host: host, 'Content-Type': 'application/json' });
    assert.equal((await raw(named.server.address.port, { method: 'POST', path: '/', headers: headers('rpc.example.com'), body: CHAIN_ID })).status, 200);
    assert.equal((await raw(named.server.address.port, { method: 'POST', path: '/', headers: headers('localhost'), body: CHAIN_ID })).status, 403);
    assert.equal((await raw(any.server.address.port, { method: 'POST', path: '/', headers: headers('evil.example'), body: CHAIN_ID })).status, 200);
  } finally {
    await named.close();
    await any.close();
  }
});
