// Probes: /livez while the process serves, /readyz 503 while syncing or short of a quorum of
// connected weight, /health unchanged; /metrics (and the probes) on a listener of their own.
import test from 'node:test';
import assert from 'node:assert/strict';
import { startRpcServer } from '../../src/rpc/index.js';
import { MemoryBackend } from './memory-backend.js';
import { startHarness } from './helpers.js';

async function get(url: string): Promise<{ status: number; json: any; text: string }> {
  const res = await fetch(url);
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

test('/livez answers 200; /readyz 200 when in sync with a quorum of weight connected', async () => {
  const h = await startHarness();
  try {
    assert.equal((await get(`${h.server.url}/livez`)).status, 200);
    const ready = await get(`${h.server.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.equal(ready.json.ready, true);
    assert.deepEqual(await (await fetch(`${h.server.url}/health`)).json(), { head: '0', syncing: false });
  } finally {
    await h.close();
  }
});

test('/readyz answers 503 with the reason while the node syncs', async () => {
  const h = await startHarness();
  try {
    h.backend.syncStatus = { startingBlock: 0n, currentBlock: 3n, highestBlock: 90n };
    const syncing = await get(`${h.server.url}/readyz`);
    assert.equal(syncing.status, 503);
    assert.equal(syncing.json.ready, false);
    assert.equal(syncing.json.reason, 'syncing');
    assert.equal((await get(`${h.server.url}/livez`)).status, 200); // alive all the same
    assert.deepEqual(await (await fetch(`${h.server.url}/health`)).json(), { head: '0', syncing: true });
    h.backend.syncStatus = false;
    assert.equal((await get(`${h.server.url}/readyz`)).status, 200);
  } finally {
    await h.close();
  }
});

test('/readyz answers 503 while the node and its peers hold less than quorum weight', async () => {
  const h = await startHarness(); // committee weight 100, quorum 67
  try {
    h.backend.reachedWeight = 66n;
    const short = await get(`${h.server.url}/readyz`);
    assert.equal(short.status, 503);
    assert.equal(short.json.ready, false);
    assert.equal(short.json.connectedWeight, '66');
    assert.equal(short.json.quorumWeight, '67');
    assert.match(short.json.reason, /66.*67/);
    h.backend.reachedWeight = 67n;
    assert.equal((await get(`${h.server.url}/readyz`)).status, 200);
  } finally {
    await h.close();
  }
});

test('--metrics-addr: /metrics, /livez and /readyz on their own port, closed with the server', async () => {
  const backend = new MemoryBackend();
  const server = await startRpcServer({ backend, host: '127.0.0.1', port: 0, metricsAddr: { host: '127.0.0.1', port: 0 } });
  const metricsUrl = server.metricsUrl!;
  try {
    assert.ok(metricsUrl !== undefined && metricsUrl !== server.url);
    await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId' }) });
    const metrics = await get(`${metricsUrl}/metrics`);
    assert.equal(metrics.status, 200);
    assert.match(metrics.text, /synod_rpc_requests_total\{method="eth_chainId"\} 1/);
    assert.equal((await get(`${metricsUrl}/livez`)).status, 200);
    assert.equal((await get(`${metricsUrl}/readyz`)).status, 200);
    backend.reachedWeight = 10n;
    assert.equal((await get(`${metricsUrl}/readyz`)).status, 503);
    assert.equal((await get(`${metricsUrl}/`)).status, 404); // no JSON-RPC, no explorer here
    const post = await fetch(metricsUrl, { method: 'POST', body: '{}' });
    assert.equal(post.status, 404);
  } finally {
    await server.close();
  }
  await assert.rejects(fetch(`${metricsUrl}/metrics`), /fetch failed/);
});

test('a metrics address that is taken fails the start with a message naming --metrics-addr', async () => {
  const first = await startRpcServer({ backend: new MemoryBackend(), host: '127.0.0.1', port: 0 });
  try {
    await assert.rejects(
      startRpcServer({ backend: new MemoryBackend(), host: '127.0.0.1', port: 0, metricsAddr: first.address }),
      (err: Error) => err.name === 'RpcServerError' && /in use.*--metrics-addr/.test(err.message),
    );
  } finally {
    await first.close();
  }
});
