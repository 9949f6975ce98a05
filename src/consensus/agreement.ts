// DBFT binary agreement with a rotating weak coordinator (Crain, Gramoli, Larrea, Raynal, NCA 2018,
// Fig. 2; docs/protocol.md "Binary agreement per proposer"), weighted, with the DECIDED helping rule
// (decision 0001). One instance per proposer and height decides "is this batch in the superblock?".
//
// Safety never depends on timers: one AUX per round per member, aux ⊆ bin_values, values from a
// quorum of AUX. Liveness after stabilisation comes from the coordinator and growing round timers.
import type { Bit, Committee, JournalEntry, ValidatorIndex } from './types.js';
import type { ConsensusMessage } from './messages.js';
import { StakeAggregator } from './stake-aggregator.js';
import { isQuorum } from '../stake/quorum.js';
import { MAX_ROUND, RELAY_ROUNDS_KEPT } from './limits.js';

/** What an agreement instance asks of its height: send votes, arm its round timer, report a decision. */
export interface AgreementSink {
  broadcast(message: ConsensusMessage, ownEstimate?: boolean): void;
  setRoundTimer(round: number): void;
  cancelRoundTimer(round: number): void;
  /** Arms the catch-up grace of `round` (shorter than its round timer; see maybeSendAux). */
  setGraceTimer(round: number): void;
  cancelGraceTimer(round: number): void;
  decided(value: Bit): void;
}

interface RoundState {
  readonly est: [StakeAggregator, StakeAggregator]; // who sent EST[r](0) / EST[r](1)
  readonly estSent: [boolean, boolean];
  readonly binValues: Bit[]; // in the order values entered
  coordValue: Bit | null;
  coordSent: boolean;
  readonly aux: Map<ValidatorIndex, readonly Bit[]>;
  auxSent: readonly Bit[] | null;
  /** This member's AUX was the coordinator's value (then only that value ends the round early). */
  auxFromCoord: boolean;
  timerArmed: boolean;
  timerExpired: boolean;
  graceArmed: boolean;
  graceExpired: boolean;
  /** Left (or decided in): only its EST relay rule still runs. */
  finished: boolean;
}

interface DecidedVote {
  readonly value: Bit;
  readonly round: number;
}

/** The coordinator of `round` in `instance`: rotates by index, starting at the proposer itself. */
export function coordinatorOf(instance: ValidatorIndex, round: number, committeeSize: number): ValidatorIndex {
  return (instance + round - 1) % committeeSize;
}

export class BinaryAgreement {
  private readonly rounds = new Map<number, RoundState>();
  private readonly decidedFrom = new Map<ValidatorIndex, DecidedVote>();
  private readonly maxRoundOf = new Map<ValidatorIndex, number>();
  private est: Bit | null = null;
  private currentRound = 1;
  private decision: DecidedVote | null = null;
  /** undefined: not computed since the last DECIDED arrived. */
  private adoptableCache: DecidedVote | null | undefined = undefined;

  constructor(
    private readonly committee: Committee,
    readonly instance: ValidatorIndex,
    private readonly self: ValidatorIndex | null,
    private readonly sink: AgreementSink,
  ) {}

  get round(): number {
    return this.currentRound;
  }
  get decided(): Bit | null {
    return this.decision?.value ?? null;
  }
  /** The round the decision was taken (or adopted) in; null while undecided. */
  get decidedRound(): number | null {
    return this.decision?.round ?? null;
  }
  get hasInput(): boolean {
    return this.est !== null || this.decision !== null;
  }

  /** Re-establishes what this member signed before a crash (journal entries of this instance). */
  restore(entries: readonly JournalEntry[]): void {
    const decided = entries.find((e) => e.kind === 'decided');
    if (decided !== undefined && decided.kind === 'decided') {
      this.decision = { value: decided.value, round: decided.round };
      return;
    }
    let top = 0;
    for (const e of entries) if (e.kind === 'est' && e.own) top = Math.max(top, e.round);
    if (top === 0) return;
    this.currentRound = top;
    const state = this.roundState(top);
    for (const e of entries) {
      if (e.kind === 'est' && e.round === top) {
        state.estSent[e.value] = true;
        if (e.own) this.est = e.value;
      } else if (e.kind === 'coord' && e.round === top) {
        state.coordSent = true;
        state.coordValue = e.value;
      } else if (e.kind === 'aux' && e.round === top) {
        state.auxSent = [...e.values];
        // Whether it was the coordinator's value is not journaled: after a restart the round's
        // timer starts over, and the member accepts any quorum once it has run out.
      }
    }
  }

  /** The instance's input: 1 when the proposer's batch was delivered, 0 after the subset threshold. */
  input(value: Bit): void {
    if (this.est !== null || this.decision !== null) return;
    this.est = value;
    this.progress();
  }

  onEst(sender: ValidatorIndex, round: number, value: Bit): void {
    this.noteRound(sender, round);
    const finished = this.rounds.get(round);
    if (finished?.finished) return this.relayLate(finished, round, sender, value);
    if (this.isPast(round)) return;
    this.roundState(round).est[value].add(sender);
    this.progress();
  }

  onCoord(sender: ValidatorIndex, round: number, value: Bit): void {
    this.noteRound(sender, round);
    if (this.isPast(round) || sender !== coordinatorOf(this.instance, round, this.committee.members.length)) return;
    const state = this.roundState(round);
    if (state.coordValue === null) state.coordValue = value;
    this.progress();
  }

  onAux(sender: ValidatorIndex, round: number, values: readonly Bit[]): void {
    this.noteRound(sender, round);
    if (this.isPast(round)) return;
    const state = this.roundState(round);
    if (!state.aux.has(sender)) state.aux.set(sender, values);
    this.progress();
  }

  onDecided(sender: ValidatorIndex, round: number, value: Bit): void {
    if (this.decidedFrom.has(sender)) return;
    this.decidedFrom.set(sender, { value, round });
    this.adoptableCache = undefined;
    this.noteRound(sender, round + 1);
    // DECIDED(v) counts as EST[r](v) in every round after the sender's decision round.
    for (const [r, state] of this.rounds) if (r > round) state.est[value].add(sender);
    this.progress();
  }

  onTimer(round: number): void {
    const state = this.rounds.get(round);
    if (state === undefined || round !== this.currentRound) return;
    state.timerExpired = true;
    this.progress();
  }

  onGraceTimer(round: number): void {
    const state = this.rounds.get(round);
    if (state === undefined || round !== this.currentRound) return;
    state.graceExpired = true;
    this.progress();
  }

  /** Rounds beyond the lookahead window are not stored (bounded memory against far-future spam). */
  acceptsRound(round: number, lookahead: number): boolean {
    return round <= Math.min(MAX_ROUND, this.currentRound + lookahead);
  }

  // ------------------------------------------------------------------ the round

  private progress(): void {
    for (let guard = 0; guard < MAX_ROUND && this.decision === null; guard++) {
      if (this.adoptDecision()) return;
      if (this.est === null || this.self === null) return;
      const state = this.roundState(this.currentRound);
      this.bvBroadcast(state);
      this.armTimerAndCoordinate(state);
      this.maybeSendAux(state);
      if (this.adoptDecision()) return; // the AUX this member owed may just have left
      const values = this.auxValues(state);
      if (values === null) return;
      this.finishRound(values);
    }
  }

  /**
   * DECIDED(v) from weight >= T: an honest member decided v, so this member may decide v too — but
   * only once it owes no vote its own DECIDED cannot stand for.
   *
   * The set reaching T, taken in order of claimed round, names the tag round t: by then some honest
   * member had decided, so in every round after t every honest estimate is v and every honest AUX
   * is {v}; our DECIDED(v, t) may stand for EST(v) and AUX({v}) there, and nowhere before. So a
   * member in a round < t keeps voting, and one in round t first sends its AUX of round t (at once:
   * the deciders count as being in later rounds, which is the catch-up rule) — exactly what a
   * member deciding by itself in round t has sent. When honest weight is barely a quorum, the
   * members still in those rounds need exactly these votes (decision 0001: deciding at once
   * stalled soak seeds 849, 1155 and 1185; tagging the current round instead of t, seed 701).
   */
  private adoptDecision(): boolean {
    const adopted = this.adoptable();
    if (adopted === null) return false;
    if (this.self !== null && this.owesVotesUpTo(adopted.round)) {
      // The outcome is fixed (an honest member decided it), so v is as good an input as any: it
      // lets a member without input yet cast the votes it owes.
      if (this.est === null) this.est = adopted.value;
      return false;
    }
    this.decide(adopted.value, adopted.round);
    return true;
  }

  private owesVotesUpTo(tagRound: number): boolean {
    if (this.currentRound !== tagRound) return this.currentRound < tagRound;
    return (this.rounds.get(tagRound)?.auxSent ?? null) === null;
  }

  /** The value and tag round of a weak threshold of DECIDED, if there is one (cached: read twice a pass). */
  private adoptable(): DecidedVote | null {
    if (this.adoptableCache === undefined) this.adoptableCache = this.weakThresholdOfDecided();
    return this.adoptableCache;
  }

  private weakThresholdOfDecided(): DecidedVote | null {
    for (const value of [0, 1] as const) {
      const rounds = [...this.decidedFrom]
        .filter(([, d]) => d.value === value)
        .sort((a, b) => a[1].round - b[1].round || a[0] - b[0]);
      const agg = new StakeAggregator(this.committee);
      for (const [sender, d] of rounds) {
        agg.add(sender);
        if (agg.reachedWeak) return { value, round: d.round };
      }
    }
    return null;
  }

  private bvBroadcast(state: RoundState): void {
    const r = this.currentRound;
    if (this.est !== null && !state.estSent[this.est]) {
      state.estSent[this.est] = true;
      this.sink.broadcast({ type: 'est', instance: this.instance, round: r, value: this.est }, true);
    }
    for (const v of [0, 1] as const) {
      if (state.est[v].reachedWeak && !state.estSent[v]) {
        state.estSent[v] = true;
        this.sink.broadcast({ type: 'est', instance: this.instance, round: r, value: v }, false);
      }
      if (state.est[v].reachedQuorum && !state.binValues.includes(v)) state.binValues.push(v);
    }
  }

  private armTimerAndCoordinate(state: RoundState): void {
    if (state.binValues.length === 0 || state.timerArmed) return;
    state.timerArmed = true;
    this.sink.setRoundTimer(this.currentRound);
    const isCoordinator = this.self === coordinatorOf(this.instance, this.currentRound, this.committee.members.length);
    if (isCoordinator && !state.coordSent) {
      state.coordSent = true;
      state.coordValue = state.binValues[0]!;
      this.sink.broadcast({ type: 'coord', instance: this.instance, round: this.currentRound, value: state.coordValue });
    }
  }

  /**
   * Exactly one AUX per round (docs/decisions/0010-binary-agreement-liveness.md):
   * - {w} as soon as the coordinator's COORD(w) arrived and w is in bin_values (waiting longer
   *   cannot change aux);
   * - otherwise bin_values, once the round timer has run out, or once the catch-up grace has: when
   *   weight >= T is in later rounds, the member waits only the round's grace (a fraction of the
   *   round timer) for the coordinator. The grace matters: a member answering catch-up at once,
   *   before the COORD an adversary held back by Δ, would send bin_values in a round whose
   *   coordinator is honest and split the honest estimates.
   */
  private maybeSendAux(state: RoundState): void {
    if (state.auxSent !== null || state.binValues.length === 0) return;
    const coordUsable = state.coordValue !== null && state.binValues.includes(state.coordValue);
    if (!coordUsable && !state.timerExpired && !this.graceOver(state)) return;
    const aux: Bit[] = coordUsable ? [state.coordValue!] : [...state.binValues].sort();
    state.auxSent = aux;
    state.auxFromCoord = coordUsable;
    this.sink.broadcast({ type: 'aux', instance: this.instance, round: this.currentRound, values: aux });
  }

  /**
   * Catch-up's grace: armed once weight >= T is in later rounds, over when it ran out — or at once
   * when a weak threshold of DECIDED fixed the outcome (then splitting estimates is harmless and
   * the votes owed go at once, see adoptDecision).
   */
  private graceOver(state: RoundState): boolean {
    if (state.graceExpired) return true;
    if (!this.caughtUp()) return false;
    if (this.adoptable() !== null) return true;
    if (!state.graceArmed) {
      state.graceArmed = true;
      this.sink.setGraceTimer(this.currentRound);
    }
    return false;
  }

  /** Catch-up (docs/protocol.md step 7): weight >= T already in later rounds shortens the wait for the timer. */
  private caughtUp(): boolean {
    const agg = new StakeAggregator(this.committee);
    for (const [sender, round] of this.maxRoundOf) if (round > this.currentRound) agg.add(sender);
    return agg.reachedWeak;
  }

  /**
   * The union of AUX from a quorum whose values all lie in bin_values; prefer our own aux (step 5).
   * While this member's AUX is the coordinator's value, only a quorum of that value ends the
   * round until the round timer or the catch-up grace runs out: one Byzantine AUX({0,1})
   * delivered first must not turn a round with an honest coordinator into a mixed union
   * (docs/decisions/0010).
   */
  private auxValues(state: RoundState): readonly Bit[] | null {
    if (state.auxSent === null) return null;
    const bin = state.binValues;
    let inBin = 0n;
    let inOwn = 0n;
    const union = new Set<Bit>();
    for (const [sender, values] of this.auxVotes(state)) {
      if (!values.every((v) => bin.includes(v))) continue;
      const weight = this.committee.members[sender]!.weight;
      inBin += weight;
      values.forEach((v) => union.add(v));
      if (values.every((v) => state.auxSent!.includes(v))) inOwn += weight;
    }
    const total = this.committee.totalWeight;
    if (isQuorum(inOwn, total)) return state.auxSent;
    if (state.auxFromCoord && !state.timerExpired && !this.graceOver(state)) return null;
    if (isQuorum(inBin, total)) return [...union].sort();
    return null;
  }

  /** Real AUX of the round, plus DECIDED(v) of an earlier round standing for AUX({v}). */
  private *auxVotes(state: RoundState): Generator<[ValidatorIndex, readonly Bit[]]> {
    yield* state.aux;
    for (const [sender, d] of this.decidedFrom) {
      if (d.round < this.currentRound && !state.aux.has(sender)) yield [sender, [d.value]];
    }
  }

  /**
   * BV-broadcast's relay rule outlives the round (DBFT, Fig. 1): a member still in round r may need
   * this member's EST[r](v) for v to reach a quorum in its bin_values, even after this member
   * left r or decided. Kept for the last RELAY_ROUNDS_KEPT rounds only.
   */
  private relayLate(state: RoundState, round: number, sender: ValidatorIndex, value: Bit): void {
    state.est[value].add(sender);
    if (this.self === null || state.estSent[value] || !state.est[value].reachedWeak) return;
    state.estSent[value] = true;
    this.sink.broadcast({ type: 'est', instance: this.instance, round, value }, false);
  }

  private finishRound(values: readonly Bit[]): void {
    const r = this.currentRound;
    const b: Bit = (r % 2) as Bit;
    const state = this.rounds.get(r)!;
    if (state.timerArmed && !state.timerExpired) this.sink.cancelRoundTimer(r);
    if (state.graceArmed && !state.graceExpired) this.sink.cancelGraceTimer(r);
    if (values.length === 1) {
      this.est = values[0]!;
      if (values[0] === b) {
        this.decide(b, r);
        return;
      }
    } else {
      this.est = b;
    }
    this.currentRound = r + 1;
    state.finished = true; // its AUX is sent, its values taken: only relays remain
    this.rounds.delete(r - RELAY_ROUNDS_KEPT);
  }

  private isPast(round: number): boolean {
    return this.decision !== null || round < this.currentRound;
  }

  private decide(value: Bit, round: number): void {
    if (this.decision !== null) return;
    this.decision = { value, round };
    // Rounds not reached are dropped; those voted in keep relaying (see relayLate).
    for (const [r, state] of this.rounds) {
      if (r > this.currentRound || r <= this.currentRound - RELAY_ROUNDS_KEPT) this.rounds.delete(r);
      else state.finished = true;
    }
    if (this.self !== null) this.sink.broadcast({ type: 'decided', instance: this.instance, round, value });
    this.sink.decided(value);
  }

  private noteRound(sender: ValidatorIndex, round: number): void {
    if ((this.maxRoundOf.get(sender) ?? 0) < round) this.maxRoundOf.set(sender, round);
  }

  private roundState(round: number): RoundState {
    let state = this.rounds.get(round);
    if (state === undefined) {
      state = {
        est: [new StakeAggregator(this.committee), new StakeAggregator(this.committee)],
        estSent: [false, false],
        binValues: [],
        coordValue: null,
        coordSent: false,
        aux: new Map(),
        auxSent: null,
        auxFromCoord: false,
        timerArmed: false,
        timerExpired: false,
        graceArmed: false,
        graceExpired: false,
        finished: false,
      };
      for (const [sender, d] of this.decidedFrom) if (d.round < round) state.est[d.value].add(sender);
      this.rounds.set(round, state);
    }
    return state;
  }
}
