// The validator's Prometheus metrics (served at GET /metrics by the RPC server and the metrics
// listener). Names follow Prometheus's conventions: the `synod_` prefix, base units last
// (`_seconds`, `_bytes`, `_blocks`, `_transactions`), `_total` on counters. Figures read from
// elsewhere at scrape time (mempool, sync lag) are gauges with a `collect` (registerNodeGauges).
// Labels take bounded values only: channels, drop reasons, and peers of the configured committee.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { NodeLink } from './node.js';

/** Buckets for the time a height takes, in seconds: 5 ms to 10 s (the empty-block interval tops at 1 h, off the scale). */
export const HEIGHT_SECONDS_BUCKETS: readonly number[] = [0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10];
/**
 * Sampling period of the event-loop lag metrics (nodejs_eventloop_lag_*), in ms. prom-client's
 * default, 10 ms, wakes the event loop 100 times a second: about 11 ms of CPU per second per
 * validator, a third of what an idle height costs. At 100 ms it costs under 1 ms a second; a
 * stall longer than that is still measured in full (the sampling timer fires that much late).
 */
export const EVENT_LOOP_LAG_SAMPLING_MS = 100;
/** Characters of a peer's public key (hex) in its `peer` label, as in the logs. */
export const PEER_LABEL_HEX_DIGITS = 16;

export interface NodeMetrics {
  readonly registry: Registry;
  readonly height: Gauge;
  readonly certifiedHeight: Gauge;
  readonly finalityLatency: Histogram;
  readonly heightDuration: Histogram;
  /** Drawing the next epoch's committee after the epoch's last block (the first height of an epoch waits for it). */
  readonly committeeDraw: Histogram;
  readonly blockTransactions: Histogram;
  /** Frames received, by channel (exported as synod_messages_in_total at scrape time). */
  readonly messagesIn: ChannelTally;
  readonly messagesOut: Counter<'channel'>;
  /** Frames and bytes by peer, both ways (exported as the synod_peer_* counters at scrape time). */
  readonly peerTraffic: PeerTraffic;
  readonly dropped: Counter<'reason'>;
  readonly evidence: Counter;
  readonly skippedTransactions: Counter;
  readonly syncedBlocks: Counter;
}

/**
 * Frame counts by channel as plain numbers: counted on every frame, so without prom-client's
 * label hashing (an object hash per call); the counter reads them when scraped.
 */
export class ChannelTally {
  private readonly counts = new Map<number, number>();

  inc(channel: number): void {
    this.counts.set(channel, (this.counts.get(channel) ?? 0) + 1);
  }

  entries(): IterableIterator<[number, number]> {
    return this.counts.entries();
  }
}

interface PeerCounts {
  readonly received: ChannelTally;
  readonly sent: ChannelTally;
  receivedBytes: number;
  sentBytes: number;
}

/** Per-peer frames (by channel) and payload bytes, both ways, read by the counters when scraped. */
export class PeerTraffic {
  readonly byPeer = new Map<string, PeerCounts>();

  received(peer: string, channel: number, bytes: number): void {
    const counts = this.of(peer);
    counts.received.inc(channel);
    counts.receivedBytes += bytes;
  }

  sent(peer: string, channel: number, bytes: number): void {
    const counts = this.of(peer);
    counts.sent.inc(channel);
    counts.sentBytes += bytes;
  }

  private of(peer: string): PeerCounts {
    let counts = this.byPeer.get(peer);
    if (counts === undefined) {
      counts = { received: new ChannelTally(), sent: new ChannelTally(), receivedBytes: 0, sentBytes: 0 };
      this.byPeer.set(peer, counts);
    }
    return counts;
  }
}

/** A counter whose values are read from plain tallies when scraped (reset, then set to the totals). */
function tallyCounter<L extends string>(name: string, help: string, labelNames: readonly L[], registers: Registry[], read: (set: (labels: Record<L, string>, value: number) => void) => void): Counter<L> {
  return new Counter<L>({
    name,
    help,
    labelNames,
    registers,
    collect() {
      this.reset();
      read((labels, value) => {
        if (value > 0) this.inc(labels as never, value);
      });
    },
  });
}

export interface MetricsOptions {
  /**
   * The process's own collectors (CPU, memory, GC, event-loop lag; prom-client's defaults). On for
   * a validator process; off where many nodes share one process (the simulator), since they would
   * all report the same process and each adds a GC observer and an event-loop timer to it.
   */
  readonly processMetrics?: boolean;
}

export function createMetrics(validator: string, options: MetricsOptions = {}): NodeMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ validator });
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: EVENT_LOOP_LAG_SAMPLING_MS });
  const r = [registry];
  const heightBuckets = [...HEIGHT_SECONDS_BUCKETS];
  const messagesIn = new ChannelTally();
  const peerTraffic = new PeerTraffic();
  tallyCounter('synod_messages_in_total', 'Frames received from peers, by channel number', ['channel'], r, (set) => {
    for (const [channel, count] of messagesIn.entries()) set({ channel: String(channel) }, count);
  });
  const byPeer = (set: (peer: string, counts: PeerCounts) => void) => {
    for (const [peer, counts] of peerTraffic.byPeer) set(peerLabel(peer), counts);
  };
  tallyCounter('synod_peer_messages_received_total', 'Frames received, by peer (public key prefix) and channel number', ['peer', 'channel'], r, (set) =>
    byPeer((peer, counts) => {
      for (const [channel, count] of counts.received.entries()) set({ peer, channel: String(channel) }, count);
    }),
  );
  tallyCounter('synod_peer_messages_sent_total', 'Frames queued for sending, by peer (public key prefix) and channel number', ['peer', 'channel'], r, (set) =>
    byPeer((peer, counts) => {
      for (const [channel, count] of counts.sent.entries()) set({ peer, channel: String(channel) }, count);
    }),
  );
  tallyCounter('synod_peer_received_bytes_total', 'Payload bytes received, by peer (public key prefix)', ['peer'], r, (set) => byPeer((peer, counts) => set({ peer }, counts.receivedBytes)));
  tallyCounter('synod_peer_sent_bytes_total', 'Payload bytes queued for sending, by peer (public key prefix)', ['peer'], r, (set) => byPeer((peer, counts) => set({ peer }, counts.sentBytes)));
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
    committeeDraw: new Histogram({
      name: 'synod_committee_draw_seconds',
      help: "Time to draw the next epoch's committee from the staking state after an epoch's last block",
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5],
      registers: r,
    }),
    blockTransactions: new Histogram({ name: 'synod_block_transactions', help: 'Transactions per block', buckets: [0, 1, 10, 100, 500, 1000, 2000, 5000, 10000], registers: r }),
    messagesIn,
    messagesOut: new Counter({ name: 'synod_messages_out_total', help: 'Messages sent to peers, by kind (consensus, certificate, transactions)', labelNames: ['channel'], registers: r }),
    peerTraffic,
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
  const sent = (peer: string, channel: number, bytes: number) => metrics.peerTraffic.sent(peer, channel, bytes);
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
        metrics.peerTraffic.received(peer, channel, payload.length);
        handler(peer, channel, payload);
      }),
    onPeerUp: (handler) => link.onPeerUp(handler),
    onPeerDown: (handler) => link.onPeerDown(handler),
    connectedPeers: () => link.connectedPeers(),
    pauseReading: () => link.pauseReading(),
    resumeReading: () => link.resumeReading(),
  };
}
