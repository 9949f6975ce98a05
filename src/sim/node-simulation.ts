// One simulated run of whole validator nodes (src/node/node.ts): N nodes in one process on a
// virtual clock, each with its own consensus core, mempool, proposal pacing, certificate
// collection and block sync, over in-memory twins of the transport (endpoint-io.ts), the stores
// (twin-stores.ts) and the execution engine (twin-engine.ts). The network is hostile until GST
// and adversarially ordered within delta after it (schedule.ts); Byzantine members act on every
// channel (node-adversary.ts); honest members crash and restart from their journal and store too.
// One seed drives everything, so a run replays bit for bit.
import { CHANNEL } from '../node/wire.js';
import { ValidatorNode, type NodeObserver } from '../node/node.js';
import { fixedCommittee } from '../node/committees.js';
import { createLogger } from '../node/logger.js';
import { createMetrics } from '../node/metrics.js';
import { SYNC_REQUEST_TIMEOUT_MS, SYNC_STALL_MS } from '../node/sync.js';
import { EMPTY_BLOCK_INTERVAL_MS } from '../node/proposals.js';
import { resolveTiming } from '../consensus/limits.js';
import { decodeSignedMessage, MessageDecodeError, type DecodeLimits, type SignedEnvelope } from '../consensus/messages.js';
import { DEFAULT_LIMITS } from '../consensus/limits.js';
import { decodeTransaction, MempoolError, transactionHash, type DecodedTransaction, type DecodeContext } from '../mempool/index.js';
import type { CoreTiming, DropReason, Superblock } from '../consensus/types.js';
import { DROP_REASONS } from '../consensus/types.js';
import { toHex } from '../crypto/bytes.js';
import type { Hex } from '../chain/types.js';
import { BEHAVIOURS, type Scenario } from './scenario.js';
import { drawCommittee, SIM_CHAIN_BINDING, SIM_CHAIN_ID, type SimCommittee, type SimMember } from './committee.js';
import { EndpointClock, EndpointLink, type EndpointHost } from './endpoint-io.js';
import { EventQueue, EventQueueFullError } from './event-queue.js';
import { perHeightBoundMs, maxDecisionRound } from './liveness-bound.js';
import { drawNetworkProfile, SimNetwork, synchronousProfile, type NetworkProfile } from './network.js';
import { createNodeAgent, type Frame, type NodeAgent } from './node-adversary.js';
import { TransferWorkload } from './node-workload.js';
import { Rng } from './random.js';
import { AdversarialSchedule } from './schedule.js';
import { signatureScheme, signaturesOf, type SignatureKind } from './signatures.js';
import { TwinChain, TwinEngine } from './twin-engine.js';
import { MemoryJournal, MemoryPendingStore } from './twin-stores.js';
import type { EvidenceRecord, RunOutcome, RunOverrides } from './simulation.js';
import type { SuperblockBatchView } from './invariants.js';
import { settleAtThisInstant } from './settle.js';

export const NODE_MAX_EVENTS_PER_RUN = 3_000_000;
export const NODE_SYNCHRONOUS_DELAY_MS = 20;
/**
 * The nodes' coalescing window in the simulator, as a share of the run's delta. Simulated delays
 * are tens of milliseconds (a WAN), where a node's 1 ms window (tuned for a LAN) would coalesce
 * little; a window of delta/4 keeps about the share of a message delay it has on a LAN.
 */
export const SIM_FLUSH_DELTA_SHARE = 0.25;
const SIM_FLUSH_MIN_MS = 5;
const BASE_FEE_PER_GAS = 1_000_000_000n;
const GAS_LIMIT = 60_000_000n;
const GENESIS_TIMESTAMP = 1_700_000_000n;
/** How often the workload hands a transfer to an honest node, on average. */
export const WORKLOAD_INTERVAL_MS = 150;
const SENDERS_PER_VALIDATOR = 2;
const BYZANTINE_TICK_MS = 150;
const CRASH_UPTIME_MEAN_MS = 2_000;
const CRASH_DOWNTIME_MAX_MS = 3_000;
const MAX_CRASHES_PER_MEMBER = 20;
/** Share of runs in which one honest member crashes and restarts (beyond the Byzantine budget). */
export const HONEST_CRASH_RUN_SHARE = 0.5;
const HONEST_CRASHES_MAX = 3;
/** The consensus status is sampled for the byte budget once per this many frames an endpoint takes. */
const BUDGET_SAMPLE_EVERY_FRAMES = 64;
const CLOCK_SKEW_MAX_MS = 50;

type SimEvent =
  | { readonly kind: 'frame'; readonly to: number; readonly fromPeer: string; readonly fromEp: number; readonly channel: number; readonly bytes: Uint8Array; readonly sentMs: number }
  | { readonly kind: 'call'; readonly ep: number; readonly incarnation: number; readonly run: () => void }
  | { readonly kind: 'crash' | 'restart' | 'tick'; readonly ep: number; readonly incarnation: number }
  | { readonly kind: 'workload' };

interface Endpoint {
  readonly id: number;
  readonly member: SimMember;
  readonly peerId: string;
  readonly label: string;
  readonly agent: NodeAgent | null;
  readonly honest: boolean;
  /** Follows the protocol (honest, or crash-restart only): its chain must agree. */
  readonly correct: boolean;
  /** Crashes and restarts during the run (a crash member, or the honest member picked to). */
  crashesPlanned: boolean;
  readonly clockSkewMs: number;
  readonly chain: TwinChain;
  readonly journal: MemoryJournal;
  readonly pending: MemoryPendingStore;
  node: ValidatorNode | null;
  link: EndpointLink | null;
  up: boolean;
  incarnation: number;
  crashes: number;
  framesTaken: number;
  readonly delivered: Superblock[];
  readonly deliveredAtMs: number[];
  readonly blockAtMs: number[];
  readonly proposed: Map<number, SuperblockBatchView[]>;
  readonly rounds: { height: number; maxRound: number; startedMs: number }[];
  readonly inFlight: Set<{ settle(acknowledged: boolean): void }>;
}

export interface NodeChainView {
  readonly label: string;
  readonly honest: boolean;
  readonly correct: boolean;
  readonly blocks: readonly { readonly height: bigint; readonly hash: Hex; readonly transactions: readonly Hex[] }[];
  readonly certificates: ReadonlyMap<bigint, Hex>;
  readonly supply: bigint;
  readonly blockAtMs: readonly number[];
  readonly crashed: boolean;
  readonly rounds: readonly { height: number; maxRound: number; startedMs: number }[];
}

export interface NodeRunOutcome extends RunOutcome {
  readonly layer: 'node';
  readonly chains: readonly NodeChainView[];
  readonly expectedSupply: bigint;
  readonly budgetViolations: readonly string[];
  readonly acknowledged: number;
  readonly roundBound: number;
  readonly fatal: readonly string[];
}

export async function runNodeSimulation(scenario: Scenario, overrides: RunOverrides = {}): Promise<NodeRunOutcome> {
  return new NodeSimulation(scenario, overrides).run();
}

const silentLogger = createLogger('sim', 'silent');

/**
 * decodeSignedMessage, once per buffer and decode limits: what a run's nodes would each do alike.
 * Each node's core resolves its own limits object, so limits are compared by value, not identity
 * (by identity every node missed the cache and decoded every envelope again).
 */
function sharedDecoder(): (bytes: Uint8Array, limits: DecodeLimits) => SignedEnvelope {
  const seen = new WeakMap<Uint8Array, Map<string, SignedEnvelope | MessageDecodeError>>();
  const keys = new WeakMap<DecodeLimits, string>();
  const keyOf = (limits: DecodeLimits): string => {
    let key = keys.get(limits);
    if (key === undefined) {
      key = `${limits.maxMessageBytes}/${limits.maxBatchBytes}/${limits.maxBatchTransactions}`;
      keys.set(limits, key);
    }
    return key;
  };
  return (bytes, limits) => {
    let byLimits = seen.get(bytes);
    if (byLimits === undefined) {
      byLimits = new Map();
      seen.set(bytes, byLimits);
    }
    const key = keyOf(limits);
    let result = byLimits.get(key);
    if (result === undefined) {
      try {
        result = decodeSignedMessage(bytes, limits);
      } catch (error) {
        if (!(error instanceof MessageDecodeError)) throw error;
        result = error;
      }
      byLimits.set(key, result);
    }
    if (result instanceof MessageDecodeError) throw result;
    return result;
  };
}

/** Bound on one run's shared transaction decodes (a run with more starts the memo over). */
const SHARED_TX_DECODES_MAX = 100_000;

/**
 * decodeTransaction, once per transaction and decode context: every node of a run decodes each
 * gossiped transaction alike, and sender recovery dominates. Keyed by the transaction's hash
 * (keccak-256 of its bytes) and the context's values; a refusal is shared as well.
 */
function sharedTransactionDecoder(): (raw: Uint8Array, context: DecodeContext) => DecodedTransaction {
  const seen = new Map<string, DecodedTransaction | MempoolError>();
  return (raw, context) => {
    const key = `${transactionHash(raw)}/${raw.length}/${context.chainId}/${context.maxTxBytes}/${context.blockGasLimit}/${context.allowUnprotected}`;
    let result = seen.get(key);
    if (result === undefined) {
      try {
        result = decodeTransaction(raw, context);
      } catch (error) {
        if (!(error instanceof MempoolError)) throw error;
        result = error;
      }
      if (seen.size >= SHARED_TX_DECODES_MAX) seen.clear();
      seen.set(key, result);
    }
    if (result instanceof MempoolError) throw result;
    return result;
  };
}

class NodeSimulation {
  private readonly rng: Rng;
  private readonly queue = new EventQueue<SimEvent>();
  private readonly network: SimNetwork;
  private readonly sim: SimCommittee;
  private readonly endpoints: Endpoint[] = [];
  private readonly byIndex: Endpoint[][] = [];
  private readonly byPeer = new Map<string, number>();
  private readonly workload: TransferWorkload;
  private readonly timing: CoreTiming;
  private readonly signatures: SignatureKind;
  private readonly evidence: EvidenceRecord[] = [];
  private readonly drops = Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<DropReason, number>;
  private consensusFrames = 0;
  /** Every node of the run reads a broadcast buffer once between them (the same bytes reach all). */
  private readonly decode = sharedDecoder();
  private readonly decodeTx = sharedTransactionDecoder();
  private readonly budgetViolations: string[] = [];
  private readonly fatal: string[] = [];
  private readonly schedule: AdversarialSchedule | undefined;
  private readonly honestEndpoints: Endpoint[];
  private readonly deadlineMs: number;
  private readonly boundMs: number;
  private readonly roundBound: number;
  private delaySumMs = 0;
  private deliveredFrames = 0;
  private syncedHeights = 0;
  private events = 0;

  constructor(
    private readonly scenario: Scenario,
    overrides: RunOverrides,
  ) {
    this.rng = new Rng(scenario.seed);
    this.signatures = overrides.signatures ?? signaturesOf(scenario);
    this.sim = drawCommittee(scenario, this.rng.fork('committee'), signatureScheme(this.signatures), BEHAVIOURS);
    const workloadRng = this.rng.fork('workload');
    this.workload = new TransferWorkload(workloadRng, scenario.validators * SENDERS_PER_VALIDATOR, SIM_CHAIN_ID, scenario.seed, (address) => this.chainNonce(address));
    this.createEndpoints(this.rng.fork('endpoints'));
    const profile = overrides.profile ?? (scenario.network === 'synchronous' ? synchronousProfile(NODE_SYNCHRONOUS_DELAY_MS) : drawNetworkProfile(this.rng.fork('network-profile'), this.endpoints.length));
    this.network = new SimNetwork(profile, this.rng.fork('network'));
    this.timing = resolveTiming(overrides.timing);
    this.honestEndpoints = this.endpoints.filter((e) => e.honest);
    this.schedule = (scenario.strategy === 'adversary' || scenario.strategy === 'split') && scenario.network === 'hostile' ? this.drawSchedule(profile, this.rng.fork('schedule')) : undefined;
    this.planHonestCrashes(this.rng.fork('honest-crashes'));
    const liars = this.endpoints.filter((e) => e.member.behaviour !== null).length;
    const honestCrash = this.endpoints.some((e) => e.honest && e.crashesPlanned);
    // The node adds to the core's bound: an idle member's proposal wait, a laggard's stall before
    // it syncs, one request timeout per Byzantine peer it may ask first, and an honest member's downtime.
    this.boundMs =
      perHeightBoundMs({ timing: this.timing, deltaMs: profile.deltaMs, byzantineMembers: scenario.byzantine, syncIntervalMs: SYNC_STALL_MS }) +
      EMPTY_BLOCK_INTERVAL_MS +
      liars * SYNC_REQUEST_TIMEOUT_MS +
      (honestCrash ? CRASH_DOWNTIME_MAX_MS + this.timing.resendIntervalMs : 0);
    this.roundBound = maxDecisionRound({ timing: this.timing, deltaMs: profile.deltaMs, byzantineMembers: scenario.byzantine });
    this.deadlineMs = Math.min(overrides.deadlineMs ?? Infinity, profile.gstMs + (scenario.heights + 1) * this.boundMs);
  }

  async run(): Promise<NodeRunOutcome> {
    const faults = this.rng.fork('faults');
    for (const ep of this.endpoints) this.boot(ep, faults);
    this.queue.schedule(WORKLOAD_INTERVAL_MS, { kind: 'workload' });
    const stoppedBy = await this.loop();
    return this.outcome(stoppedBy);
  }

  // ------------------------------------------------------------------ set-up

  private createEndpoints(rng: Rng): void {
    const alloc = this.workload.alloc();
    for (const member of this.sim.members) {
      const copies = member.behaviour === 'twins' ? 2 : 1;
      const list: Endpoint[] = [];
      for (let copy = 0; copy < copies; copy++) {
        const ep: Endpoint = {
          id: this.endpoints.length,
          member,
          peerId: toHex(member.signer.publicKey),
          label: `v${member.index}${copy === 0 ? '' : '/twin'}${member.behaviour === null ? '' : `(${member.behaviour})`}`,
          agent: member.behaviour === null ? null : createNodeAgent(member.behaviour),
          honest: member.behaviour === null,
          correct: member.behaviour === null || member.behaviour === 'crash',
          crashesPlanned: member.behaviour === 'crash',
          clockSkewMs: rng.int(0, CLOCK_SKEW_MAX_MS),
          chain: new TwinChain(alloc, GENESIS_TIMESTAMP),
          journal: new MemoryJournal(),
          pending: new MemoryPendingStore(),
          node: null,
          link: null,
          up: true,
          incarnation: 0,
          crashes: 0,
          framesTaken: 0,
          delivered: [],
          deliveredAtMs: [],
          blockAtMs: [],
          proposed: new Map(),
          rounds: [],
          inFlight: new Set(),
        };
        this.endpoints.push(ep);
        list.push(ep);
        if (copy === 0) this.byPeer.set(ep.peerId, member.index);
      }
      this.byIndex.push(list);
    }
  }

  private drawSchedule(profile: NetworkProfile, rng: Rng): AdversarialSchedule {
    const byzantine = new Set(this.endpoints.filter((e) => !e.honest).map((e) => e.id));
    const honest = this.endpoints.filter((e) => e.honest);
    const victim = honest.length > 0 ? rng.pick(honest).id : null;
    // The quorum edge: honest members just under 1/3 of the weight, heard last.
    const slow = new Set<number>();
    let weight = 0n;
    for (const ep of rng.shuffle(honest.filter((e) => e.id !== victim))) {
      if (3n * (weight + ep.member.weight) >= this.sim.committee.totalWeight) break;
      weight += ep.member.weight;
      slow.add(ep.id);
    }
    const lateCoordinator = new Set(honest.filter(() => rng.chance(0.5)).map((e) => e.id));
    return new AdversarialSchedule({ byzantine, victim, slow, lateCoordinator }, profile.minDelayMs, profile.deltaMs, rng);
  }

  private planHonestCrashes(rng: Rng): void {
    const honest = this.endpoints.filter((e) => e.honest);
    if (honest.length === 0 || !rng.chance(HONEST_CRASH_RUN_SHARE)) return;
    rng.pick(honest).crashesPlanned = true;
  }

  private boot(ep: Endpoint, faults: Rng): void {
    if (ep.agent !== null && !ep.agent.runsNode) return;
    this.startNode(ep);
    if (ep.crashesPlanned) this.queue.schedule(faults.exponential(CRASH_UPTIME_MEAN_MS), { kind: 'crash', ep: ep.id, incarnation: ep.incarnation });
    if (ep.agent !== null) this.queue.schedule(BYZANTINE_TICK_MS, { kind: 'tick', ep: ep.id, incarnation: ep.incarnation });
  }

  private startNode(ep: Endpoint): void {
    const incarnation = ep.incarnation;
    const host: EndpointHost = {
      nowMs: () => this.queue.nowMs,
      schedule: (atMs, run) => this.queue.schedule(atMs, { kind: 'call', ep: ep.id, incarnation, run }),
      sendFrame: (to, channel, payload) => this.sendFrom(ep, incarnation, to, channel, payload),
      connectedPeers: () => this.endpoints.filter((o) => o.up && o.node !== null && o.member.index !== ep.member.index).map((o) => o.peerId),
    };
    const link = new EndpointLink(host);
    const observer: NodeObserver = {
      proposed: (height, transactions, timestampMs) => {
        const list = ep.proposed.get(height) ?? [];
        list.push({ proposer: ep.member.index, digest: new Uint8Array(0), timestampMs, transactions: [...transactions] });
        ep.proposed.set(height, list);
      },
      evidence: (evidence) => {
        if (ep.correct) this.evidence.push({ reporter: ep.label, offender: evidence.offender, height: evidence.height });
      },
      delivered: (superblock, rounds) => {
        const previousMs = ep.blockAtMs.at(-1) ?? 0;
        ep.delivered.push(superblock);
        ep.deliveredAtMs.push(this.queue.nowMs);
        ep.rounds.push({ height: superblock.height, maxRound: Math.max(0, ...rounds), startedMs: previousMs });
      },
    };
    const scheme = signatureScheme(this.signatures);
    const engine = new TwinEngine(ep.chain, SIM_CHAIN_ID, BASE_FEE_PER_GAS, () => ep.incarnation === incarnation, (height) => {
      ep.blockAtMs[Number(height) - 1] = this.queue.nowMs;
    });
    const node = new ValidatorNode({
      clock: new EndpointClock(host, ep.clockSkewMs),
      link,
      journal: ep.journal,
      engine,
      pendingStore: ep.pending,
      committees: fixedCommittee(this.sim.committee),
      chainId: SIM_CHAIN_ID,
      chainBinding: SIM_CHAIN_BINDING,
      gasLimit: GAS_LIMIT,
      baseFeePerGas: BASE_FEE_PER_GAS,
      signer: ep.member.signer,
      verifier: scheme.verifier,
      logger: silentLogger,
      metrics: createMetrics(ep.label, { processMetrics: false }),
      timing: this.timing,
      flushIntervalMs: Math.max(SIM_FLUSH_MIN_MS, this.network.profile.deltaMs * SIM_FLUSH_DELTA_SHARE),
      decodeEnvelope: this.decode,
      decodeTransaction: this.decodeTx,
      observer,
      onFatal: (reason) => {
        if (ep.incarnation === incarnation) this.fatal.push(`${ep.label}: ${reason}`);
      },
    });
    ep.node = node;
    ep.link = link;
    node.start().catch((error: unknown) => this.fatal.push(`${ep.label}: start failed: ${String(error)}`));
    for (const other of this.endpoints) {
      if (other === ep || !other.up || other.link === null) continue;
      other.link.peerUp(ep.peerId);
      link.peerUp(other.peerId);
    }
  }

  // ------------------------------------------------------------------ the loop

  private async loop(): Promise<RunOutcome['stoppedBy']> {
    for (;;) {
      if (this.honestEndpoints.every((ep) => ep.chain.head.number >= BigInt(this.scenario.heights))) return 'done';
      if (this.events >= NODE_MAX_EVENTS_PER_RUN) return 'event-budget';
      const next = this.queue.next();
      if (next === undefined) return 'idle';
      if (next.timeMs > this.deadlineMs) return 'deadline';
      this.events++;
      try {
        this.handle(next.event);
      } catch (error) {
        if (error instanceof EventQueueFullError) return 'event-budget';
        throw error;
      }
      // Let the nodes' promise chains (journal writes, block execution) settle at this instant.
      await settleAtThisInstant(this.events);
    }
  }

  private handle(event: SimEvent): void {
    switch (event.kind) {
      case 'frame':
        return this.onFrame(event);
      case 'call': {
        const ep = this.endpoints[event.ep]!;
        if (ep.up && ep.incarnation === event.incarnation) event.run();
        return;
      }
      case 'crash':
        return this.onCrash(this.endpoints[event.ep]!, event.incarnation);
      case 'restart':
        return this.onRestart(this.endpoints[event.ep]!);
      case 'tick':
        return this.onTick(this.endpoints[event.ep]!, event.incarnation);
      case 'workload':
        return this.onWorkload();
    }
  }

  // ------------------------------------------------------------------ network

  private sendFrom(ep: Endpoint, incarnation: number, to: string | 'all', channel: number, payload: Uint8Array): void {
    if (!ep.up || ep.incarnation !== incarnation) return;
    const target: number | 'all' = to === 'all' ? 'all' : (this.byPeer.get(to) ?? -1);
    if (target === -1) return;
    const frames: Frame[] = ep.agent === null ? [{ to: target, channel, bytes: payload }] : ep.agent.outgoing({ to: target, channel, bytes: payload }, this.agentContext(ep));
    for (const frame of frames) this.transmit(ep, frame);
  }

  private transmit(ep: Endpoint, frame: Frame): void {
    const now = this.queue.nowMs;
    const carriesCoord = this.schedule !== undefined && ep.honest && frame.channel === CHANNEL.consensus && frame.bytes.length < 4_096 && this.hasCoord(frame.bytes);
    for (const target of this.recipients(ep, frame.to)) {
      if (frame.channel === CHANNEL.consensus) this.consensusFrames++;
      const pick = this.schedule === undefined ? undefined : () => this.schedule!.delay(ep.id, target.id, carriesCoord);
      for (const atMs of this.network.route(ep.id, target.id, now, frame.bytes.length, pick)) {
        this.queue.schedule(atMs, { kind: 'frame', to: target.id, fromPeer: ep.peerId, fromEp: ep.id, channel: frame.channel, bytes: frame.bytes, sentMs: now });
      }
    }
  }

  private hasCoord(bytes: Uint8Array): boolean {
    try {
      return this.decode(bytes, DEFAULT_LIMITS).items.some((i) => i.type === 'coord');
    } catch {
      return false;
    }
  }

  /** Endpoints a frame to committee index `to` (or to all) reaches. A twin pair gets it at one or both. */
  private recipients(from: Endpoint, to: number | 'all'): Endpoint[] {
    const indices = to === 'all' ? [...this.byIndex.keys()] : [to];
    const out: Endpoint[] = [];
    for (const index of indices) {
      if (index === from.member.index) continue;
      const copies = this.byIndex[index];
      if (copies === undefined) continue;
      if (copies.length === 1) out.push(copies[0]!);
      else {
        const draw = this.rng.int(0, 3);
        out.push(...(draw < 2 ? copies : [copies[draw - 2]!]));
      }
    }
    return out;
  }

  private onFrame(event: Extract<SimEvent, { kind: 'frame' }>): void {
    const ep = this.endpoints[event.to]!;
    if (!ep.up || ep.link === null || ep.node === null) return; // a crashed node loses what arrives while it is down
    this.delaySumMs += this.queue.nowMs - event.sentMs;
    this.deliveredFrames++;
    ep.agent?.incoming({ to: ep.member.index, channel: event.channel, bytes: event.bytes });
    ep.link.deliver(event.fromPeer, event.channel, event.bytes);
    if (++ep.framesTaken % BUDGET_SAMPLE_EVERY_FRAMES === 0) this.sampleBudget(ep);
  }

  private sampleBudget(ep: Endpoint): void {
    if (ep.node === null || !ep.correct) return;
    const status = ep.node.consensusStatus();
    status.retainedBytes.forEach((bytes, member) => {
      if (bytes > status.retainedBudgetBytes) this.budgetViolations.push(`${ep.label} keeps ${bytes} bytes for member ${member} at height ${status.height} (budget ${status.retainedBudgetBytes})`);
    });
  }

  private agentContext(ep: Endpoint) {
    const node = ep.node;
    return {
      rng: this.rng,
      self: ep.member.index,
      committeeSize: this.sim.members.length,
      signer: ep.member.signer,
      binding: SIM_CHAIN_BINDING,
      get height(): number {
        return node?.consensusStatus().height ?? 1;
      },
    };
  }

  // ------------------------------------------------------------------ clients and faults

  private onWorkload(): void {
    this.queue.schedule(this.queue.nowMs + this.rng.exponential(WORKLOAD_INTERVAL_MS), { kind: 'workload' });
    const candidates = this.honestEndpoints.filter((ep) => ep.up && ep.node !== null);
    if (candidates.length === 0) return;
    const ep = this.rng.pick(candidates);
    const submission = this.workload.next();
    if (submission === undefined) return;
    ep.inFlight.add(submission);
    const node = ep.node!;
    const incarnation = ep.incarnation;
    node.submit(submission.raw).then(
      () => {
        if (ep.incarnation !== incarnation || !ep.inFlight.delete(submission)) return;
        submission.settle(true);
      },
      () => {
        if (ep.inFlight.delete(submission)) submission.settle(false);
      },
    );
  }

  private chainNonce(address: Hex): bigint {
    let nonce = 0n;
    for (const ep of this.endpoints) {
      if (!ep.correct) continue;
      const account = ep.chain.ledger.get(address.toLowerCase());
      if (account !== undefined && account.nonce > nonce) nonce = account.nonce;
    }
    return nonce;
  }

  private onCrash(ep: Endpoint, incarnation: number): void {
    if (!ep.up || incarnation !== ep.incarnation) return;
    const limit = ep.honest ? HONEST_CRASHES_MAX : MAX_CRASHES_PER_MEMBER;
    ep.up = false;
    ep.incarnation++;
    ep.crashes++;
    ep.node = null;
    ep.link = null;
    for (const submission of ep.inFlight) submission.settle(false);
    ep.inFlight.clear();
    for (const other of this.endpoints) if (other.link !== null && other !== ep) other.link.peerDown(ep.peerId);
    this.queue.schedule(this.queue.nowMs + this.rng.int(1, CRASH_DOWNTIME_MAX_MS), { kind: 'restart', ep: ep.id, incarnation: ep.incarnation });
    if (ep.crashes >= limit) ep.crashesPlanned = false;
  }

  private onRestart(ep: Endpoint): void {
    if (ep.up) return;
    ep.up = true;
    this.startNode(ep);
    if (ep.crashesPlanned) this.queue.schedule(this.queue.nowMs + this.rng.exponential(CRASH_UPTIME_MEAN_MS), { kind: 'crash', ep: ep.id, incarnation: ep.incarnation });
    if (ep.agent !== null) this.queue.schedule(this.queue.nowMs + BYZANTINE_TICK_MS, { kind: 'tick', ep: ep.id, incarnation: ep.incarnation });
  }

  private onTick(ep: Endpoint, incarnation: number): void {
    if (!ep.up || incarnation !== ep.incarnation || ep.agent === null) return;
    for (const frame of ep.agent.tick(this.agentContext(ep))) this.transmit(ep, frame);
    this.queue.schedule(this.queue.nowMs + BYZANTINE_TICK_MS, { kind: 'tick', ep: ep.id, incarnation });
  }

  // ------------------------------------------------------------------ outcome

  private outcome(stoppedBy: RunOutcome['stoppedBy']): NodeRunOutcome {
    let synced = 0;
    for (const ep of this.endpoints) synced += Math.max(0, Number(ep.chain.head.number) - ep.delivered.length);
    this.syncedHeights = synced;
    for (const ep of this.endpoints) {
      const status = ep.correct ? ep.node?.consensusStatus() : undefined;
      if (status !== undefined) for (const reason of DROP_REASONS) this.drops[reason] += status.drops[reason];
    }
    return {
      layer: 'node',
      scenario: this.scenario,
      committee: this.sim,
      profile: this.network.profile,
      signatures: this.signatures,
      endpoints: this.endpoints.map((ep) => ({
        label: ep.label,
        index: ep.member.index,
        honest: ep.honest,
        correct: ep.correct,
        behaviour: ep.member.behaviour,
        delivered: ep.delivered,
        deliveredAtMs: ep.deliveredAtMs,
        proposed: ep.proposed,
        status: ep.node?.consensusStatus(),
      })),
      chains: this.endpoints.map((ep) => ({
        label: ep.label,
        honest: ep.honest,
        correct: ep.correct,
        blocks: ep.chain.blocks.slice(1).map((b) => ({ height: b.number, hash: b.hash, transactions: b.transactions })),
        certificates: new Map([...ep.chain.certificates].map(([h, c]) => [h, c.blockHash])),
        supply: ep.chain.supply(),
        blockAtMs: ep.blockAtMs,
        crashed: ep.crashes > 0,
        rounds: ep.rounds,
      })),
      expectedSupply: this.workload.totalSupply,
      budgetViolations: this.budgetViolations,
      acknowledged: this.workload.acknowledged.size,
      roundBound: this.roundBound,
      fatal: this.fatal,
      evidence: this.evidence,
      drops: this.drops,
      messages: this.consensusFrames,
      bytes: this.network.stats.bytes,
      meanDelayMs: this.deliveredFrames === 0 ? 0 : this.delaySumMs / this.deliveredFrames,
      syncedHeights: this.syncedHeights,
      crashes: this.endpoints.reduce((a, ep) => a + ep.crashes, 0),
      endMs: this.queue.nowMs,
      events: this.events,
      stoppedBy,
      perHeightBoundMs: this.boundMs,
      timing: this.timing,
    };
  }
}
