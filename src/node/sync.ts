// Block sync: validators announce their head; one that falls behind fetches the missing
// finalized blocks from a peer, checks each against its finality certificate (more than 2/3 of
// the committee's weight), re-executes it, and checks the result against the certificate.
import { verifyCertificate, type Committee } from '../chain/certificate.js';
import { fromHex } from '../crypto/bytes.js';
import type { BlockResult, ExecutionEngine } from '../execution/engine.js';
import type { Transport } from '../net/transport.js';
import type { Logger } from './logger.js';
import type { NodeMetrics } from './metrics.js';
import {
  CHANNEL,
  MAX_SYNC_BLOCKS_PER_REQUEST,
  MAX_SYNC_RESPONSE_BYTES,
  decodeStatus,
  decodeSyncRequest,
  decodeSyncResponse,
  encodeStatus,
  encodeSyncRequest,
  encodeSyncResponse,
  type HeadStatus,
  type SyncedBlock,
} from './wire.js';

export const STATUS_INTERVAL_MS = 500;
/** A peer this many certified blocks ahead is synced from at once… */
export const SYNC_LAG_BLOCKS = 2n;
/** …and one ahead at all, once our head has not moved for this long. */
export const SYNC_STALL_MS = 2_000;
export const SYNC_REQUEST_TIMEOUT_MS = 5_000;
/** Sync requests served per peer per status interval: bounds the work a peer can make us do. */
export const MAX_SYNC_REQUESTS_SERVED_PER_INTERVAL = 4;

export interface BlockSyncOptions {
  readonly engine: ExecutionEngine;
  readonly transport: Transport;
  readonly committee: Committee;
  readonly chainId: bigint;
  readonly logger: Logger;
  readonly metrics: NodeMetrics;
  /** Runs block application in the consensus driver's queue (never concurrently with delivery). */
  readonly runExclusive: (task: () => Promise<void>) => void;
  readonly onApplied: (result: BlockResult) => Promise<void>;
  readonly onSynced: (height: bigint) => void;
}

interface Outstanding {
  readonly peer: string;
  readonly from: bigint;
  readonly timer: NodeJS.Timeout;
}

export class BlockSync {
  private readonly peers = new Map<string, HeadStatus>();
  private readonly served = new Map<string, number>();
  private outstanding: Outstanding | undefined;
  private statusTimer: NodeJS.Timeout | undefined;
  private lastHead = 0n;
  private lastHeadChangeMs = Date.now();
  private startingBlock = 0n;

  constructor(private readonly options: BlockSyncOptions) {}

  start(): void {
    this.lastHead = this.options.engine.head().number;
    this.statusTimer = setInterval(() => this.tick(), STATUS_INTERVAL_MS);
    this.statusTimer.unref?.();
  }

  stop(): void {
    clearInterval(this.statusTimer);
    clearTimeout(this.outstanding?.timer);
    this.outstanding = undefined;
  }

  /** Tells peers where we are (also right after a peer connects). */
  announce(): void {
    const head = this.options.engine.head().number;
    this.options.transport.broadcast(CHANNEL.status, encodeStatus({ head, certified: this.certifiedHead(head) }));
  }

  /** eth_syncing: false when no peer is known to be ahead. */
  status(): false | { startingBlock: bigint; currentBlock: bigint; highestBlock: bigint } {
    const head = this.options.engine.head().number;
    const highest = this.highestCertified();
    if (highest <= head + 1n) return false;
    return { startingBlock: this.startingBlock, currentBlock: head, highestBlock: highest };
  }

  onMessage(peer: string, channel: number, payload: Uint8Array): void {
    if (channel === CHANNEL.status) {
      this.peers.set(peer, decodeStatus(payload));
      this.maybeRequest();
    } else if (channel === CHANNEL.syncRequest) {
      this.serve(peer, payload);
    } else if (channel === CHANNEL.syncResponse) {
      this.onResponse(peer, payload);
    }
  }

  private tick(): void {
    this.served.clear();
    const head = this.options.engine.head().number;
    if (head !== this.lastHead) {
      this.lastHead = head;
      this.lastHeadChangeMs = Date.now();
    }
    this.announce();
    this.maybeRequest();
  }

  private certifiedHead(head: bigint): bigint {
    for (let h = head; h > 0n && h + 8n > head; h--) if (this.options.engine.getCertificate(h) !== undefined) return h;
    return 0n;
  }

  private highestCertified(): bigint {
    let highest = 0n;
    for (const status of this.peers.values()) if (status.certified > highest) highest = status.certified;
    return highest;
  }

  private maybeRequest(): void {
    if (this.outstanding !== undefined) return;
    const head = this.options.engine.head().number;
    let best: [string, HeadStatus] | undefined;
    for (const entry of this.peers) if (best === undefined || entry[1].certified > best[1].certified) best = entry;
    if (best === undefined || best[1].certified <= head) return;
    const stalled = Date.now() - this.lastHeadChangeMs > SYNC_STALL_MS;
    if (best[1].certified < head + SYNC_LAG_BLOCKS && !stalled) return;
    const [peer, status] = best;
    const from = head + 1n;
    const count = Number(status.certified - head < BigInt(MAX_SYNC_BLOCKS_PER_REQUEST) ? status.certified - head : BigInt(MAX_SYNC_BLOCKS_PER_REQUEST));
    if (this.startingBlock === 0n) this.startingBlock = head;
    const timer = setTimeout(() => {
      this.options.logger.warn({ peer: peer.slice(0, 16), from: from.toString() }, 'sync request timed out');
      this.outstanding = undefined;
    }, SYNC_REQUEST_TIMEOUT_MS);
    timer.unref?.();
    this.outstanding = { peer, from, timer };
    this.options.logger.info({ peer: peer.slice(0, 16), from: from.toString(), count, peerCertified: status.certified.toString() }, 'syncing blocks');
    this.options.transport.send(peer, CHANNEL.syncRequest, encodeSyncRequest({ from, count }));
  }

  private serve(peer: string, payload: Uint8Array): void {
    const servedCount = (this.served.get(peer) ?? 0) + 1;
    this.served.set(peer, servedCount);
    if (servedCount > MAX_SYNC_REQUESTS_SERVED_PER_INTERVAL) return;
    const { from, count } = decodeSyncRequest(payload);
    const { engine } = this.options;
    const blocks: SyncedBlock[] = [];
    let bytes = 0;
    for (let h = from; h < from + BigInt(count); h++) {
      const block = engine.getBlockByNumber(h);
      const certificate = engine.getCertificate(h);
      if (block === undefined || certificate === undefined) break;
      const transactions = block.transactions.map((hash) => fromHex(engine.getTransaction(hash)!.raw));
      bytes += transactions.reduce((sum, tx) => sum + tx.length, 0) + 1024;
      if (blocks.length > 0 && bytes > MAX_SYNC_RESPONSE_BYTES) break;
      blocks.push({
        height: h,
        timestamp: block.timestamp,
        extraData: block.extraData,
        epoch: block.consensus.epoch,
        proposers: block.consensus.proposers,
        transactions,
        certificate,
      });
    }
    if (blocks.length > 0) this.options.transport.send(peer, CHANNEL.syncResponse, encodeSyncResponse(blocks));
  }

  private onResponse(peer: string, payload: Uint8Array): void {
    const outstanding = this.outstanding;
    if (outstanding === undefined || outstanding.peer !== peer) return; // unsolicited
    clearTimeout(outstanding.timer);
    const blocks = decodeSyncResponse(payload);
    this.options.runExclusive(async () => {
      try {
        await this.apply(peer, blocks);
      } finally {
        this.outstanding = undefined;
      }
      this.maybeRequest();
    });
  }

  private async apply(peer: string, blocks: readonly SyncedBlock[]): Promise<void> {
    const { engine, committee, chainId, logger } = this.options;
    let last: bigint | undefined;
    for (const synced of blocks) {
      const head = engine.head().number;
      if (synced.height <= head) continue;
      if (synced.height !== head + 1n) break;
      const cert = synced.certificate;
      const check = cert.chainId !== chainId ? { ok: false as const, reason: 'wrong chain id' } : verifyCertificate(cert, committee);
      if (!check.ok) {
        logger.warn({ peer: peer.slice(0, 16), height: synced.height.toString(), reason: check.reason }, 'sync: block with an invalid certificate rejected');
        this.peers.delete(peer);
        return;
      }
      const result = await engine.executeBlock({
        height: synced.height,
        timestampMs: Number(synced.timestamp) * 1000,
        transactions: synced.transactions,
        extraData: synced.extraData,
        consensus: { epoch: synced.epoch, proposers: synced.proposers },
      });
      if (result.block.hash !== cert.blockHash || result.block.stateRoot !== cert.stateRoot) {
        logger.fatal({ height: synced.height.toString(), ours: result.block.hash, certified: cert.blockHash }, 'sync: re-executed block differs from its certificate');
        throw new Error(`block ${synced.height} re-executed to ${result.block.hash}, but its certificate says ${cert.blockHash}`);
      }
      await engine.putCertificate(cert);
      this.options.metrics.syncedBlocks.inc();
      this.options.metrics.certifiedHeight.set(Number(synced.height));
      await this.options.onApplied(result);
      last = synced.height;
    }
    if (last !== undefined) {
      logger.info({ height: last.toString() }, 'synced');
      this.options.onSynced(last);
    }
  }
}
