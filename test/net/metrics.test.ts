import test from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { utf8 } from '../../src/crypto/bytes.js';
import { registerTransportMetrics } from '../../src/net/metrics.js';
import type { Transport } from '../../src/net/transport.js';
import { authenticatedRawPeer, closedPromise, FAST_LIMITS, idOf, startMesh, validatorKey, waitFor } from './helpers.js';

/** The value of one sample line (`name{labels} value`) of a Prometheus text exposition. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

test('transport stats are exported as Prometheus metrics, bad MACs included', async () => {
  const mesh = await startMesh(2, FAST_LIMITS, 260);
  try {
    const [a, b] = mesh.transports as [Transport, Transport];
    const registry = new Registry();
    registerTransportMetrics(a, registry);
    const inbox: string[] = [];
    b.onMessage(() => inbox.push('x'));
    a.send(idOf(mesh.keys[1]!), 1, utf8('one'));
    await waitFor(() => inbox.length === 1, 'delivery');
    // A member whose frame fails authentication.
    const forger = validatorKey(269);
    a.setPeers([...mesh.keys, forger].map((k, i) => ({ publicKey: k.publicKey, host: '127.0.0.1', port: i < 2 ? mesh.transports[i]!.address().port : 1 })));
    const raw = await authenticatedRawPeer(forger, mesh.keys[0]!, a.address().port);
    const sealed = raw.seal({ channel: 1, payload: utf8('altered in flight') });
    sealed[sealed.length - 1]! ^= 1;
    raw.socket.write(sealed);
    await closedPromise(raw.socket);
    const text = await registry.metrics();
    assert.equal(sample(text, 'synod_net_dropped_total{reason="conn_bad_mac"}'), 1);
    assert.equal(sample(text, 'synod_net_frames_sent_total'), a.stats().framesOut);
    assert.equal(sample(text, 'synod_net_connected_peers'), 1);
    assert.equal(sample(text, 'synod_net_pending_handshakes'), 0);
    // A second scrape shows running totals, not what changed since the first.
    const again = await registry.metrics();
    assert.equal(sample(again, 'synod_net_dropped_total{reason="conn_bad_mac"}'), 1);
  } finally {
    await mesh.close();
  }
});
