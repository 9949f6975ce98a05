// One validator process: wires the consensus core to the transport, the vote journal, the
// execution engine, the mempool, block sync and the JSON-RPC server.
import { join } from 'node:path';
import type { FinalityCertificate, Hex } from '../chain/types.js';
import { CertificateCollector, certificateMessage, verifyCertificate } from '../chain/certificate.js';
import { createConsensusCore } from '../consensus/core.js';
import { ed25519Signer, ed25519Verifier } from '../consensus/signing.js';
import type { Committee, JournalEntry, Superblock } from '../consensus/types.js';
import { toHex } from '../crypto/bytes.js';
import { sign } from '../crypto/ed25519.js';
import { createExecutionEngine, type BlockResult, type ExecutionEngine } from '../execution/engine.js';
import { Mempool, proposalGasShare } from '../mempool/index.js';
import { createTransport, type Transport } from '../net/transport.js';
import { startRpcServer, type RpcServer } from '../rpc/server.js';
import { openChainStore } from '../storage/lmdb-store.js';
import { admitDurably, openPendingTransactionStore, restorePendingTransactions, type PendingTransactionStore } from '../storage/pending-store.js';
import type { ChainStore } from '../chain/store.js';
import type { ValidatorConfig } from './config.js';
import { ConsensusDriver } from './consensus-driver.js';
import { ConfigError } from './errors.js';
import { loadGenesis, type ParsedGenesis } from './genesis.js';
import { PREDEPLOYED_CONTRACTS } from './predeploys.js';
import { createLogger, type Logger } from './logger.js';
import { createMetrics, type NodeMetrics } from './metrics.js';
import { createRpcBackend } from './rpc-backend.js';
import { BlockSync } from './sync.js';
import {
  CHANNEL,
  WireError,
  decodeCertificateShare,
  decodeTransactions,
  encodeCertificateShare,
  encodeTransactions,
  peekConsensusHeight,
} from './wire.js';

/** With nothing to propose, a member waits this long before proposing an empty batch. */
export const EMPTY_BLOCK_INTERVAL_MS = 1_000;
/** Transactions gossiped to peers are gathered for at most this long into one frame. */
export const GOSSIP_FLUSH_MS = 2;
export const MAX_GOSSIP_BATCH = 2_048;
/** Largest batch a member proposes (transactions, bytes); its gas is its share of the block's. */
export const MAX_PROPOSAL_TRANSACTIONS = 5_000;
export const MAX_PROPOSAL_BYTES = 1_500_000;
/**
 * Housekeeping writes of a block (forgetting included pending transactions, pruning the vote
 * journal) run beside the next height instead of before it: each is an fsync, and neither is
 * needed for safety (a restart re-admits and then drops an included transaction; old journal
 * entries are pruned next time). Beyond this many in flight, a block waits for them.
 */
export const MAX_HOUSEKEEPING_IN_FLIGHT = 4;
/** Gossiped transactions admitted between two turns of the event loop (consensus must not wait). */
export const GOSSIP_ADMIT_SLICE = 128;
/** Certificate shares buffered for heights this node has not executed yet. */
export const CERTIFICATE_SHARE_WINDOW = 64;
/** Vote-journal entries are kept for this many heights below the current one. */
export const JOURNAL_KEEP_HEIGHTS = 2n;

export interface RunningValidator {
  readonly rpc: RpcServer;
  readonly committeeIndex: number | null;
  stop(): Promise<void>;
}

interface PendingProposal {
  readonly height: number;
  readonly requestedAtMs: number;
  readonly timer: NodeJS.Timeout;
}

/** A member's batch may use 1/K of the block's gas; the pool, which refuses larger transactions, owns the formula. */
export { proposalGasShare };

function peerIdOf(publicKey: Uint8Array): string {
  return toHex(publicKey);
}

function checkPeers(config: ValidatorConfig, genesis: ParsedGenesis): void {
  const known = new Set(genesis.validators.map((v) => v.publicKey.slice(2)));
  for (const peer of config.peers) {
    if (!known.has(toHex(peer.publicKey))) {
      throw new ConfigError(`config: peer "${peer.id}" (0x${toHex(peer.publicKey)}) is not a validator in the genesis file; remove it or fix its publicKey`);
    }
  }
}

async function openStore(dataDir: string): Promise<ChainStore> {
  try {
    return await openChainStore(join(dataDir, 'chain'));
  } catch (error) {
    throw new ConfigError(`data dir ${dataDir}: ${(error as Error).message}`);
  }
}

export async function startValidator(config: ValidatorConfig): Promise<RunningValidator> {
  const logger = createLogger(config.id, config.logLevel);
  const genesis = loadGenesis(config.genesisPath);
  checkPeers(config, genesis);
  const committee = genesis.committee;
  const selfKey = peerIdOf(config.keyPair.publicKey);
  const self = committee.members.find((m) => peerIdOf(m.publicKey) === selfKey);
  const store = await openStore(config.dataDir);
  let engine: ExecutionEngine;
  // The engine is opened before the node that owns the mempool it asks: bound once both exist.
  const late: { node?: ValidatorNode } = {};
  try {
    engine = await createExecutionEngine({
      store,
      chainId: genesis.chainId,
      genesis: { alloc: genesis.alloc, timestamp: genesis.timestamp, gasLimit: genesis.gasLimit, baseFeePerGas: genesis.baseFeePerGas },
      onListenerError: (error) => logger.error({ err: error }, 'block listener failed'),
      // The pool recovered the sender of every transaction it admitted, from the same bytes.
      knownSender: (hash) => late.node?.mempool.get(hash)?.sender,
    });
  } catch (error) {
    await store.close();
    throw new ConfigError(`data dir ${config.dataDir}: ${(error as Error).message}`);
  }
  let pendingStore: PendingTransactionStore;
  try {
    pendingStore = openPendingTransactionStore(join(config.dataDir, 'pending'));
  } catch (error) {
    await store.close();
    throw new ConfigError(`data dir ${config.dataDir}: ${(error as Error).message}`);
  }
  const node = new ValidatorNode(config, genesis, committee, self?.index ?? null, store, pendingStore, engine, logger, createMetrics(config.id));
  late.node = node;
  try {
    await node.start();
  } catch (error) {
    await node.stop();
    throw error;
  }
  return node;
}

class ValidatorNode implements RunningValidator {
  readonly mempool: Mempool;
  private transport: Transport | undefined;
  private driver: ConsensusDriver | undefined;
  private sync: BlockSync | undefined;
  rpc!: RpcServer;
  private pending: PendingProposal | undefined;
  private proposeCheckScheduled = false;
  private gossipQueue: Uint8Array[] = [];
  private gossipTimer: NodeJS.Timeout | undefined;
  private readonly collectors = new Map<bigint, CertificateCollector>();
  private readonly earlyShares = new Map<bigint, Uint8Array[]>();
  private readonly inclusion: { index: number; included: bigint; excluded: bigint }[];
  /** When each height was started, for the finality-latency metric (bounded by the heights in flight). */
  private readonly proposalStartedMs = new Map<number, number>();
  private stopped = false;
  /** Predeployed contracts this chain's genesis actually holds (synod_contracts). */
  private readonly contracts: Readonly<Record<string, Hex>>;
  private readonly housekeeping = new Set<Promise<void>>();

  constructor(
    private readonly config: ValidatorConfig,
    private readonly genesis: ParsedGenesis,
    private readonly committee: Committee,
    readonly committeeIndex: number | null,
    private readonly store: ChainStore,
    private readonly pendingStore: PendingTransactionStore,
    private readonly engine: ExecutionEngine,
    private readonly logger: Logger,
    private readonly metrics: NodeMetrics,
  ) {
    this.mempool = new Mempool({
      chainId: genesis.chainId,
      state: { getAccount: (address) => engine.getAccount(address) },
      blockGasLimit: genesis.gasLimit,
      baseFeePerGas: () => genesis.baseFeePerGas,
      committeeSize: () => committee.members.length,
    });
    this.inclusion = committee.members.map((m) => ({ index: m.index, included: 0n, excluded: 0n }));
    this.contracts = Object.fromEntries(Object.entries(PREDEPLOYED_CONTRACTS).filter(([, address]) => genesis.alloc[address]?.code !== undefined));
  }

  async start(): Promise<void> {
    const { config, committee, engine, logger } = this;
    const head = engine.head();
    logger.info({ head: head.number.toString(), committeeIndex: this.committeeIndex, committeeSize: committee.members.length }, 'validator starting');
    if (this.committeeIndex === null) logger.warn('this key is not in the committee: following the chain as an observer');
    try {
      this.transport = await createTransport({
        self: { keyPair: config.keyPair },
        listen: config.listen,
        peers: config.peers,
        chainId: this.genesis.chainId,
        logger: logger.child({ part: 'net' }),
      });
    } catch (error) {
      throw new ConfigError(`cannot listen for validators on ${config.listen.host}:${config.listen.port}: ${(error as Error).message}; change "listen" in the config`);
    }
    const core = createConsensusCore({
      selfIndex: this.committeeIndex,
      committeeForHeight: () => committee,
      signer: ed25519Signer(config.keyPair),
      verifier: ed25519Verifier,
      startHeight: Number(head.number) + 1,
      journal: this.store.readJournal() as JournalEntry[],
    });
    this.driver = new ConsensusDriver(
      core,
      {
        persist: (entries, height) => this.store.appendJournal(entries, BigInt(height)),
        broadcast: (bytes) => {
          this.metrics.messagesOut.inc({ channel: 'consensus' });
          this.transport!.broadcast(CHANNEL.consensus, bytes);
        },
        send: (to, bytes) => {
          const member = committee.members[to];
          if (member === undefined) return;
          this.metrics.messagesOut.inc({ channel: 'consensus' });
          this.transport!.send(peerIdOf(member.publicKey), CHANNEL.consensus, bytes);
        },
        requestProposal: (height) => this.onProposalRequested(height),
        deliver: (superblock) => this.onDeliver(superblock),
        evidence: (action) => logger.warn({ offender: action.evidence.offender, height: action.evidence.height }, 'equivocation evidence'),
      },
      logger.child({ part: 'consensus' }),
      this.metrics,
    );
    this.sync = new BlockSync({
      engine,
      transport: this.transport,
      committee,
      chainId: this.genesis.chainId,
      logger: logger.child({ part: 'sync' }),
      metrics: this.metrics,
      runExclusive: (task) => this.driver!.runExclusive(task),
      onApplied: (result) => this.afterBlock(result, false),
      onSynced: (height) => this.driver!.syncedTo(Number(height)),
    });
    this.transport.onMessage((peer, channel, payload) => this.onPeerMessage(peer, channel, payload));
    this.transport.onPeerUp((peer) => {
      this.metrics.peers.set(this.transport!.connectedPeers().length);
      logger.info({ peer: peer.slice(0, 16) }, 'peer connected');
      this.sync!.announce();
    });
    this.transport.onPeerDown((peer) => {
      this.metrics.peers.set(this.transport!.connectedPeers().length);
      logger.info({ peer: peer.slice(0, 16) }, 'peer disconnected');
    });
    this.mempool.onAdded(() => this.scheduleProposeCheck());
    await this.restorePending();
    this.metrics.height.set(Number(head.number));
    this.sync.start();
    this.driver.start();
    try {
      this.rpc = await startRpcServer({
        backend: createRpcBackend({
          engine,
          mempool: this.mempool,
          committee,
          baseFeePerGas: this.genesis.baseFeePerGas,
          metrics: this.metrics.registry,
          submit: (raw) => this.submit(raw),
          consensusStatus: () => this.driver!.status(),
          inclusion: () => this.inclusion,
          peers: () => this.transport?.connectedPeers().length ?? 0,
          sync: () => this.sync!.status(),
          contracts: () => this.contracts,
        }),
        host: config.rpc.host,
        port: config.rpc.port,
        logger: logger.child({ part: 'rpc' }),
      });
    } catch (error) {
      throw new ConfigError(`${(error as Error).message}`);
    }
    logger.info({ rpc: this.rpc.url, p2p: this.transport.address() }, 'validator started');
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.logger.info('validator stopping');
    if (this.pending) clearTimeout(this.pending.timer);
    clearTimeout(this.gossipTimer);
    this.driver?.stop();
    this.sync?.stop();
    await Promise.all(this.housekeeping);
    await this.rpc?.close().catch(() => undefined);
    await this.transport?.close().catch(() => undefined);
    await this.pendingStore.close().catch(() => undefined);
    await this.store.close().catch(() => undefined);
    this.logger.info('validator stopped');
    this.logger.flush?.();
  }

  // ------------------------------------------------------------ transactions

  /** Admits a client's transaction, keeps it durably until a block includes it, and gossips it. */
  /**
   * Gossip goes out before the durable write (an fsync): the transaction is public once sent, so
   * nothing is gained by holding it back, and its owner may propose it meanwhile. The client hears
   * "accepted" only once it is durable.
   */
  private submit(raw: Uint8Array): Promise<Hex> {
    return admitDurably(this.pendingStore, this.mempool, raw, (admitted) => this.gossip(admitted));
  }

  /**
   * Re-admits the transactions accepted before a restart (those a block included meanwhile are
   * refused and dropped) and from then on removes from the store whatever leaves the pool.
   */
  private async restorePending(): Promise<void> {
    const { restored, dropped, trimmed } = await restorePendingTransactions(this.pendingStore, this.mempool, (error) =>
      this.logger.error({ err: error }, 'forgetting pending transactions that left the pool failed'),
    );
    for (const raw of restored) this.gossip(raw);
    if (restored.length + dropped + trimmed > 0) this.logger.info({ restored: restored.length, dropped, trimmed }, 'pending transactions restored from the previous run');
  }

  private gossip(raw: Uint8Array): void {
    this.gossipQueue.push(raw);
    if (this.gossipQueue.length >= MAX_GOSSIP_BATCH) this.flushGossip();
    else if (this.gossipTimer === undefined) this.gossipTimer = setTimeout(() => this.flushGossip(), GOSSIP_FLUSH_MS);
  }

  private flushGossip(): void {
    clearTimeout(this.gossipTimer);
    this.gossipTimer = undefined;
    if (this.gossipQueue.length === 0 || this.transport === undefined) return;
    const batch = this.gossipQueue;
    this.gossipQueue = [];
    this.metrics.messagesOut.inc({ channel: 'transactions' });
    this.transport.broadcast(CHANNEL.transactions, encodeTransactions(batch));
  }

  /**
   * Admission recovers each sender (the pool's state reads resolve at once), so a frame of a few
   * thousand would hold the event loop for hundreds of milliseconds: consensus messages queued
   * behind it would wait. Yield between slices.
   */
  private async onGossipedTransactions(payload: Uint8Array): Promise<void> {
    for (const [index, raw] of decodeTransactions(payload).entries()) {
      if (index > 0 && index % GOSSIP_ADMIT_SLICE === 0) await new Promise((resolve) => setImmediate(resolve));
      if (this.stopped) return;
      // A peer's transaction that fails here (already known, nonce used) is simply not kept.
      await this.mempool.add(raw, 'peer').catch(() => undefined);
    }
  }

  // ------------------------------------------------------------ proposals

  private onProposalRequested(height: number): void {
    if (this.pending) clearTimeout(this.pending.timer);
    const timer = setTimeout(() => this.proposeNow(height), EMPTY_BLOCK_INTERVAL_MS);
    timer.unref?.();
    this.pending = { height, requestedAtMs: Date.now(), timer };
    this.scheduleProposeCheck();
  }

  /** Proposes at once when this member has transactions to offer (checked once per tick). */
  private scheduleProposeCheck(): void {
    if (this.proposeCheckScheduled || this.pending === undefined) return;
    this.proposeCheckScheduled = true;
    setImmediate(() => {
      this.proposeCheckScheduled = false;
      const pending = this.pending;
      if (pending === undefined) return;
      const batch = this.takeBatch(pending.height);
      if (batch.length > 0) this.proposeNow(pending.height, batch);
    });
  }

  private takeBatch(height: number): Uint8Array[] {
    if (this.committeeIndex === null) return [];
    return this.mempool.takeBatch({
      member: this.committeeIndex,
      committeeSize: this.committee.members.length,
      height,
      maxTransactions: MAX_PROPOSAL_TRANSACTIONS,
      maxBytes: MAX_PROPOSAL_BYTES,
      maxGas: proposalGasShare(this.genesis.gasLimit, this.committee.members.length),
    });
  }

  private proposeNow(height: number, batch?: Uint8Array[]): void {
    const pending = this.pending;
    if (pending === undefined || pending.height !== height || this.driver === undefined) return;
    clearTimeout(pending.timer);
    this.pending = undefined;
    this.proposalStartedMs.set(height, pending.requestedAtMs);
    this.driver.propose(height, batch ?? this.takeBatch(height), Date.now());
  }


  // ------------------------------------------------------------ peers

  private onPeerMessage(peer: string, channel: number, payload: Uint8Array): void {
    this.metrics.messagesIn.inc({ channel: String(channel) });
    try {
      switch (channel) {
        case CHANNEL.consensus: {
          // Another member is working on the height we were asked to propose for: join at once.
          if (this.pending !== undefined && peekConsensusHeight(payload) === this.pending.height) this.proposeNow(this.pending.height);
          this.driver?.onMessage(payload);
          break;
        }
        case CHANNEL.transactions:
          this.onGossipedTransactions(payload).catch((error: unknown) => this.onBadFrame(peer, channel, error));
          break;
        case CHANNEL.certificateShare:
          this.onCertificateShare(payload);
          break;
        case CHANNEL.status:
        case CHANNEL.syncRequest:
        case CHANNEL.syncResponse:
          this.sync?.onMessage(peer, channel, payload);
          break;
        default:
          this.metrics.dropped.inc({ reason: 'unknown-channel' });
      }
    } catch (error) {
      this.onBadFrame(peer, channel, error);
    }
  }

  /** A frame that failed to decode or to apply: the peer's fault, counted and dropped, never fatal. */
  private onBadFrame(peer: string, channel: number, error: unknown): void {
    this.metrics.dropped.inc({ reason: error instanceof WireError ? 'malformed' : 'handler-error' });
    if (error instanceof WireError) this.logger.debug({ peer: peer.slice(0, 16), channel, err: error.message }, 'malformed message dropped');
    else this.logger.warn({ peer: peer.slice(0, 16), channel, err: error }, 'message handler failed; message dropped');
  }

  // ------------------------------------------------------------ blocks and certificates

  private async onDeliver(superblock: Superblock): Promise<void> {
    const height = BigInt(superblock.height);
    const head = this.engine.head();
    if (height <= head.number) {
      const block = this.engine.getBlockByNumber(height);
      if (block !== undefined && block.extraData !== `0x${toHex(superblock.digest)}`) {
        this.logger.error({ height: superblock.height }, 'delivered superblock differs from the block applied by sync');
      }
      return;
    }
    const deliveredMs = Date.now();
    const cpuAtDelivery = process.cpuUsage();
    const result = await this.engine.executeBlock({
      height,
      timestampMs: superblock.timestampMs,
      transactions: superblock.transactions,
      extraData: `0x${toHex(superblock.digest)}`,
      consensus: { epoch: superblock.epoch, proposers: superblock.batches.map((b) => b.proposer) },
    });
    const included = new Set(superblock.batches.map((b) => b.proposer));
    for (const entry of this.inclusion) {
      if (included.has(entry.index)) entry.included++;
      else entry.excluded++;
    }
    const executedMs = Date.now();
    const executeCpu = process.cpuUsage(cpuAtDelivery);
    const startedMs = this.proposalStartedMs.get(superblock.height);
    this.proposalStartedMs.delete(superblock.height);
    if (startedMs !== undefined) this.metrics.finalityLatency.observe((executedMs - startedMs) / 1000);
    await this.afterBlock(result, true);
    // Where a height's time went: agreement (from the proposal request), execution, bookkeeping.
    this.logger.debug(
      {
        height: superblock.height,
        transactions: result.included.length,
        skipped: result.skipped.length,
        agreeMs: startedMs === undefined ? null : deliveredMs - startedMs,
        executeMs: executedMs - deliveredMs,
        // CPU of the whole process meanwhile (execution yields to admission and the network).
        executeCpuMs: Math.round((executeCpu.user + executeCpu.system) / 1000),
        afterMs: Date.now() - executedMs,
      },
      'height done',
    );
  }

  private async afterBlock(result: BlockResult, signShare: boolean): Promise<void> {
    const { block, skipped } = result;
    this.metrics.height.set(Number(block.number));
    this.metrics.blockTransactions.observe(block.transactions.length);
    if (skipped.length > 0) {
      this.metrics.skippedTransactions.inc(skipped.length);
      this.logger.debug({ height: block.number.toString(), skipped }, 'transactions skipped at their turn');
    }
    const includedTxs = result.included;
    await this.mempool.onBlockCommitted(includedTxs, Number(block.number));
    await this.housekeep('forgetting included pending transactions', () => this.pendingStore.remove(includedTxs.map((tx) => tx.hash)));
    this.metrics.mempoolSize.set(this.mempool.size());
    await this.housekeep('pruning the vote journal', () => this.store.pruneJournal(block.number + 1n - JOURNAL_KEEP_HEIGHTS));
    if (signShare && this.committeeIndex !== null) {
      const signature = sign(this.config.keyPair, certificateMessage(this.genesis.chainId, block.number, block.hash, block.stateRoot));
      const share = { height: block.number, blockHash: block.hash, stateRoot: block.stateRoot, validatorIndex: this.committeeIndex, signature: `0x${toHex(signature)}` as Hex };
      const bytes = encodeCertificateShare(share);
      this.transport?.broadcast(CHANNEL.certificateShare, bytes);
      this.metrics.messagesOut.inc({ channel: 'certificate' });
      this.onCertificateShare(bytes);
    }
    for (const bytes of this.earlyShares.get(block.number) ?? []) this.onCertificateShare(bytes);
    this.earlyShares.delete(block.number);
    this.scheduleProposeCheck();
  }

  /** Starts `task` without waiting for it, unless MAX_HOUSEKEEPING_IN_FLIGHT are still running. */
  private async housekeep(what: string, task: () => Promise<unknown>): Promise<void> {
    while (this.housekeeping.size >= MAX_HOUSEKEEPING_IN_FLIGHT) await Promise.race(this.housekeeping);
    const run = task().then(
      () => undefined,
      (error: unknown) => this.logger.error({ err: error }, `${what} failed`),
    );
    this.housekeeping.add(run);
    run.finally(() => this.housekeeping.delete(run)).catch(() => undefined);
  }

  private onCertificateShare(bytes: Uint8Array): void {
    const share = decodeCertificateShare(bytes);
    const head = this.engine.head().number;
    if (share.height > head) {
      if (share.height > head + BigInt(CERTIFICATE_SHARE_WINDOW)) return;
      const list = this.earlyShares.get(share.height) ?? [];
      if (list.length < this.committee.members.length * 2) list.push(bytes);
      this.earlyShares.set(share.height, list);
      return;
    }
    if (this.engine.getCertificate(share.height) !== undefined) return;
    let collector = this.collectors.get(share.height);
    if (collector === undefined) {
      collector = new CertificateCollector(this.genesis.chainId, share.height, this.committee.epoch, this.committee);
      this.collectors.set(share.height, collector);
      for (const old of this.collectors.keys()) if (old + BigInt(CERTIFICATE_SHARE_WINDOW) < head) this.collectors.delete(old);
    }
    const outcome = collector.add(share);
    if (outcome === 'conflict') this.logger.warn({ height: share.height.toString(), validator: share.validatorIndex }, 'validator signed two results for one height');
    if (outcome === 'bad-signature' || outcome === 'not-member' || outcome === 'malformed') this.metrics.dropped.inc({ reason: `certificate-${outcome}` });
    const certificate = collector.certificate();
    if (outcome === 'complete' && certificate !== undefined) {
      this.storeCertificate(certificate).catch((error: unknown) => this.logger.error({ err: error, height: certificate.height.toString() }, 'storing a finality certificate failed'));
    }
  }

  private async storeCertificate(certificate: FinalityCertificate): Promise<void> {
    const block = this.engine.getBlockByNumber(certificate.height);
    if (block === undefined || block.hash !== certificate.blockHash) {
      this.logger.fatal({ height: certificate.height.toString(), ours: block?.hash, certified: certificate.blockHash }, 'a quorum certified a different block than ours: this node diverged');
      return;
    }
    if (!verifyCertificate(certificate, this.committee).ok) return;
    this.collectors.delete(certificate.height);
    await this.engine.putCertificate(certificate);
    this.metrics.certifiedHeight.set(Number(certificate.height));
  }
}
