// One validator's logic, with everything it touches passed in: the clock, the peer link, the vote
// journal, the execution engine and the pending-transaction store. validator.ts builds it over
// real sockets, lmdb and the EVM; the simulator (src/sim/) builds it over in-memory twins and runs
// this same code. It wires the consensus core (through the driver: persist, then send) to proposal
// pacing, transaction gossip, execution, finality certificates and block sync.
import type { SignatureCheck } from '../chain/certificate.js';
import type { ChainStore } from '../chain/store.js';
import type { Hex } from '../chain/types.js';
import { createConsensusCore } from '../consensus/core.js';
import type { CoreConfig, CoreTiming, Evidence, JournalEntry, MessageSigner, SignatureVerifier, Superblock } from '../consensus/types.js';
import { toHex } from '../crypto/bytes.js';
import { keccak256 } from '../crypto/hash.js';
import type { BlockResult, ExecutionEngine } from '../execution/engine.js';
import { Mempool, type MempoolOptions } from '../mempool/index.js';
import type { Transport } from '../net/transport.js';
import type { Committee } from '../stake/committee.js';
import type { CommitteeSchedule } from './committees.js';
import { admitDurably, restorePendingTransactions, type PendingTransactionStore } from '../storage/pending-store.js';
import { CertificateService } from './certificates.js';
import type { Clock } from './clock.js';
import { ConsensusDriver } from './consensus-driver.js';
import { TransactionGossip } from './gossip.js';
import type { Logger } from './logger.js';
import type { NodeMetrics } from './metrics.js';
import { EMPTY_BLOCK_INTERVAL_MS, MAX_PROPOSAL_BYTES, MAX_PROPOSAL_TRANSACTIONS, ProposalPacer } from './proposals.js';
import { proposalGasShare } from '../mempool/index.js';
import { BlockSync } from './sync.js';
import { CHANNEL, WireError, peekConsensusHeight } from './wire.js';

/**
 * Housekeeping writes of a block (pruning the vote journal; the pending store forgets included
 * transactions as the pool lets them go) run beside the next height instead of before it: neither
 * is needed for safety (old journal entries are pruned next time). Beyond this many in flight, a
 * block waits for them.
 */
export const MAX_HOUSEKEEPING_IN_FLIGHT = 4;
/** Vote-journal entries are kept for this many heights below the current one. */
export const JOURNAL_KEEP_HEIGHTS = 2n;

/** What the node needs of the execution engine (the simulator supplies a twin). */
export type NodeEngine = Pick<ExecutionEngine, 'head' | 'getBlockByNumber' | 'getCertificate' | 'putCertificate' | 'getTransaction' | 'executeBlock' | 'getAccount'>;
/** What the node needs of the transport. */
export type NodeLink = Pick<Transport, 'send' | 'broadcast' | 'onMessage' | 'onPeerUp' | 'onPeerDown' | 'connectedPeers' | 'pauseReading' | 'resumeReading'>;
/** The vote journal (part of the chain store). */
export type JournalStore = Pick<ChainStore, 'appendJournal' | 'readJournal' | 'pruneJournal'>;

export interface ValidatorNodeOptions {
  readonly clock: Clock;
  readonly link: NodeLink;
  readonly journal: JournalStore;
  readonly engine: NodeEngine;
  readonly pendingStore: PendingTransactionStore;
  /** The committee of every epoch (genesis's, then drawn at each epoch's end from the staking state). */
  readonly committees: CommitteeSchedule;
  readonly chainId: bigint;
  /** Binds consensus signatures to this chain (chain id and genesis hash; see consensus/messages.ts). */
  readonly chainBinding: Uint8Array;
  readonly gasLimit: bigint;
  readonly baseFeePerGas: bigint;
  /** This node's consensus key (signs votes and certificate shares). */
  readonly signer: MessageSigner;
  readonly verifier: SignatureVerifier;
  readonly logger: Logger;
  readonly metrics: NodeMetrics;
  readonly emptyBlockIntervalMs?: number;
  /** The consensus core's envelope decoder (the simulator shares decodes across its nodes). */
  readonly decodeEnvelope?: CoreConfig['decode'];
  /** The mempool's transaction decoder (the simulator shares decodes across its nodes). */
  readonly decodeTransaction?: MempoolOptions['decode'];
  /** Coalescing window of the consensus driver (consensus-driver.ts DEFAULT_FLUSH_INTERVAL_MS). */
  readonly flushIntervalMs?: number;
  readonly timing?: Partial<CoreTiming>;
  /** The node hit a failure it must not run past (diverged, disk failed): stop the process. */
  readonly onFatal: (reason: string, error?: unknown) => void;
  /** Sees what consensus proposes and delivers (the simulator's invariants; metrics could). */
  readonly observer?: NodeObserver;
}

export interface NodeObserver {
  proposed?(height: number, transactions: readonly Uint8Array[], timestampMs: number): void;
  evidence?(evidence: Evidence): void;
  /** A superblock delivered by this node's consensus, with each instance's decision round. */
  delivered?(superblock: Superblock, rounds: readonly number[]): void;
}

export interface InclusionRecord {
  readonly index: number;
  readonly id: string;
  included: bigint;
  excluded: bigint;
}

const peerIdOf = (publicKey: Uint8Array): string => toHex(publicKey);

export class ValidatorNode {
  readonly mempool: Mempool;
  /** Blocks each validator's batch made it into, or not, while it was a member (by validator id). */
  private readonly inclusionById = new Map<string, { included: bigint; excluded: bigint }>();
  private readonly peersOfCommittee = new WeakMap<Committee, Map<string, number>>();
  private readonly selfKey: string;
  private readonly driver: ConsensusDriver;
  private readonly sync: BlockSync;
  private readonly pacer: ProposalPacer;
  private readonly gossip: TransactionGossip;
  private readonly certificates: CertificateService;
  private readonly housekeeping = new Set<Promise<void>>();
  private stopped = false;
  /** When the last block was executed (the clock's ms), for the height duration. */
  private lastBlockExecutedMs: number | undefined;
  private haltedReason: string | undefined;

  constructor(private readonly options: ValidatorNodeOptions) {
    const { committees, engine, clock, link, logger, metrics } = options;
    this.selfKey = peerIdOf(options.signer.publicKey);
    this.mempool = new Mempool({
      now: () => clock.now(),
      chainId: options.chainId,
      state: { getAccount: (address) => engine.getAccount(address) },
      blockGasLimit: options.gasLimit,
      baseFeePerGas: () => options.baseFeePerGas,
      committeeSize: () => this.committee.members.length,
      ...(options.decodeTransaction === undefined ? {} : { decode: options.decodeTransaction }),
    });
    const verifySignature: SignatureCheck = (publicKey, message, signature) => options.verifier.verify(publicKey, message, signature);
    const core = createConsensusCore({
      // A validator whose seat changes with the epochs: it votes wherever its key is a member.
      selfIndex: 'by-key',
      committeeForHeight: (height) => committees.committeeForHeight(height),
      signer: options.signer,
      verifier: options.verifier,
      startHeight: Number(engine.head().number) + 1,
      journal: options.journal.readJournal() as JournalEntry[],
      chainBinding: options.chainBinding,
      coalesce: true,
      ...(options.decodeEnvelope === undefined ? {} : { decode: options.decodeEnvelope }),
      ...(options.timing === undefined ? {} : { timing: options.timing }),
    });
    this.driver = new ConsensusDriver(
      core,
      {
        persist: (entries, height) => options.journal.appendJournal(entries, BigInt(height)),
        broadcast: (bytes) => {
          metrics.messagesOut.inc({ channel: 'consensus' });
          link.broadcast(CHANNEL.consensus, bytes);
        },
        send: (to, bytes) => {
          const member = committees.committeeOfEpoch(committees.epochOf(peekConsensusHeight(bytes) ?? 0))?.members[to];
          if (member === undefined) return;
          metrics.messagesOut.inc({ channel: 'consensus' });
          link.send(peerIdOf(member.publicKey), CHANNEL.consensus, bytes);
        },
        requestProposal: (height) => this.pacer.requested(height),
        deliver: (superblock, rounds) => {
          options.observer?.delivered?.(superblock, rounds);
          return this.onDeliver(superblock);
        },
        evidence: (action) => {
          options.observer?.evidence?.(action.evidence);
          logger.warn({ offender: action.evidence.offender, height: action.evidence.height, slot: action.evidence.slot }, 'equivocation evidence');
        },
        fatal: (error) => this.halt('the consensus driver failed', error),
        pauseReading: (paused) => (paused ? link.pauseReading() : link.resumeReading()),
      },
      logger.child({ part: 'consensus' }),
      metrics,
      clock,
      options.flushIntervalMs,
    );
    this.pacer = new ProposalPacer({
      clock,
      emptyBlockIntervalMs: options.emptyBlockIntervalMs ?? EMPTY_BLOCK_INTERVAL_MS,
      takeBatch: (height) => this.takeBatch(height),
      propose: (height, batch, timestampMs) => {
        options.observer?.proposed?.(height, batch, timestampMs);
        this.driver.propose(height, batch, timestampMs);
      },
    });
    this.gossip = new TransactionGossip({ clock, link, mempool: this.mempool, metrics });
    this.certificates = new CertificateService({
      chainId: options.chainId,
      committeeAt: (height) => committees.committeeOfEpoch(committees.epochOf(height)),
      selfIndexAt: (height) => this.memberIndexAt(height, this.selfKey) ?? null,
      sign: (message) => options.signer.sign(message),
      memberOfPeerAt: (height, peer) => this.memberIndexAt(height, peer),
      engine,
      link,
      logger: logger.child({ part: 'certificates' }),
      metrics,
      verifySignature,
      onDivergence: (detail) => this.halt(`this node diverged from the certified chain: ${detail}; its data dir cannot be trusted: stop it, move the data dir aside and let it sync again`),
    });
    this.sync = new BlockSync({
      engine,
      link,
      committeeOfEpoch: (epoch) => committees.committeeOfEpoch(epoch),
      epochOfHeight: (height) => committees.epochOf(height),
      weightOf: (peer) => this.committee.members[this.peerIndex(this.committee).get(peer) ?? -1]?.weight ?? 0n,
      totalWeight: () => this.committee.totalWeight,
      chainId: options.chainId,
      clock,
      logger: logger.child({ part: 'sync' }),
      metrics,
      verifySignature,
      runExclusive: (task) => this.driver.runExclusive(task),
      onApplied: (result) => this.afterBlock(result, false),
      onSynced: (height) => this.driver.syncedTo(Number(height)),
    });
  }

  /** The committee of the next height's epoch (of the head's, while the next one is not drawn yet). */
  get committee(): Committee {
    const { committees, engine } = this.options;
    const head = engine.head().number;
    return committees.committeeOfEpoch(committees.epochOf(head + 1n)) ?? committees.committeeOfEpoch(committees.epochOf(head)) ?? committees.genesis;
  }

  /** This node's index in the current committee, or null when it is not a member (a full node). */
  get committeeIndex(): number | null {
    return this.peerIndex(this.committee).get(this.selfKey) ?? null;
  }

  /** Inclusion counts of the current committee's members, in committee order. */
  get inclusion(): InclusionRecord[] {
    return this.committee.members.map((m) => ({ index: m.index, id: m.id, ...(this.inclusionById.get(m.id) ?? { included: 0n, excluded: 0n }) }));
  }

  private peerIndex(committee: Committee): Map<string, number> {
    let map = this.peersOfCommittee.get(committee);
    if (map === undefined) this.peersOfCommittee.set(committee, (map = new Map(committee.members.map((m) => [peerIdOf(m.publicKey), m.index]))));
    return map;
  }

  /** A peer's index in the committee of `height`, if that committee is known and holds it. */
  private memberIndexAt(height: bigint | number, peer: string): number | undefined {
    const { committees } = this.options;
    const committee = committees.committeeOfEpoch(committees.epochOf(height));
    return committee === undefined ? undefined : this.peerIndex(committee).get(peer);
  }

  async start(): Promise<void> {
    const { link, logger, metrics, engine, committees } = this.options;
    const head = engine.head();
    await committees.prepare(head.number);
    logger.info({ head: head.number.toString(), epoch: this.committee.epoch, committeeIndex: this.committeeIndex, committeeSize: this.committee.members.length }, 'validator starting');
    if (this.committeeIndex === null) logger.info('this key is not in the current committee: following the chain as a full node until it is drawn');
    link.onMessage((peer, channel, payload) => this.onPeerMessage(peer, channel, payload));
    link.onPeerUp((peer) => {
      logger.info({ peer: peer.slice(0, 16) }, 'peer connected');
      this.sync.announce();
    });
    link.onPeerDown((peer) => {
      logger.info({ peer: peer.slice(0, 16) }, 'peer disconnected');
      this.sync.peerDown(peer);
    });
    this.mempool.onAdded(() => this.pacer.transactionsAvailable());
    await this.restorePending();
    metrics.height.set(Number(head.number));
    this.sync.start();
    this.driver.start();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.pacer.stop();
    this.gossip.stop();
    this.driver.stop();
    this.sync.stop();
    await this.driver.whenIdle();
    await Promise.all(this.housekeeping);
  }

  /** Why the node stopped voting, if it did (a divergence or an internal failure). */
  get halted(): string | undefined {
    return this.haltedReason;
  }

  consensusStatus(): ReturnType<ConsensusDriver['status']> {
    return this.driver.status();
  }

  syncStatus(): ReturnType<BlockSync['status']> {
    return this.sync.status();
  }

  /** Blocks the corroborated chain is ahead of this node's head (synod_sync_lag_blocks). */
  syncLagBlocks(): number {
    return this.sync.lagBlocks();
  }

  // ------------------------------------------------------------ transactions

  /**
   * Admits a client's transaction, keeps it durably until a block includes it, and gossips it.
   * Gossip goes out before the durable write (an fsync): the transaction is public once sent, so
   * nothing is gained by holding it back, and its owner may propose it meanwhile. The client hears
   * "accepted" only once it is durable.
   */
  /** evm_mine: this member proposes its pending height now (see ProposalPacer.proposeAtOnce). */
  proposeAtOnce(): void {
    this.pacer.proposeAtOnce();
  }

  submit(raw: Uint8Array): Promise<Hex> {
    return admitDurably(this.options.pendingStore, this.mempool, raw, (admitted) => this.gossip.gossip(admitted));
  }

  /**
   * Re-admits the transactions accepted before a restart (those a block included meanwhile are
   * refused and dropped) and from then on removes from the store whatever leaves the pool.
   */
  private async restorePending(): Promise<void> {
    const { restored, dropped, trimmed } = await restorePendingTransactions(this.options.pendingStore, this.mempool, (error) =>
      this.options.logger.error({ err: error }, 'forgetting pending transactions that left the pool failed'),
    );
    for (const raw of restored) this.gossip.gossip(raw);
    if (restored.length + dropped + trimmed > 0) this.options.logger.info({ restored: restored.length, dropped, trimmed }, 'pending transactions restored from the previous run');
  }

  private takeBatch(height: number): Uint8Array[] {
    const { committees } = this.options;
    const member = this.memberIndexAt(height, this.selfKey);
    if (member === undefined) return [];
    const size = committees.committeeForHeight(height).members.length;
    return this.mempool.takeBatch({
      member,
      committeeSize: size,
      height,
      maxTransactions: MAX_PROPOSAL_TRANSACTIONS,
      maxBytes: MAX_PROPOSAL_BYTES,
      maxGas: proposalGasShare(this.options.gasLimit, size),
    });
  }

  // ------------------------------------------------------------ peers

  /** Every frame from a peer: routed by channel; one that fails to decode or apply is the peer's fault, never ours. */
  private onPeerMessage(peer: string, channel: number, payload: Uint8Array): void {
    if (this.stopped) return;
    this.options.metrics.messagesIn.inc(channel);
    try {
      switch (channel) {
        case CHANNEL.consensus:
          this.pacer.peerWorkingOn(peekConsensusHeight(payload));
          this.driver.onMessage(payload, peer);
          break;
        case CHANNEL.transactions:
          this.gossip.onFrame(peer, payload).catch((error: unknown) => this.onBadFrame(peer, channel, error));
          break;
        case CHANNEL.certificateShare:
          this.certificates.onShare(peer, payload);
          break;
        case CHANNEL.status:
        case CHANNEL.syncRequest:
        case CHANNEL.syncResponse:
          this.sync.onMessage(peer, channel, payload);
          break;
        default:
          this.options.metrics.dropped.inc({ reason: 'unknown-channel' });
      }
    } catch (error) {
      this.onBadFrame(peer, channel, error);
    }
  }

  private onBadFrame(peer: string, channel: number, error: unknown): void {
    const { metrics, logger } = this.options;
    metrics.dropped.inc({ reason: error instanceof WireError ? 'malformed' : 'handler-error' });
    if (error instanceof WireError) logger.debug({ peer: peer.slice(0, 16), channel, err: error.message }, 'malformed message dropped');
    else logger.warn({ peer: peer.slice(0, 16), channel, err: error }, 'message handler failed; message dropped');
  }

  // ------------------------------------------------------------ blocks

  private async onDeliver(superblock: Superblock): Promise<void> {
    const { engine, logger, metrics, clock } = this.options;
    const height = BigInt(superblock.height);
    const head = engine.head();
    if (height <= head.number) {
      // Sync applied this height first; it was checked against its certificate. Ours must agree.
      const block = engine.getBlockByNumber(height);
      if (block !== undefined && block.extraData !== `0x${toHex(superblock.digest)}`) {
        this.halt(`consensus delivered superblock ${toHex(superblock.digest)} at height ${height}, but the certified block holds ${block.extraData}`);
      }
      return;
    }
    const deliveredMs = clock.now();
    const senders = new Map<Hex, Hex>();
    for (const raw of superblock.transactions) {
      const hash = `0x${toHex(keccak256(raw))}` as Hex;
      const sender = this.mempool.get(hash)?.sender;
      if (sender !== undefined) senders.set(hash, sender);
    }
    const result = await engine.executeBlock({
      height,
      timestampMs: superblock.timestampMs,
      transactions: superblock.transactions,
      extraData: `0x${toHex(superblock.digest)}`,
      consensus: { epoch: superblock.epoch, proposers: superblock.batches.map((b) => b.proposer) },
      senders,
    });
    const included = new Set(superblock.batches.map((b) => b.proposer));
    for (const member of this.options.committees.committeeForHeight(superblock.height).members) {
      let entry = this.inclusionById.get(member.id);
      if (entry === undefined) this.inclusionById.set(member.id, (entry = { included: 0n, excluded: 0n }));
      if (included.has(member.index)) entry.included++;
      else entry.excluded++;
    }
    const executedMs = clock.now();
    const startedMs = this.pacer.takeRequestedAt(superblock.height);
    if (startedMs !== undefined) metrics.finalityLatency.observe((executedMs - startedMs) / 1000);
    await this.afterBlock(result, true);
    logger.debug(
      {
        height: superblock.height,
        transactions: result.included.length,
        skipped: result.skipped.length,
        agreeMs: startedMs === undefined ? null : deliveredMs - startedMs,
        executeMs: executedMs - deliveredMs,
        afterMs: clock.now() - executedMs,
      },
      'height done',
    );
  }

  private async afterBlock(result: BlockResult, ownConsensus: boolean): Promise<void> {
    const { metrics, logger, journal } = this.options;
    const { block, skipped } = result;
    const nowMs = this.options.clock.now();
    if (this.lastBlockExecutedMs !== undefined) metrics.heightDuration.observe((nowMs - this.lastBlockExecutedMs) / 1000);
    this.lastBlockExecutedMs = nowMs;
    metrics.height.set(Number(block.number));
    metrics.blockTransactions.observe(block.transactions.length);
    if (skipped.length > 0) {
      metrics.skippedTransactions.inc(skipped.length);
      logger.debug({ height: block.number.toString(), skipped }, 'transactions skipped at their turn');
    }
    // The epoch's last block: draw the next committee from its state before anything else moves.
    const drawStartedMs = this.options.clock.now();
    const drawn = await this.options.committees.onBlockExecuted(block.number);
    if (drawn !== undefined) {
      const drawMs = this.options.clock.now() - drawStartedMs;
      metrics.committeeDraw.observe(drawMs / 1000);
      logger.info({ epoch: drawn.epoch, members: drawn.members.map((m) => m.id), member: this.peerIndex(drawn).get(this.selfKey) ?? null, drawMs }, 'next epoch committee drawn');
      this.driver.committeeKnown();
    }
    const includedTxs = result.included;
    await this.mempool.onBlockCommitted(includedTxs, Number(block.number));
    await this.housekeep('pruning the vote journal', () => journal.pruneJournal(block.number + 1n - JOURNAL_KEEP_HEIGHTS));
    // A synced block came with its certificate; a block of our own consensus is certified by shares.
    if (ownConsensus) this.certificates.onBlockExecuted(block);
    else this.certificates.forgetUpTo(block.number);
    this.pacer.transactionsAvailable();
  }

  /** Starts `task` without waiting for it, unless MAX_HOUSEKEEPING_IN_FLIGHT are still running. */
  private async housekeep(what: string, task: () => Promise<unknown>): Promise<void> {
    while (this.housekeeping.size >= MAX_HOUSEKEEPING_IN_FLIGHT) await Promise.race(this.housekeeping);
    const run = task().then(
      () => undefined,
      (error: unknown) => this.options.logger.error({ err: error }, `${what} failed`),
    );
    this.housekeeping.add(run);
    run.finally(() => this.housekeeping.delete(run)).catch(() => undefined);
  }

  /** The one divergence and failure policy: stop voting and syncing at once, then stop the process. */
  private halt(reason: string, error?: unknown): void {
    if (this.haltedReason !== undefined) return;
    this.haltedReason = reason;
    this.options.logger.fatal({ err: error }, reason);
    this.pacer.stop();
    this.driver.stop();
    this.sync.stop();
    this.options.onFatal(reason, error);
  }
}
