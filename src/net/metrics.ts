// The transport's stats as Prometheus metrics (prom-client), read at scrape time, so the node
// exports what links drop and why with one call: registerTransportMetrics(transport, registry).
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Transport } from './transport.js';

type CounterField = 'framesIn' | 'framesOut' | 'bytesIn' | 'bytesOut' | 'inboundPauses';
type GaugeField = 'connectedPeers' | 'pendingHandshakes' | 'queueBytes' | 'queueDepth' | 'inboundBytes';

const COUNTERS: readonly [CounterField, string, string][] = [
  ['framesIn', 'synod_net_frames_received_total', 'Frames delivered from validator peers'],
  ['framesOut', 'synod_net_frames_sent_total', 'Frames written to validator peers'],
  ['bytesIn', 'synod_net_bytes_received_total', 'Bytes of frames delivered from validator peers (before sealing overhead)'],
  ['bytesOut', 'synod_net_bytes_sent_total', 'Bytes of frames written to validator peers (before sealing overhead)'],
  ['inboundPauses', 'synod_net_inbound_pauses_total', 'Times a peer socket was paused because its undelivered bytes exceeded their budget'],
];

const GAUGES: readonly [GaugeField, string, string][] = [
  ['connectedPeers', 'synod_net_connected_peers', 'Validator peers with an authenticated connection'],
  ['pendingHandshakes', 'synod_net_pending_handshakes', 'Inbound connections that have not finished the handshake'],
  ['queueBytes', 'synod_net_queue_bytes', 'Bytes waiting to be written to peers'],
  ['queueDepth', 'synod_net_queue_frames', 'Frames waiting in the per-peer queues'],
  ['inboundBytes', 'synod_net_inbound_bytes', 'Bytes received from peers and not yet delivered'],
];

/**
 * Registers the transport's metrics in `registry`. Values are read from stats() at each scrape;
 * a counter shows the transport's running total (which only grows) as it is.
 */
export function registerTransportMetrics(transport: Pick<Transport, 'stats'>, registry: Registry): void {
  const registers = [registry];
  new Counter({
    name: 'synod_net_dropped_total',
    help: 'Frames not queued and connections closed by the transport, by reason (conn_bad_mac: a sealed frame failed authentication)',
    labelNames: ['reason'],
    registers,
    collect() {
      this.reset();
      for (const [reason, count] of Object.entries(transport.stats().dropped)) this.inc({ reason }, count);
    },
  });
  for (const [field, name, help] of COUNTERS) {
    new Counter({
      name,
      help,
      registers,
      collect() {
        this.reset();
        this.inc(transport.stats()[field]);
      },
    });
  }
  for (const [field, name, help] of GAUGES) {
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(transport.stats()[field]);
      },
    });
  }
}
