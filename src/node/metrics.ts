// The validator's Prometheus metrics (served at GET /metrics by the RPC server).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface NodeMetrics {
  readonly registry: Registry;
  readonly height: Gauge;
  readonly certifiedHeight: Gauge;
  readonly finalityLatency: Histogram;
  readonly blockTransactions: Histogram;
  readonly mempoolSize: Gauge;
  readonly peers: Gauge;
  readonly messagesIn: Counter<'channel'>;
  readonly messagesOut: Counter<'channel'>;
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
  return {
    registry,
    height: new Gauge({ name: 'synod_height', help: 'Height of the last executed (finalized) block', registers: r }),
    certifiedHeight: new Gauge({ name: 'synod_certified_height', help: 'Height of the last block with a stored finality certificate', registers: r }),
    finalityLatency: new Histogram({
      name: 'synod_finality_latency_seconds',
      help: 'Time from starting a height (asking for a proposal) to executing its superblock',
      buckets: [0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10],
      registers: r,
    }),
    blockTransactions: new Histogram({ name: 'synod_block_transactions', help: 'Transactions per block', buckets: [0, 1, 10, 100, 500, 1000, 2000, 5000, 10000], registers: r }),
    mempoolSize: new Gauge({ name: 'synod_mempool_size', help: 'Transactions waiting in the mempool', registers: r }),
    peers: new Gauge({ name: 'synod_peers', help: 'Connected committee peers', registers: r }),
    messagesIn: new Counter({ name: 'synod_messages_in_total', help: 'Frames received from peers, by channel', labelNames: ['channel'], registers: r }),
    messagesOut: new Counter({ name: 'synod_messages_out_total', help: 'Frames sent to peers, by channel', labelNames: ['channel'], registers: r }),
    dropped: new Counter({ name: 'synod_dropped_messages_total', help: 'Messages dropped, by reason', labelNames: ['reason'], registers: r }),
    evidence: new Counter({ name: 'synod_equivocation_evidence_total', help: 'Equivocations detected', registers: r }),
    skippedTransactions: new Counter({ name: 'synod_skipped_transactions_total', help: 'Transactions skipped at their turn (invalid then)', registers: r }),
    syncedBlocks: new Counter({ name: 'synod_synced_blocks_total', help: 'Blocks applied from peers by sync', registers: r }),
  };
}
