// Observability of a running validator, on one 2-validator devnet: Prometheus names with units,
// histograms of finality latency, height duration and JSON-RPC latency per method, per-peer
// message and byte counters, the mempool and the sync lag; every series the Grafana dashboard
// (deploy/grafana/synod.json) plots is exposed; the log level changes at run time through
// admin_setLogLevel and SIGUSR2, reaching the node's child loggers.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestDevnet, until, type TestDevnet } from '../helpers/devnet.js';

const SLOT = 15;
let devnet: TestDevnet;

before(async () => {
  devnet = await startTestDevnet({ validators: 2, slot: SLOT, args: ['--rpc-api', 'eth,net,web3,synod,admin', '--log-level', 'info', '--empty-block-interval', '200'] });
});

after(async () => {
  await devnet?.stop();
});

async function rpc(url: string, method: string, params: unknown[] = []): Promise<any> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  return response.json();
}

const metricsOf = async (i: number) => (await fetch(`${devnet.urls[i]}/metrics`)).text();
const sample = (text: string, pattern: RegExp) => {
  const m = pattern.exec(text);
  return m === null ? undefined : Number(m[1]);
};
const log = (i: number) => readFileSync(join(devnet.dataDir, `validator-${i}`, 'node.log'), 'utf8');

test('metrics carry units and _total, with the histograms, per-peer counters, mempool and sync lag', async () => {
  await rpc(devnet.urls[0]!, 'eth_blockNumber');
  // Heights keep coming every 200 ms: wait for a few so every histogram has samples.
  const text = await until('height histograms filled', async () => {
    const t = await metricsOf(0);
    return (sample(t, /^synod_height_duration_seconds_count\{[^}]*\} (\d+)/m) ?? 0) >= 3 ? t : undefined;
  });
  assert.ok(sample(text, /^synod_finality_latency_seconds_count\{[^}]*\} (\d+)/m)! >= 1);
  assert.ok(sample(text, /^synod_rpc_request_duration_seconds_count\{[^}]*method="eth_blockNumber"[^}]*\} (\d+)/m)! >= 1);
  assert.match(text, /^synod_rpc_request_duration_seconds_bucket\{le="0.001",[^}]*method="eth_blockNumber"/m);
  const peer = /^synod_peer_received_bytes_total\{peer="([0-9a-f]{16})"/m.exec(text)?.[1];
  assert.ok(peer !== undefined, 'a per-peer byte counter for the other validator');
  assert.ok(sample(text, new RegExp(`^synod_peer_received_bytes_total\\{peer="${peer}"[^}]*\\} (\\d+)`, 'm'))! > 0);
  assert.ok(sample(text, new RegExp(`^synod_peer_sent_bytes_total\\{peer="${peer}"[^}]*\\} (\\d+)`, 'm'))! > 0);
  assert.ok(sample(text, new RegExp(`^synod_peer_messages_received_total\\{[^}]*peer="${peer}"[^}]*\\} (\\d+)`, 'm'))! > 0);
  assert.ok(sample(text, new RegExp(`^synod_peer_messages_sent_total\\{[^}]*peer="${peer}"[^}]*\\} (\\d+)`, 'm'))! > 0);
  assert.equal(sample(text, /^synod_mempool_transactions\{[^}]*\} (\d+)/m), 0);
  assert.equal(sample(text, /^synod_sync_lag_blocks\{[^}]*\} (\d+)/m), 0);
  // Every counter ends in _total; the old unit-less names are gone.
  for (const [, name] of text.matchAll(/^# TYPE (synod_\S+) counter$/gm)) assert.match(name!, /_total$/, name);
  assert.doesNotMatch(text, /^synod_mempool_size|^synod_peers\b/m);
});

test('every series the Grafana dashboard plots is exposed', async () => {
  const dashboard = JSON.parse(readFileSync(join(import.meta.dirname, '../../deploy/grafana/synod.json'), 'utf8')) as { panels: { title: string; targets: { expr: string }[] }[] };
  const text = await metricsOf(0);
  const exposed = new Set([...text.matchAll(/^# TYPE (\S+) (\w+)$/gm)].flatMap(([, name, type]) => (type === 'histogram' ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name!])));
  const used = dashboard.panels.flatMap((p) => p.targets.flatMap((t) => [...t.expr.matchAll(/\b((?:synod|process|nodejs)_[a-z0-9_]+)\{/g)].map((m) => m[1]!)));
  assert.ok(used.length >= 20);
  for (const name of used) assert.ok(exposed.has(name), `${name} (dashboard) is not exposed`);
});

test('admin_setLogLevel changes the level of a running node, its child loggers included', async () => {
  const url = devnet.urls[0]!;
  assert.equal((await rpc(url, 'admin_getLogLevel')).result, 'info');
  assert.doesNotMatch(log(0), /"msg":"height done"/); // a debug line of the node's own logger
  assert.deepEqual((await rpc(url, 'admin_setLogLevel', ['debug'])).result, { level: 'debug', previous: 'info' });
  await until('debug lines in the log', async () => (/"msg":"height done"/.test(log(0)) ? true : undefined));
  assert.match(log(0), /"level":40,.*"level":"debug","previous":"info".*"msg":"log level changed"/);
  assert.equal((await rpc(url, 'admin_setLogLevel', ['info'])).result.previous, 'debug');
  assert.equal((await rpc(url, 'admin_setLogLevel', ['chatty'])).error.code, -32602);
});

test('SIGUSR2 steps the level of a running node: info → debug', async () => {
  const pid = devnet.pidOf(1);
  process.kill(pid, 'SIGUSR2');
  await until('the change is logged', async () => (/"signal":"SIGUSR2".*"msg":"log level changed"/.test(log(1)) ? true : undefined));
  assert.equal((await rpc(devnet.urls[1]!, 'admin_getLogLevel')).result, 'debug');
});
