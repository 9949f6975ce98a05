// Block sync: validators announce their head; one that falls behind fetches the missing finalized
// blocks from peers and makes each durable only once it is exactly the block its finality
// certificate names (docs/protocol.md, "Sync"):
//
//   1. the response decodes within the wire limits (else: the peer's fault);
//   2. each block's certificate is for this chain, this height and the committee of its epoch,
//      and carries signatures of more than 2/3 of that committee's weight;
//   3. the block is executed, and committed together with its certificate only if its hash and
//      state root are the certified ones (the engine refuses anything else, storing nothing).
//
// A peer that answers late, empty, malformed or forged is penalised and another is asked (see
// sync-peers.ts). After any response the head is the certified block or unchanged.
import type { SignatureCheck } from '../chain/certificate.js';
import { certifiedBlockAt, certifiedBlockBytes, certifiedBlockProblem, executeCertifiedBlock } from './certified-blocks.js';
import type { Committee } from '../stake/committee.js';
import type { BlockResult, ExecutionEngine } from '../execution/engine.js';
import { MAX_EXTRA_DATA_BYTES } from '../execution/limits.js';
import type { Transport } from '../net/transport.js';
import { every, type CancelTimer, type Clock } from './clock.js';
import type { Logger } from './logger.js';
import type { NodeMetrics } from './metrics.js';
import { SyncPeerBook, type SyncFault } from './sync-peers.js';
import {
  CHANNEL,
  MAX_SYNC_BLOCKS_PER_REQUEST,
  MAX_SYNC_RESPONSE_BYTES,
  WireError,
  decodeStatus,
  decodeSyncRequest,
  decodeSyncResponse,
  encodeStatus,
  encodeSyncRequest,
  encodeSyncResponse,
  type SyncedBlock,
} from './wire.js';

export const STATUS_INTERVAL_MS = 500;
/** A corroborated target this many certified blocks ahead is synced towards at once… */
export const SYNC_LAG_BLOCKS = 2n;
/** …and any peer's claim ahead of us, once our head has not moved for this long. */
export const SYNC_STALL_MS = 2_000;
export const SYNC_REQUEST_TIMEOUT_MS = 5_000;
/** Bytes of blocks served to one peer per status interval: bounds the work a peer can make us do. */
export const MAX_SYNC_BYTES_SERVED_PER_PEER_PER_INTERVAL = 2 * MAX_SYNC_RESPONSE_BYTES;
/** Sync requests answered per peer per status interval (each costs store reads even when small). */
export const MAX_SYNC_REQUESTS_SERVED_PER_INTERVAL = 4;
/** How far back the status message looks for this node's highest certified block. */
const CERTIFIED_LOOKBACK_BLOCKS = 8n;

/** What sync needs of the execution engine (the simulator supplies a twin). */
export type SyncEngine = Pick<ExecutionEngine, 'head' | 'getBlockByNumber' | 'getCertificate' | 'getTransaction' | 'executeBlock'>;

/** What sync needs of the transport. */
export type SyncLink = Pick<Transport, 'send' | 'broadcast'>;

export interface BlockSyncOptions {
  readonly engine: SyncEngine;
  readonly link: SyncLink;
  /** The committee of an epoch, or undefined for an epoch this node does not know (refused). */
  readonly committeeOfEpoch: (epoch: number) => Committee | undefined;
  /** The epoch of a height (a block claiming another is refused). */
  readonly epochOfHeight: (height: bigint) => number;
  /** Weight of a peer id in the current committee (0 when it is not a member). */
  readonly weightOf: (peer: string) => bigint;
  /** The current committee's total weight. */
  readonly totalWeight: () => bigint;
  readonly chainId: bigint;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: NodeMetrics;
  /** Signature check for certificates (ed25519 unless the simulator injects its twin). */
  readonly verifySignature?: SignatureCheck;
  /** Runs block application in the consensus driver's queue (never concurrently with delivery). */
  readonly runExclusive: (task: () => Promise<void>) => void;
  readonly onApplied: (result: BlockResult) => Promise<void>;
  readonly onSynced: (height: bigint) => void;
}

interface Outstanding {
  readonly peer: string;
  readonly from: bigint;
  readonly count: number;
  readonly cancel: CancelTimer;
}

export class BlockSync {
  private readonly book: SyncPeerBook;
  private readonly served = new Map<string, { requests: number; bytes: number }>();
  private outstanding: Outstanding | undefined;
  private applying = false;
  private stopTicking: CancelTimer | undefined;
  private lastHead = 0n;
  private lastHeadChangeMs: number;
  private startingBlock = 0n;
  private stopped = false;

  constructor(private readonly options: BlockSyncOptions) {
    this.book = new SyncPeerBook(options.weightOf, options.totalWeight);
    this.lastHeadChangeMs = options.clock.now();
  }

  start(): void {
    this.lastHead = this.options.engine.head().number;
    this.lastHeadChangeMs = this.options.clock.now();
    this.stopTicking = every(this.options.clock, STATUS_INTERVAL_MS, () => this.tick());
  }

  stop(): void {
    this.stopped = true;
    this.stopTicking?.();
    this.outstanding?.cancel();
    this.outstanding = undefined;
  }

  /** Tells peers where we are (also right after a peer connects). */
  announce(): void {
    const head = this.options.engine.head().number;
    this.options.link.broadcast(CHANNEL.status, encodeStatus({ head, certified: this.certifiedHead(head) }));
  }

  peerDown(peer: string): void {
    this.book.forget(peer);
    if (this.outstanding?.peer === peer) this.fail(peer, 'timeout', 'peer disconnected with a request outstanding');
  }

  /** eth_syncing: false unless peers of more than 1/3 of the weight are certified ahead of us. */
  status(): false | { startingBlock: bigint; currentBlock: bigint; highestBlock: bigint } {
    const head = this.options.engine.head().number;
    const highest = this.book.corroboratedHeight();
    if (highest < head + SYNC_LAG_BLOCKS) return false;
    return { startingBlock: this.startingBlock, currentBlock: head, highestBlock: highest };
  }

  /** Blocks between the head and the height more than 1/3 of the weight claims; 0 when level or ahead. */
  lagBlocks(): number {
    const lag = this.book.corroboratedHeight() - this.options.engine.head().number;
    return lag > 0n ? Number(lag) : 0;
  }

  /** For tests and status pages: how often a peer has been penalised in a row. */
  failuresOf(peer: string): number {
    return this.book.failuresOf(peer);
  }

  /** Handles one sync-channel frame; a frame that does not decode throws WireError (the caller counts it). */
  onMessage(peer: string, channel: number, payload: Uint8Array): void {
    if (channel === CHANNEL.status) {
      this.book.onStatus(peer, decodeStatus(payload));
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
      this.lastHeadChangeMs = this.options.clock.now();
    }
    this.announce();
    this.maybeRequest();
  }

  private certifiedHead(head: bigint): bigint {
    for (let h = head; h > 0n && h + CERTIFIED_LOOKBACK_BLOCKS > head; h--) if (this.options.engine.getCertificate(h) !== undefined) return h;
    return 0n;
  }

  private maybeRequest(): void {
    if (this.stopped || this.outstanding !== undefined || this.applying) return;
    const { clock, engine } = this.options;
    const head = engine.head().number;
    const corroborated = this.book.corroboratedHeight();
    const stalled = clock.now() - this.lastHeadChangeMs > SYNC_STALL_MS;
    if (!(corroborated >= head + SYNC_LAG_BLOCKS || (stalled && this.book.highestClaim() > head))) return;
    const from = head + 1n;
    const choice = this.book.pick(from, clock.now());
    if (choice === undefined) return;
    const { peer, claim } = choice;
    // Ask up to the corroborated target when there is one, else up to this peer's claim.
    const target = corroborated > head ? (claim.certified < corroborated ? claim.certified : corroborated) : claim.certified;
    const count = Number(target - head < BigInt(MAX_SYNC_BLOCKS_PER_REQUEST) ? target - head : BigInt(MAX_SYNC_BLOCKS_PER_REQUEST));
    if (this.startingBlock === 0n) this.startingBlock = head;
    const cancel = clock.setTimer(() => {
      if (this.outstanding?.peer === peer && this.outstanding.from === from) this.fail(peer, 'timeout', `no answer within ${SYNC_REQUEST_TIMEOUT_MS} ms`);
    }, SYNC_REQUEST_TIMEOUT_MS);
    this.outstanding = { peer, from, count, cancel };
    this.options.logger.info({ peer: peer.slice(0, 16), from: from.toString(), count, peerCertified: claim.certified.toString(), corroborated: corroborated.toString() }, 'syncing blocks');
    if (!this.options.link.send(peer, CHANNEL.syncRequest, encodeSyncRequest({ from, count }))) this.fail(peer, 'timeout', 'peer not connected');
  }

  /** The request failed because of the peer: bench it, and ask someone else. */
  private fail(peer: string, fault: SyncFault, detail: string): void {
    const backoffMs = this.book.penalize(peer, this.options.clock.now());
    this.options.metrics.dropped.inc({ reason: `sync-${fault}` });
    this.options.logger.warn({ peer: peer.slice(0, 16), fault, detail, backoffMs }, 'sync peer penalised');
    if (this.outstanding?.peer === peer) {
      this.outstanding.cancel();
      this.outstanding = undefined;
    }
    this.maybeRequest();
  }

  private serve(peer: string, payload: Uint8Array): void {
    const budget = this.served.get(peer) ?? { requests: 0, bytes: 0 };
    this.served.set(peer, budget);
    if (++budget.requests > MAX_SYNC_REQUESTS_SERVED_PER_INTERVAL || budget.bytes >= MAX_SYNC_BYTES_SERVED_PER_PEER_PER_INTERVAL) {
      this.options.metrics.dropped.inc({ reason: 'sync-serve-budget' });
      return;
    }
    const { from, count } = decodeSyncRequest(payload);
    const { engine } = this.options;
    const blocks: SyncedBlock[] = [];
    let bytes = 0;
    const limit = Math.min(MAX_SYNC_RESPONSE_BYTES, MAX_SYNC_BYTES_SERVED_PER_PEER_PER_INTERVAL - budget.bytes);
    for (let h = from; h < from + BigInt(count); h++) {
      const block = certifiedBlockAt(engine, h);
      if (block === 'missing-body') return; // our store lacks a body it should hold: serve nothing rather than a wrong block
      if (block === undefined) break;
      bytes += certifiedBlockBytes(block);
      if (blocks.length > 0 && bytes > limit) break;
      blocks.push(block);
    }
    if (blocks.length === 0) return;
    budget.bytes += bytes;
    this.options.link.send(peer, CHANNEL.syncResponse, encodeSyncResponse(blocks));
  }

  private onResponse(peer: string, payload: Uint8Array): void {
    const outstanding = this.outstanding;
    if (outstanding === undefined || outstanding.peer !== peer) {
      this.options.metrics.dropped.inc({ reason: 'sync-unsolicited' });
      return;
    }
    let blocks: SyncedBlock[];
    try {
      blocks = decodeSyncResponse(payload);
    } catch (error) {
      if (!(error instanceof WireError)) throw error;
      return this.fail(peer, 'malformed', error.message);
    }
    const shapeProblem = this.checkShape(blocks, outstanding);
    if (shapeProblem !== undefined) return this.fail(peer, shapeProblem.fault, shapeProblem.detail);
    outstanding.cancel();
    this.outstanding = undefined;
    this.applying = true;
    this.options.runExclusive(async () => {
      try {
        const fault = await this.apply(peer, blocks);
        if (fault === undefined) this.book.succeeded(peer);
        else this.fail(peer, fault.fault, fault.detail);
      } finally {
        this.applying = false;
      }
      this.maybeRequest();
    });
  }

  /** Checks that need no signature or execution: the answer covers what was asked, in order. */
  private checkShape(blocks: readonly SyncedBlock[], asked: Outstanding): { fault: SyncFault; detail: string } | undefined {
    if (blocks.length === 0) return { fault: 'empty', detail: 'no blocks' };
    if (blocks.length > asked.count) return { fault: 'out-of-range', detail: `${blocks.length} blocks for a request of ${asked.count}` };
    for (const [i, block] of blocks.entries()) {
      if (block.height !== asked.from + BigInt(i)) return { fault: 'out-of-range', detail: `block ${i} has height ${block.height}, expected ${asked.from + BigInt(i)}` };
      if ((block.extraData.length - 2) / 2 > MAX_EXTRA_DATA_BYTES) return { fault: 'forged', detail: `extraData of block ${block.height} is longer than ${MAX_EXTRA_DATA_BYTES} bytes` };
      if (block.certificate.epoch !== block.epoch) return { fault: 'invalid-certificate', detail: `block ${block.height} claims epoch ${block.epoch}, its certificate ${block.certificate.epoch}` };
    }
    return undefined;
  }

  private async apply(peer: string, blocks: readonly SyncedBlock[]): Promise<{ fault: SyncFault; detail: string } | undefined> {
    const { engine, logger } = this.options;
    let last: bigint | undefined;
    let fault: { fault: SyncFault; detail: string } | undefined;
    for (const synced of blocks) {
      if (this.stopped) break;
      const head = engine.head().number;
      if (synced.height <= head) continue; // consensus delivered it meanwhile
      if (synced.height !== head + 1n) break;
      const problem = certifiedBlockProblem(synced, this.options);
      if (problem !== undefined) {
        fault = problem;
        break;
      }
      // The engine stores nothing that is not the certified block: such a body is the peer's lie.
      // Any other failure is ours (disk, engine) and is thrown: the driver stops the validator.
      const executed = await executeCertifiedBlock(engine, synced);
      if ('forged' in executed) {
        fault = { fault: 'forged', detail: executed.forged };
        break;
      }
      const { result } = executed;
      this.options.metrics.syncedBlocks.inc();
      this.options.metrics.certifiedHeight.set(Number(synced.height));
      await this.options.onApplied(result);
      last = synced.height;
    }
    if (last !== undefined) {
      logger.info({ height: last.toString(), peer: peer.slice(0, 16) }, 'synced');
      this.options.onSynced(last);
    }
    return fault;
  }
}
