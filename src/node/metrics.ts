// The validator's Prometheus metrics (served at GET /metrics by the RPC server and the metrics
// listener). Names follow Prometheus's conventions: the `synod_` prefix, base units last
// (`_seconds`, `_bytes`, `_blocks`, `_transactions`), `_total` on counters. Figures read from
// elsewhere at scrape time (mempool, sync lag) are gauges with a `collect` (registerNodeGauges).
// Labels take bounded values only: channels, drop reasons, and peers of the configured committee.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { NodeLink } from './node.js';

/** Buckets for the time a height takes, in seconds: 5 ms to 10 s (the empty-block interval tops at 1 h, off the scale). */
export const HEIGHT_SECONDS_BUCKETS: readonly number[] = [0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10];
/** Characters of a peer's public key (hex) in its `peer` label, as in the logs. */
export const PEER_LABEL_HEX_DIGITS = 16;

export interface NodeMetrics {
  readonly registry: Registry;
  readonly height: Gauge;
  readonly certifiedHeight: Gauge;
  readonly finalityLatency: Histogram;
  readonly heightDuration: Histogram;
  readonly blockTransactions: Histogram;
  readonly messagesIn: Counter<'channel'>;
  readonly messagesOut: Counter<'channel'>;
  readonly peerMessagesReceived: Counter<'peer' | 'channel'>;
  readonly peerMessagesSent: Counter<'peer' | 'channel'>;
  readonly peerBytesReceived: Counter<'peer'>;
  readonly peerBytesSent: Counter<'peer'>;
  readonly dropped: Counter<'reason'>;
  readonly evidence: Counter;
  readonly skippedTransactions: Counter;
  readonly syncedBlocks: Counter;
}

export function createMetrics(validator: string): NodeMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ validator });
  collectDefaultMetrics({ register: registry });
  const r = [registry];
  const heightBuckets = [...HEIGHT_SECONDS_BUCKETS];
  return {
    registry,
    height: new Gauge({ name: 'synod_height', help: 'Height of the last executed (finalized) block', registers: r }),
    certifiedHeight: new Gauge({ name: 'synod_certified_height', help: 'Height of the last block with a stored finality certificate', registers: r }),
    finalityLatency: new Histogram({
      name: 'synod_finality_latency_seconds',
      help: 'Time from starting a height (asking for a proposal) to executing its superblock',
      buckets: heightBuckets,
      registers: r,
    }),
    heightDuration: new Histogram({
      name: 'synod_height_duration_seconds',
      help: 'Time from executing one block to executing the next (by consensus or sync)',
      buckets: heightBuckets,
      registers: r,
    }),
    blockTransactions: new Histogram({ name: 'synod_block_transactions', help: 'Transactions per block', buckets: [0, 1, 10, 100, 500, 1000, 2000, 5000, 10000], registers: r }),
    messagesIn: new Counter({ name: 'synod_messages_in_total', help: 'Frames received from peers, by channel number', labelNames: ['channel'], registers: r }),
    messagesOut: new Counter({ name: 'synod_messages_out_total', help: 'Messages sent to peers, by kind (consensus, certificate, transactions)', labelNames: ['channel'], registers: r }),
    peerMessagesReceived: new Counter({ name: 'synod_peer_messages_received_total', help: 'Frames received, by peer (public key prefix) and channel number', labelNames: ['peer', 'channel'], registers: r }),
    peerMessagesSent: new Counter({ name: 'synod_peer_messages_sent_total', help: 'Frames queued for sending, by peer (public key prefix) and channel number', labelNames: ['peer', 'channel'], registers: r }),
    peerBytesReceived: new Counter({ name: 'synod_peer_received_bytes_total', help: 'Payload bytes received, by peer (public key prefix)', labelNames: ['peer'], registers: r }),
    peerBytesSent: new Counter({ name: 'synod_peer_sent_bytes_total', help: 'Payload bytes queued for sending, by peer (public key prefix)', labelNames: ['peer'], registers: r }),
    dropped: new Counter({ name: 'synod_dropped_messages_total', help: 'Messages dropped, by reason', labelNames: ['reason'], registers: r }),
    evidence: new Counter({ name: 'synod_equivocation_evidence_total', help: 'Equivocations detected', registers: r }),
    skippedTransactions: new Counter({ name: 'synod_skipped_transactions_total', help: 'Transactions skipped at their turn (invalid then)', registers: r }),
    syncedBlocks: new Counter({ name: 'synod_synced_blocks_total', help: 'Blocks applied from peers by sync', registers: r }),
  };
}

/** What the scrape-time gauges read. */
export interface NodeGaugeSources {
  readonly mempoolTransactions: () => number;
  /** Blocks the chain that more than 1/3 of the weight claims is ahead of this node's head (0 when level). */
  readonly syncLagBlocks: () => number;
}

export function registerNodeGauges(metrics: NodeMetrics, sources: NodeGaugeSources): void {
  const r = [metrics.registry];
  new Gauge({
    name: 'synod_mempool_transactions',
    help: 'Transactions waiting in the mempool',
    registers: r,
    collect() {
      this.set(sources.mempoolTransactions());
    },
  });
  new Gauge({
    name: 'synod_sync_lag_blocks',
    help: "Blocks between this node's head and the height more than 1/3 of the committee's weight has reached",
    registers: r,
    collect() {
      this.set(sources.syncLagBlocks());
    },
  });
}

export function peerLabel(peer: string): string {
  return peer.slice(0, PEER_LABEL_HEX_DIGITS);
}

/**
 * The link with every frame counted per peer, both ways (messages by channel, payload bytes).
 * A broadcast counts once for each peer connected when it is sent. Peers are the configured
 * committee's (the transport refuses others), so the labels stay bounded.
 */
export function countedLink(link: NodeLink, metrics: NodeMetrics): NodeLink {
  const sent = (peer: string, channel: number, bytes: number) => {
    const label = peerLabel(peer);
    metrics.peerMessagesSent.inc({ peer: label, channel: String(channel) });
    metrics.peerBytesSent.inc({ peer: label }, bytes);
  };
  return {
    send: (peer, channel, payload) => {
      const queued = link.send(peer, channel, payload);
      if (queued) sent(peer, channel, payload.length);
      return queued;
    },
    broadcast: (channel, payload) => {
      link.broadcast(channel, payload);
      for (const peer of link.connectedPeers()) sent(peer, channel, payload.length);
    },
    onMessage: (handler) =>
      link.onMessage((peer, channel, payload) => {
        const label = peerLabel(peer);
        metrics.peerMessagesReceived.inc({ peer: label, channel: String(channel) });
        metrics.peerBytesReceived.inc({ peer: label }, payload.length);
        handler(peer, channel, payload);
      }),
    onPeerUp: (handler) => link.onPeerUp(handler),
    onPeerDown: (handler) => link.onPeerDown(handler),
    connectedPeers: () => link.connectedPeers(),
    pauseReading: () => link.pauseReading(),
    resumeReading: () => link.resumeReading(),
  };
}
