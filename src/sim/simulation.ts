// One simulated run: N consensus cores in one process on a virtual clock, a hostile network until
// GST, Byzantine members, crash-restarts from the journal, and a sync service for laggards. Every
// draw comes from the scenario's seed, so a run replays bit for bit. The run stops when every
// honest member has delivered the target height, or at a deadline past which liveness has failed.
import { isWeakThreshold } from '../stake/quorum.js';
import { createConsensusCore } from '../consensus/core.js';
import { resolveTiming } from '../consensus/limits.js';
import type { ConsensusCore, CoreAction, CoreEvent, CoreStatus, CoreTiming, DropReason, JournalEntry, Superblock } from '../consensus/types.js';
import { DROP_REASONS } from '../consensus/types.js';
import { createAgent, BYZANTINE_TICK_MS, type ByzantineAgent, type Outgoing } from './byzantine.js';
import { drawCommittee, EpochCommittees, SIM_CHAIN_BINDING, type SimCommittee, type SimMember } from './committee.js';
import { peekConsensusHeight } from '../node/wire.js';
import { SYNC_STALL_MS } from '../node/sync.js';
import { EventQueue, EventQueueFullError } from './event-queue.js';
import { perHeightBoundMs } from './liveness-bound.js';
import { drawNetworkProfile, SimNetwork, synchronousProfile, type NetworkProfile } from './network.js';
import { Rng } from './random.js';
import type { Scenario } from './scenario.js';
import { signatureScheme, signaturesOf, type SignatureKind } from './signatures.js';
import { superblockFingerprint, type SuperblockBatchView } from './invariants.js';
import { drawWorkloadProfile, Workload } from './workload.js';

export const MAX_EVENTS_PER_RUN = 5_000_000; // a run past this is a message storm: stopped and reported
export const SYNC_INTERVAL_MS = 1_000; // how often a member checks whether it fell behind
export const SYNC_LAG_HEIGHTS = 2; // behind by this many heights, it syncs decided blocks instead
export const WALL_CLOCK_BASE_MS = 1_700_000_000_000; // virtual time 0 as a proposer's wall clock
export const CLOCK_SKEW_MAX_MS = 50; // honest proposers' clocks differ by up to this
export const SYNCHRONOUS_DELAY_MS = 100; // --network synchronous: every message takes exactly this
const CRASH_UPTIME_MEAN_MS = 2_000;
const CRASH_DOWNTIME_MAX_MS = 3_000;
const MAX_CRASHES_PER_MEMBER = 20;

export interface RunOverrides {
  readonly timing?: Partial<CoreTiming>;
  readonly profile?: NetworkProfile;
  readonly signatures?: SignatureKind;
  /** Stop at this virtual time even if the liveness deadline is later. */
  readonly deadlineMs?: number;
}

type SimEvent =
  | { readonly kind: 'message'; readonly to: number; readonly bytes: Uint8Array; readonly sentMs: number }
  | { readonly kind: 'timer'; readonly ep: number; readonly timerId: string; readonly generation: number }
  | { readonly kind: 'proposal'; readonly ep: number; readonly height: number; readonly incarnation: number }
  | { readonly kind: 'crash' | 'restart' | 'tick' | 'sync' | 'committeeKnown'; readonly ep: number; readonly incarnation: number };

/** One running core: a member's endpoint on the network (twins are two endpoints of one member). */
interface Endpoint {
  readonly id: number;
  readonly member: SimMember;
  readonly label: string;
  readonly agent: ByzantineAgent | null;
  readonly honest: boolean; // follows the protocol and never crashes
  readonly correct: boolean; // honest, or crash-restart only: its deliveries must agree
  readonly clockSkewMs: number;
  core: ConsensusCore | null;
  up: boolean;
  incarnation: number;
  crashes: number;
  crashMidStep: boolean;
  journal: JournalEntry[];
  readonly timers: Map<string, number>;
  readonly delivered: Superblock[];
  readonly deliveredAtMs: number[];
  readonly proposed: Map<number, SuperblockBatchView[]>;
}

export interface EvidenceRecord {
  readonly reporter: string;
  readonly offender: number;
  readonly height: number;
}

/** Everything a run produced, as plain data for the invariant checkers and the statistics. */
export interface RunOutcome {
  readonly scenario: Scenario;
  readonly committee: SimCommittee;
  /** With epochs: every epoch's committee and its members' pool indexes. */
  readonly epochs?: EpochCommittees;
  readonly profile: NetworkProfile;
  readonly signatures: SignatureKind;
  readonly endpoints: readonly {
    readonly label: string;
    readonly index: number;
    readonly honest: boolean;
    readonly correct: boolean;
    readonly behaviour: string | null;
    readonly delivered: readonly Superblock[];
    readonly deliveredAtMs: readonly number[];
    readonly proposed: ReadonlyMap<number, readonly SuperblockBatchView[]>;
    /** The core's own status when the run stopped (undefined: down or silent). */
    readonly status: CoreStatus | undefined;
  }[];
  readonly evidence: readonly EvidenceRecord[];
  readonly drops: Readonly<Record<DropReason, number>>;
  readonly messages: number;
  readonly bytes: number;
  readonly meanDelayMs: number;
  readonly syncedHeights: number;
  readonly crashes: number;
  readonly endMs: number;
  readonly events: number;
  readonly stoppedBy: 'done' | 'deadline' | 'idle' | 'event-budget';
  readonly perHeightBoundMs: number;
  readonly timing: CoreTiming;
}

export function runSimulation(scenario: Scenario, overrides: RunOverrides = {}): RunOutcome {
  return new Simulation(scenario, overrides).run();
}

class Simulation {
  private readonly rng: Rng;
  private readonly queue = new EventQueue<SimEvent>();
  private readonly network: SimNetwork;
  private readonly sim: SimCommittee;
  private readonly epochs: EpochCommittees | undefined;
  private readonly endpoints: Endpoint[] = [];
  private readonly byIndex: Endpoint[][] = [];
  private readonly workload: Workload;
  private readonly timing: CoreTiming;
  private readonly signatures: SignatureKind;
  private readonly evidence: EvidenceRecord[] = [];
  private readonly drops = Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<DropReason, number>;
  private readonly honestEndpoints: Endpoint[];
  private readonly deadlineMs: number;
  private readonly boundMs: number;
  private timerGeneration = 0;
  private delaySumMs = 0;
  private deliveredMessages = 0;
  private syncedHeights = 0;
  private done = 0;
  private events = 0;

  constructor(
    private readonly scenario: Scenario,
    overrides: RunOverrides,
  ) {
    this.rng = new Rng(scenario.seed);
    this.signatures = overrides.signatures ?? signaturesOf(scenario);
    this.sim = drawCommittee(scenario, this.rng.fork('committee'), signatureScheme(this.signatures));
    // Drawn only for runs with epochs: every other run's streams stay as they were.
    this.epochs = scenario.epochLength ? new EpochCommittees(this.sim, this.rng.fork('epochs'), scenario.epochLength, scenario.committee ?? scenario.validators) : undefined;
    this.createEndpoints(this.rng.fork('endpoints'));
    const profile = overrides.profile ?? (scenario.network === 'synchronous' ? synchronousProfile(SYNCHRONOUS_DELAY_MS) : drawNetworkProfile(this.rng.fork('network-profile'), this.endpoints.length));
    this.network = new SimNetwork(profile, this.rng.fork('network'));
    const honestIds = this.endpoints.filter((e) => e.honest).map((e) => e.id);
    this.workload = new Workload(this.endpoints.length, drawWorkloadProfile(this.rng.fork('workload-profile')), this.rng.fork('workload'), honestIds);
    this.timing = resolveTiming(overrides.timing);
    this.honestEndpoints = this.endpoints.filter((e) => e.honest);
    this.boundMs = perHeightBoundMs({ timing: this.timing, deltaMs: profile.deltaMs, byzantineMembers: scenario.byzantine, syncIntervalMs: SYNC_INTERVAL_MS });
    this.deadlineMs = Math.min(overrides.deadlineMs ?? Infinity, profile.gstMs + (scenario.heights + 1) * this.boundMs);
  }

  run(): RunOutcome {
    const faults = this.rng.fork('faults');
    for (const ep of this.endpoints) this.boot(ep, faults);
    const stoppedBy = this.loop();
    return this.outcome(stoppedBy);
  }

  private createEndpoints(rng: Rng): void {
    for (const member of this.sim.members) {
      const copies = member.behaviour === 'twins' ? 2 : 1;
      const list: Endpoint[] = [];
      for (let copy = 0; copy < copies; copy++) {
        const agent = member.behaviour === null ? null : createAgent(member.behaviour);
        const ep: Endpoint = {
          id: this.endpoints.length,
          member,
          label: `v${member.index}${copy === 0 ? '' : '/twin'}${member.behaviour === null ? '' : `(${member.behaviour})`}`,
          agent,
          honest: member.behaviour === null,
          correct: member.behaviour === null || member.behaviour === 'crash',
          clockSkewMs: rng.int(0, CLOCK_SKEW_MAX_MS),
          core: null,
          up: true,
          incarnation: 0,
          crashes: 0,
          crashMidStep: false,
          journal: [],
          timers: new Map(),
          delivered: [],
          deliveredAtMs: [],
          proposed: new Map(),
        };
        this.endpoints.push(ep);
        list.push(ep);
      }
      this.byIndex.push(list);
    }
  }

  private boot(ep: Endpoint, faults: Rng): void {
    if (ep.agent !== null && !ep.agent.runsCore) return;
    this.startCore(ep);
    if (ep.member.behaviour === 'crash') this.queue.schedule(faults.exponential(CRASH_UPTIME_MEAN_MS), { kind: 'crash', ep: ep.id, incarnation: ep.incarnation });
    if (ep.member.behaviour === 'garbage' || ep.member.behaviour === 'replay') this.queue.schedule(BYZANTINE_TICK_MS, { kind: 'tick', ep: ep.id, incarnation: ep.incarnation });
    this.queue.schedule(SYNC_INTERVAL_MS, { kind: 'sync', ep: ep.id, incarnation: ep.incarnation });
  }

  private startCore(ep: Endpoint): void {
    const startHeight = (ep.delivered.at(-1)?.height ?? 0) + 1;
    ep.journal = ep.journal.filter((entry) => entry.height >= startHeight); // older heights are committed
    const epochs = this.epochs;
    ep.core = createConsensusCore({
      selfIndex: epochs === undefined ? ep.member.index : 'by-key',
      // With epochs, an epoch's committee is known once its previous epoch's last block is delivered here.
      committeeForHeight:
        epochs === undefined
          ? () => this.sim.committee
          : (height) => {
              const epoch = epochs.epochOf(height);
              if (epoch > 0 && !ep.delivered.some((b) => b.height === epochs.boundaryBefore(epoch))) throw new Error(`epoch ${epoch} not drawn yet`);
              return epochs.committee(epoch);
            },
      signer: ep.member.signer,
      verifier: signatureScheme(this.signatures).verifier,
      chainBinding: SIM_CHAIN_BINDING,
      startHeight,
      journal: ep.journal.slice(),
      timing: this.timing,
    });
    this.step(ep, { kind: 'start' });
  }

  private loop(): RunOutcome['stoppedBy'] {
    while (this.done < this.honestEndpoints.length) {
      if (this.events >= MAX_EVENTS_PER_RUN) return 'event-budget';
      const next = this.queue.next();
      if (next === undefined) return 'idle';
      if (next.timeMs > this.deadlineMs) return 'deadline';
      this.events++;
      try {
        this.handle(next.event);
      } catch (error) {
        if (error instanceof EventQueueFullError) return 'event-budget'; // a storm: the verdict reports it
        throw error;
      }
    }
    return 'done';
  }

  private handle(event: SimEvent): void {
    if (event.kind === 'message') return this.onMessage(event.to, event.bytes, event.sentMs);
    const ep = this.endpoints[event.ep] as Endpoint;
    switch (event.kind) {
      case 'timer':
        if (ep.up && ep.timers.get(event.timerId) === event.generation) {
          ep.timers.delete(event.timerId);
          this.step(ep, { kind: 'timer', timerId: event.timerId });
        }
        return;
      case 'proposal':
        if (ep.up && event.incarnation === ep.incarnation) this.propose(ep, event.height);
        return;
      case 'crash':
        return this.onCrash(ep, event.incarnation);
      case 'restart':
        return this.onRestart(ep);
      case 'tick':
        return this.onTick(ep, event.incarnation);
      case 'sync':
        return this.onSync(ep, event.incarnation);
      case 'committeeKnown':
        if (ep.up && event.incarnation === ep.incarnation) this.step(ep, { kind: 'committeeKnown' });
        return;
    }
  }

  // ------------------------------------------------------------------ the core's actions

  private step(ep: Endpoint, event: CoreEvent): void {
    if (!ep.up || ep.core === null) return;
    const actions = ep.core.step(event);
    // A crash "during" a step: the host performed only a prefix of the actions. Persist-before-send
    // must make any prefix safe.
    const cut = ep.crashMidStep ? this.rng.int(0, actions.length) : actions.length;
    for (let i = 0; i < cut; i++) this.perform(ep, actions[i] as CoreAction);
    if (ep.crashMidStep) {
      ep.crashMidStep = false;
      this.crash(ep);
    }
  }

  private perform(ep: Endpoint, action: CoreAction): void {
    const now = this.queue.nowMs;
    switch (action.kind) {
      case 'persist':
        ep.journal.push(action.entry);
        return;
      case 'broadcast':
        return this.send(ep, { to: 'all', bytes: action.bytes }, true);
      case 'send':
        return this.send(ep, { to: this.poolIndexOfRecipient(action.to, action.bytes), bytes: action.bytes }, true);
      case 'setTimer': {
        const generation = ++this.timerGeneration;
        ep.timers.set(action.timerId, generation);
        this.queue.schedule(now + action.delayMs, { kind: 'timer', ep: ep.id, timerId: action.timerId, generation });
        return;
      }
      case 'cancelTimer':
        ep.timers.delete(action.timerId);
        return;
      case 'requestProposal':
        this.queue.schedule(now, { kind: 'proposal', ep: ep.id, height: action.height, incarnation: ep.incarnation });
        return;
      case 'deliver':
        return this.recordDelivery(ep, action.superblock);
      case 'evidence': {
        const offender = this.epochs === undefined ? action.evidence.offender : this.epochs.poolIndex(this.epochs.epochOf(action.evidence.height), action.evidence.offender);
        if (ep.correct) this.evidence.push({ reporter: ep.label, offender: offender ?? -1, height: action.evidence.height });
        return;
      }
      case 'dropped':
        this.drops[action.reason]++;
        return;
    }
  }

  /** A core's 'send' names a committee index of the message's height: the pool member it is. */
  private poolIndexOfRecipient(to: number, bytes: Uint8Array): number {
    if (this.epochs === undefined) return to;
    const height = peekConsensusHeight(bytes) ?? 1;
    return this.epochs.poolIndex(this.epochs.epochOf(height), to) ?? -1;
  }

  /** The committee index of an endpoint's member at `height` (its pool index without epochs). */
  private indexAt(ep: Endpoint, height: number): number | undefined {
    if (this.epochs === undefined) return ep.member.index;
    return this.epochs.committeeIndex(this.epochs.epochOf(height), ep.member.index);
  }

  private recordDelivery(ep: Endpoint, superblock: Superblock): void {
    // The epoch's last block: the host draws the next committee, then tells its core (after this step).
    if (this.epochs !== undefined && this.epochs.endsEpoch(superblock.height)) {
      this.queue.schedule(this.queue.nowMs, { kind: 'committeeKnown', ep: ep.id, incarnation: ep.incarnation });
    }
    ep.delivered.push(superblock);
    ep.deliveredAtMs.push(this.queue.nowMs);
    this.workload.delivered(ep.id, superblock.transactions);
    if (ep.honest && superblock.height === this.scenario.heights) this.done++;
  }

  private propose(ep: Endpoint, height: number): void {
    const index = this.indexAt(ep, height);
    if (index === undefined) return; // not a member at this height (the core asks only members)
    const transactions = this.workload.proposal(ep.id, index, height);
    const timestampMs = WALL_CLOCK_BASE_MS + Math.floor(this.queue.nowMs) + ep.clockSkewMs;
    const list = ep.proposed.get(height) ?? [];
    list.push({ proposer: index, digest: new Uint8Array(0), timestampMs, transactions });
    ep.proposed.set(height, list);
    this.step(ep, { kind: 'proposal', height, transactions, timestampMs });
  }

  // ------------------------------------------------------------------ network

  private send(ep: Endpoint, message: Outgoing, throughAgent: boolean): void {
    const outgoing = throughAgent && ep.agent !== null ? ep.agent.outgoing(message, this.agentContext(ep)) : [message];
    const now = this.queue.nowMs;
    for (const out of outgoing) {
      for (const target of this.recipients(ep, out.to)) {
        for (const atMs of this.network.route(ep.id, target.id, now, out.bytes.length)) {
          this.queue.schedule(atMs, { kind: 'message', to: target.id, bytes: out.bytes, sentMs: now });
        }
      }
    }
  }

  /** Endpoints a message to committee index `to` (or to all) reaches. A twin pair gets it at one or both. */
  private recipients(from: Endpoint, to: number | 'all'): Endpoint[] {
    const indices = to === 'all' ? this.byIndex.keys() : [to];
    const out: Endpoint[] = [];
    for (const index of indices) {
      if (index === from.member.index) continue;
      const copies = this.byIndex[index];
      if (copies === undefined) continue;
      if (copies.length === 1) out.push(copies[0] as Endpoint);
      else out.push(...this.twinTargets(copies));
    }
    return out;
  }

  private twinTargets(copies: Endpoint[]): Endpoint[] {
    const draw = this.rng.int(0, 3);
    return draw < 2 ? copies : [copies[draw - 2] as Endpoint];
  }

  private onMessage(to: number, bytes: Uint8Array, sentMs: number): void {
    const ep = this.endpoints[to] as Endpoint;
    if (!ep.up || ep.core === null) return; // a crashed member loses what arrives while it is down
    this.delaySumMs += this.queue.nowMs - sentMs;
    this.deliveredMessages++;
    ep.agent?.incoming(bytes);
    this.step(ep, { kind: 'message', bytes });
  }

  private agentContext(ep: Endpoint) {
    const height = ep.core?.height ?? 1;
    if (this.epochs === undefined) return { rng: this.rng, self: ep.member.index, committeeSize: this.sim.members.length, signer: ep.member.signer, binding: SIM_CHAIN_BINDING, height };
    // A Byzantine member signs as its seat of the current epoch, or, left out, as its pool index:
    // it keeps sending either way (the cores refuse what a non-member signs).
    const committee = this.epochs.committee(this.epochs.epochOf(height));
    return { rng: this.rng, self: this.indexAt(ep, height) ?? ep.member.index, committeeSize: committee.members.length, signer: ep.member.signer, binding: SIM_CHAIN_BINDING, height };
  }

  // ------------------------------------------------------------------ faults and helpers

  private onCrash(ep: Endpoint, incarnation: number): void {
    if (!ep.up || incarnation !== ep.incarnation) return;
    if (this.rng.chance(0.5)) ep.crashMidStep = true; // crash inside the next step, after a prefix of its actions
    else this.crash(ep);
  }

  private crash(ep: Endpoint): void {
    ep.up = false;
    ep.core = null;
    ep.incarnation++;
    ep.crashes++;
    ep.timers.clear();
    this.queue.schedule(this.queue.nowMs + this.rng.int(1, CRASH_DOWNTIME_MAX_MS), { kind: 'restart', ep: ep.id, incarnation: ep.incarnation });
  }

  private onRestart(ep: Endpoint): void {
    if (ep.up) return;
    ep.up = true;
    this.startCore(ep);
    if (ep.crashes < MAX_CRASHES_PER_MEMBER) this.queue.schedule(this.queue.nowMs + this.rng.exponential(CRASH_UPTIME_MEAN_MS), { kind: 'crash', ep: ep.id, incarnation: ep.incarnation });
    this.queue.schedule(this.queue.nowMs + SYNC_INTERVAL_MS, { kind: 'sync', ep: ep.id, incarnation: ep.incarnation });
  }

  private onTick(ep: Endpoint, incarnation: number): void {
    if (!ep.up || incarnation !== ep.incarnation || ep.agent === null) return;
    for (const out of ep.agent.tick(this.agentContext(ep))) this.send(ep, out, false);
    this.queue.schedule(this.queue.nowMs + BYZANTINE_TICK_MS, { kind: 'tick', ep: ep.id, incarnation });
  }

  /**
   * The host's catch-up: a member behind by SYNC_LAG_HEIGHTS or more takes the next decided block
   * that members holding more than 1/3 of the weight delivered identically (one is honest), as a
   * node syncing certified blocks would, and tells its core with 'syncedTo'.
   */
  private onSync(ep: Endpoint, incarnation: number): void {
    if (!ep.up || incarnation !== ep.incarnation || ep.core === null) return;
    for (let block = this.syncable(ep); block !== undefined; block = this.syncable(ep)) {
      this.syncedHeights++;
      this.recordDelivery(ep, block);
      this.step(ep, { kind: 'syncedTo', height: block.height });
      if (!ep.up) return;
    }
    this.queue.schedule(this.queue.nowMs + SYNC_INTERVAL_MS, { kind: 'sync', ep: ep.id, incarnation });
  }

  private syncable(ep: Endpoint): Superblock | undefined {
    const next = ep.delivered.length === 0 ? 1 : (ep.delivered.at(-1) as Superblock).height + 1;
    // As a node's sync: behind by SYNC_LAG_HEIGHTS, or by one once its head has not moved for
    // SYNC_STALL_MS (an observer cannot ask for a batch it lacks: only sync brings it the block).
    const stalled = this.queue.nowMs - (ep.deliveredAtMs.at(-1) ?? 0) >= SYNC_STALL_MS;
    const lag = stalled ? 1 : SYNC_LAG_HEIGHTS;
    const ahead = this.endpoints.some((other) => (other.delivered.at(-1)?.height ?? 0) >= next + lag - 1);
    if (!ahead) return undefined;
    const votes = new Map<string, { block: Superblock; members: Set<number>; weight: bigint }>();
    for (const other of this.endpoints) {
      if (other.member.index === ep.member.index) continue;
      const block = other.delivered.find((b) => b.height === next);
      if (block === undefined) continue;
      const key = superblockFingerprint(block);
      const vote = votes.get(key) ?? { block, members: new Set<number>(), weight: 0n };
      if (!vote.members.has(other.member.index)) {
        vote.members.add(other.member.index);
        vote.weight += other.member.weight;
      }
      votes.set(key, vote);
    }
    const total = this.sim.committee.totalWeight;
    for (const vote of votes.values()) if (isWeakThreshold(vote.weight, total)) return vote.block;
    return undefined;
  }

  private outcome(stoppedBy: RunOutcome['stoppedBy']): RunOutcome {
    return {
      scenario: this.scenario,
      committee: this.sim,
      ...(this.epochs === undefined ? {} : { epochs: this.epochs }),
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
        status: ep.core?.status(),
      })),
      evidence: this.evidence,
      drops: this.drops,
      messages: this.network.stats.sent,
      bytes: this.network.stats.bytes,
      meanDelayMs: this.deliveredMessages === 0 ? 0 : this.delaySumMs / this.deliveredMessages,
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

