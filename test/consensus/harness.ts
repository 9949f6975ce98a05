// A tiny in-test cluster: N consensus cores with real ed25519 keys, events delivered in an order
// drawn from a seeded generator, virtual timers, journals kept per member, crash and restart.
import { keyPairFromSeed } from '../../src/crypto/ed25519.js';
import { sha256 } from '../../src/crypto/hash.js';
import { utf8 } from '../../src/crypto/bytes.js';
import { createConsensusCore } from '../../src/consensus/core.js';
import { ed25519Signer, ed25519Verifier } from '../../src/consensus/signing.js';
import type {
  Committee,
  ConsensusCore,
  CoreAction,
  CoreEvent,
  CoreTiming,
  Evidence,
  JournalEntry,
  MessageSigner,
  Superblock,
} from '../../src/consensus/types.js';

/** mulberry32: a small deterministic generator, enough to shuffle test schedules. */
/** The chain binding every test core signs for. */
export const TEST_BINDING = new Uint8Array(32).fill(0x5b);

export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function makeCommittee(weights: readonly bigint[], epoch = 0): { committee: Committee; signers: MessageSigner[] } {
  const signers = weights.map((_, i) => ed25519Signer(keyPairFromSeed(sha256(utf8(`member-${i}`)))));
  const members = weights.map((weight, index) => ({ index, id: `v${index}`, publicKey: signers[index]!.publicKey, weight }));
  return { committee: { epoch, members, totalWeight: weights.reduce((a, b) => a + b, 0n) }, signers };
}

export interface ClusterOptions {
  readonly seed: number;
  readonly silent?: readonly number[];
  /** Chance that a due timer fires before the message queue is empty (asynchrony). */
  readonly earlyTimerChance?: number;
  readonly timing?: Partial<CoreTiming>;
  /** Cores coalesce their messages; each core is flushed once the events queued for it ran. */
  readonly coalesce?: boolean;
}

interface Pending {
  readonly to: number;
  readonly event: CoreEvent;
}

export class Cluster {
  readonly committee: Committee;
  readonly signers: MessageSigner[];
  readonly cores: (ConsensusCore | null)[];
  readonly journals: JournalEntry[][];
  readonly delivered: Superblock[][];
  readonly evidence: Evidence[][];
  readonly broadcasts: Uint8Array[][]; // everything each member ever sent, for equivocation checks
  readonly dropped: string[][];
  private readonly queue: Pending[] = [];
  private readonly timers: Map<string, number>[];
  private readonly random: () => number;
  private readonly silent: Set<number>;
  now = 0;
  steps = 0;

  constructor(weights: readonly bigint[], private readonly options: ClusterOptions) {
    const { committee, signers } = makeCommittee(weights);
    this.committee = committee;
    this.signers = signers;
    this.random = rng(options.seed);
    this.silent = new Set(options.silent ?? []);
    const n = weights.length;
    this.journals = Array.from({ length: n }, () => []);
    this.delivered = Array.from({ length: n }, () => []);
    this.evidence = Array.from({ length: n }, () => []);
    this.broadcasts = Array.from({ length: n }, () => []);
    this.dropped = Array.from({ length: n }, () => []);
    this.timers = Array.from({ length: n }, () => new Map());
    this.cores = weights.map((_, i) => (this.silent.has(i) ? null : this.newCore(i)));
    for (let i = 0; i < n; i++) if (this.cores[i] !== null) this.queue.push({ to: i, event: { kind: 'start' } });
  }

  newCore(i: number): ConsensusCore {
    const startHeight = (this.delivered[i]!.at(-1)?.height ?? 0) + 1;
    return createConsensusCore({
      selfIndex: i,
      committeeForHeight: () => this.committee,
      signer: this.signers[i]!,
      verifier: ed25519Verifier,
      chainBinding: TEST_BINDING,
      startHeight,
      journal: [...this.journals[i]!],
      timing: { roundTimeoutBaseMs: 50, resendIntervalMs: 1000, fetchRetryMs: 100, ...this.options.timing },
      coalesce: this.options.coalesce ?? false,
    });
  }

  /** Stops a member: its queued events and timers are lost; its journal and deliveries remain. */
  crash(i: number): void {
    this.cores[i] = null;
    this.timers[i]!.clear();
    for (let k = this.queue.length - 1; k >= 0; k--) if (this.queue[k]!.to === i) this.queue.splice(k, 1);
  }

  restart(i: number): void {
    this.cores[i] = this.newCore(i);
    this.queue.push({ to: i, event: { kind: 'start' } });
  }

  inject(to: number, bytes: Uint8Array): CoreAction[] {
    const actions = this.cores[to]!.step({ kind: 'message', bytes });
    this.apply(to, actions);
    return actions;
  }

  /** Runs until every live member delivered `heights` heights, or the step budget ends. */
  runUntil(heights: number, maxSteps = 200_000): boolean {
    const live = () => this.cores.map((c, i) => (c === null ? -1 : i)).filter((i) => i >= 0);
    const done = () => live().every((i) => this.delivered[i]!.length >= heights);
    while (!done() && this.steps < maxSteps) {
      if (!this.stepOnce()) return false;
    }
    return done();
  }

  /** Delivers one queued event (random pick) or fires the earliest timer; false when idle. */
  stepOnce(): boolean {
    this.steps++;
    const early = this.random() < (this.options.earlyTimerChance ?? 0);
    if (this.queue.length > 0 && !early) {
      const k = Math.floor(this.random() * this.queue.length);
      const [next] = this.queue.splice(k, 1);
      this.deliverEvent(next!);
      return true;
    }
    return this.fireTimer() || this.queue.length > 0;
  }

  private fireTimer(): boolean {
    let best: { node: number; id: string; due: number } | null = null;
    this.timers.forEach((timers, node) => {
      for (const [id, due] of timers) if (best === null || due < best.due) best = { node, id, due };
    });
    if (best === null) return false;
    const { node, id, due } = best as { node: number; id: string; due: number };
    this.timers[node]!.delete(id);
    this.now = Math.max(this.now, due);
    this.deliverEvent({ to: node, event: { kind: 'timer', timerId: id } });
    return true;
  }

  private deliverEvent(p: Pending): void {
    const core = this.cores[p.to];
    if (core === null || core === undefined) return;
    this.apply(p.to, core.step(p.event));
    // Coalescing: flush once no more events wait for this member (its host drained its queue).
    if (core.hasPendingSends && !this.queue.some((q) => q.to === p.to)) this.apply(p.to, core.step({ kind: 'flush' }));
  }

  private apply(from: number, actions: CoreAction[]): void {
    for (const a of actions) {
      switch (a.kind) {
        case 'persist':
          this.journals[from]!.push(a.entry);
          break;
        case 'broadcast':
          this.broadcasts[from]!.push(a.bytes);
          for (let to = 0; to < this.cores.length; to++) if (to !== from) this.enqueue(to, a.bytes);
          break;
        case 'send':
          this.enqueue(a.to, a.bytes);
          break;
        case 'setTimer':
          this.timers[from]!.set(a.timerId, this.now + a.delayMs);
          break;
        case 'cancelTimer':
          this.timers[from]!.delete(a.timerId);
          break;
        case 'requestProposal': {
          const transactions = [utf8(`tx:${from}:${a.height}`), utf8(`shared:${a.height}`)];
          this.queue.push({ to: from, event: { kind: 'proposal', height: a.height, transactions, timestampMs: 1_000 * a.height + from } });
          break;
        }
        case 'deliver':
          this.delivered[from]!.push(a.superblock);
          break;
        case 'evidence':
          this.evidence[from]!.push(a.evidence);
          break;
        case 'dropped':
          this.dropped[from]!.push(a.reason + (a.detail ? ': ' + a.detail : ''));
          break;
      }
    }
  }

  private enqueue(to: number, bytes: Uint8Array): void {
    if (this.cores[to] === null || this.silent.has(to)) return;
    this.queue.push({ to, event: { kind: 'message', bytes } });
  }
}
