// The DBFT binary agreement alone, driven message by message. These pin the DECIDED helping rule
// (decision 0001, "Helping rule"): a member that sees a weak threshold of DECIDED may stop voting
// only in rounds its own DECIDED stands for. The 10,000-seed soak found four seeds (701, 849,
// 1155, 1185) where a member broke that and the members still in its round could never gather a
// quorum of AUX; test/consensus/soak-regressions.test.ts replays them end to end. The last tests
// pin BV-broadcast's relay rule outliving the round, with a hand-made schedule that deadlocks
// without it (decision 0001, step 2).
import test from 'node:test';
import assert from 'node:assert/strict';
import { BinaryAgreement, type AgreementSink } from '../../src/consensus/agreement.js';
import type { ConsensusMessage } from '../../src/consensus/messages.js';
import type { Bit } from '../../src/consensus/types.js';
import { makeCommittee } from './harness.js';

// Four equal members, member 3 Byzantine: a quorum (3w > 2W) needs all three honest members, and a
// weak threshold (3w > W) is any two members — one honest decider and the Byzantine one suffice.
const { committee } = makeCommittee([1n, 1n, 1n, 1n]);
const INSTANCE = 0; // coordinated by member 0 in round 1, member 1 in round 2
const SELF = 2;

type Vote = Extract<ConsensusMessage, { type: 'est' | 'coord' | 'aux' | 'decided' }>;

/** One agreement instance with its own votes fed back to it, as HeightState does. */
class Driver {
  readonly sent: Vote[] = [];
  readonly timers: number[] = [];
  readonly graces: number[] = [];
  decision: Bit | null = null;
  readonly agreement: BinaryAgreement;
  private readonly own: Vote[] = [];

  constructor() {
    const sink: AgreementSink = {
      broadcast: (message) => {
        const vote = message as Vote;
        this.sent.push(vote);
        this.own.push(vote);
      },
      setRoundTimer: (round) => this.timers.push(round),
      cancelRoundTimer: () => undefined,
      setGraceTimer: (round) => this.graces.push(round),
      cancelGraceTimer: () => undefined,
      decided: (value) => (this.decision = value),
    };
    this.agreement = new BinaryAgreement(committee, INSTANCE, SELF, sink);
  }

  /** Runs `action`, then hands this member's own new votes back to it until none are left. */
  act(action: (a: BinaryAgreement) => void): void {
    action(this.agreement);
    for (let vote = this.own.shift(); vote !== undefined; vote = this.own.shift()) this.receive(SELF, vote);
  }

  receive(sender: number, vote: Vote): void {
    const a = this.agreement;
    if (vote.type === 'est') a.onEst(sender, vote.round, vote.value);
    else if (vote.type === 'coord') a.onCoord(sender, vote.round, vote.value);
    else if (vote.type === 'aux') a.onAux(sender, vote.round, vote.values);
    else a.onDecided(sender, vote.round, vote.value);
  }

  from(sender: number, vote: Vote): void {
    this.act(() => this.receive(sender, vote));
  }

  sentOf(type: Vote['type']): Vote[] {
    return this.sent.filter((v) => v.type === type);
  }
}

const est = (round: number, value: Bit): Vote => ({ type: 'est', instance: INSTANCE, round, value });
const aux = (round: number, ...values: Bit[]): Vote => ({ type: 'aux', instance: INSTANCE, round, values });
const decided = (round: number, value: Bit): Vote => ({ type: 'decided', instance: INSTANCE, round, value });

test('a weak threshold of DECIDED does not let a member skip the AUX of the round it is in', () => {
  const d = new Driver();
  d.act((a) => a.input(1));
  d.from(0, est(1, 1));
  d.from(1, est(1, 1)); // bin_values[1] = {1}; the round timer runs, no COORD yet, so no AUX yet
  assert.deepEqual(d.timers, [1]);
  assert.equal(d.sentOf('aux').length, 0);

  // Member 0 decided 1 in round 1; the Byzantine member 3 claims the same. Together: weight >= T,
  // tag round 1. Member 1 is still in round 1 and needs this member's AUX (member 3 withholds its
  // own, and DECIDED(1, r1) counts only in rounds after 1). So the AUX of round 1 leaves first —
  // at once, without waiting for the timer: the deciders count as being in later rounds (catch-up).
  d.from(0, decided(1, 1));
  assert.equal(d.sentOf('aux').length, 0, 'one DECIDED is below the weak threshold: nothing changes');
  d.from(3, decided(1, 1));
  assert.deepEqual(
    d.sent.filter((v) => v.type === 'aux' || v.type === 'decided'),
    [aux(1, 1), decided(1, 1)],
    'AUX of round 1 before DECIDED tagged 1',
  );
  assert.equal(d.decision, 1);
});

test('a member adopting a decision in an earlier round than the tag keeps voting until the tag round', () => {
  const d = new Driver();
  d.act((a) => a.input(1));
  // Weight >= T claims to have decided 1 by round 3 (member 3's claim is the one that reaches T).
  d.from(0, decided(1, 1));
  d.from(3, decided(3, 1));
  assert.equal(d.decision, null, 'round 1 < tag 3: its DECIDED would not stand for it in rounds 1..3');
  for (const sender of [0, 1]) d.from(sender, est(1, 1));
  assert.deepEqual(d.sentOf('aux'), [aux(1, 1)], 'it still sends AUX in round 1');
  assert.equal(d.decision, null);
});

test('a member without input that sees a weak threshold of DECIDED takes the decided value as input and votes', () => {
  const d = new Driver();
  d.from(0, decided(1, 1));
  d.from(3, decided(1, 1));
  assert.equal(d.decision, null);
  assert.ok(d.agreement.hasInput);
  assert.deepEqual(d.sentOf('est'), [est(1, 1)], 'it estimates the decided value in round 1');
});

test('a member past the threshold round decides at once, tagging DECIDED with the threshold round', () => {
  const d = new Driver();
  d.act((a) => a.input(1));
  // Round 1 ends with values {0, 1} here (the timer beat the coordinator), so it moves to round 2.
  for (const sender of [0, 1]) d.from(sender, est(1, 1));
  for (const sender of [0, 1, 3]) d.from(sender, est(1, 0));
  d.act((a) => a.onTimer(1));
  assert.deepEqual(d.sentOf('aux'), [aux(1, 0, 1)]);
  d.from(0, aux(1, 1));
  d.from(1, aux(1, 1));
  assert.equal(d.agreement.round, 2);
  assert.deepEqual(d.sentOf('est').at(-1), est(2, 1), 'est = b = 1 after values {0, 1} in round 1');

  d.from(0, decided(1, 1));
  d.from(3, decided(1, 1));
  assert.equal(d.decision, 1);
  // Tagged 1, not 2: it stands for EST(1)/AUX({1}) in round 2, which members still in round 2
  // need (it never sent AUX there); it is honest there because someone decided 1 by round 1.
  assert.deepEqual(d.sentOf('decided'), [decided(1, 1)]);
});

test('DECIDED below a weak threshold never decides, whatever the claimed rounds', () => {
  const d = new Driver();
  d.act((a) => a.input(0));
  d.from(3, decided(1, 1)); // the Byzantine member alone
  d.from(1, decided(5, 0)); // one honest member, the other value
  assert.equal(d.decision, null);
  assert.deepEqual(d.sentOf('est'), [est(1, 0)]);
});

const coord = (round: number, value: Bit): Vote => ({ type: 'coord', instance: INSTANCE, round, value });

test('a member that left a round still relays an EST of that round once it reaches T', () => {
  const d = new Driver();
  d.act((a) => a.input(0));
  for (const sender of [0, 1]) d.from(sender, est(1, 0));
  d.from(0, coord(1, 0)); // member 0 coordinates round 1 of instance 0
  assert.deepEqual(d.sentOf('aux'), [aux(1, 0)]);
  for (const sender of [0, 1]) d.from(sender, aux(1, 0));
  assert.equal(d.agreement.round, 2, 'values {0} in round 1 (b = 1): est 0, next round');
  assert.equal(d.decision, null);

  // EST[1](1) reaches T only now. A member still in round 1 may need this relay for 1 to reach a
  // quorum in its bin_values, so leaving the round must not end the relay rule (DBFT, Fig. 1).
  d.from(1, est(1, 1));
  assert.ok(!d.sent.some((v) => v.type === 'est' && v.round === 1 && v.value === 1), 'below T: no relay');
  d.from(3, est(1, 1));
  assert.deepEqual(d.sentOf('est').filter((v) => v.round === 1), [est(1, 0), est(1, 1)]);
});

test('a member that decided still relays an EST of its decision round once it reaches T', () => {
  const d = new Driver();
  d.act((a) => a.input(1));
  for (const sender of [0, 1]) d.from(sender, est(1, 1));
  d.from(0, coord(1, 1));
  for (const sender of [0, 1]) d.from(sender, aux(1, 1));
  assert.equal(d.decision, 1, 'values {1} = b in round 1');
  d.from(1, est(1, 0));
  d.from(3, est(1, 0));
  assert.deepEqual(d.sentOf('est'), [est(1, 1), est(1, 0)]);
  d.from(3, est(2, 0));
  d.from(1, est(2, 0));
  assert.equal(d.sentOf('est').length, 2, 'rounds after the decision are DECIDED\'s: nothing more is sent');
});

/**
 * Five honest agreements and two Byzantine members (7 × weight 1: Q = 5, T = 3, honest weight is
 * exactly a quorum), messages delivered by hand. Byzantine votes are injected directly.
 */
class Mesh {
  private readonly nodes = new Map<number, { agreement: BinaryAgreement; own: Vote[]; decision: Bit | null }>();
  private readonly pending: { from: number; to: number; vote: Vote }[] = [];

  constructor(instance: number, honest: readonly number[]) {
    const { committee: seven } = makeCommittee([1n, 1n, 1n, 1n, 1n, 1n, 1n]);
    for (const i of honest) {
      const node = { agreement: null as unknown as BinaryAgreement, own: [] as Vote[], decision: null as Bit | null };
      const sink: AgreementSink = {
        broadcast: (message) => {
          node.own.push(message as Vote);
          for (const to of honest) if (to !== i) this.pending.push({ from: i, to, vote: message as Vote });
        },
        setRoundTimer: () => undefined,
        cancelRoundTimer: () => undefined,
        setGraceTimer: () => undefined,
        cancelGraceTimer: () => undefined,
        decided: (value) => (node.decision = value),
      };
      node.agreement = new BinaryAgreement(seven, instance, i, sink);
      this.nodes.set(i, node);
    }
  }

  act(i: number, action: (a: BinaryAgreement) => void): void {
    const node = this.nodes.get(i)!;
    action(node.agreement);
    for (let vote = node.own.shift(); vote !== undefined; vote = node.own.shift()) this.receive(i, i, vote);
  }

  /** A Byzantine member's vote, to the members listed. */
  byzantine(from: number, to: readonly number[], vote: Vote): void {
    for (const i of to) this.act(i, () => this.receive(i, from, vote));
  }

  /** Delivers pending messages that `pass` until none is left (new ones included). */
  deliver(pass: (m: { from: number; to: number; vote: Vote }) => boolean = () => true): void {
    for (let k = this.pending.findIndex(pass); k >= 0; k = this.pending.findIndex(pass)) {
      const [m] = this.pending.splice(k, 1);
      this.act(m!.to, () => this.receive(m!.to, m!.from, m!.vote));
    }
  }

  timer(i: number): void {
    this.act(i, (a) => a.onTimer(a.round));
  }

  agreement(i: number): BinaryAgreement {
    return this.nodes.get(i)!.agreement;
  }

  decision(i: number): Bit | null {
    return this.nodes.get(i)!.decision;
  }

  private receive(to: number, from: number, vote: Vote): void {
    const a = this.nodes.get(to)!.agreement;
    if (vote.type === 'est') a.onEst(from, vote.round, vote.value);
    else if (vote.type === 'coord') a.onCoord(from, vote.round, vote.value);
    else if (vote.type === 'aux') a.onAux(from, vote.round, vote.values);
    else a.onDecided(from, vote.round, vote.value);
  }
}

test('a round left early by one member still ends for the others: without late relays it deadlocks', () => {
  // Instance 5: its rounds 1 and 2 are coordinated by the Byzantine members 5 and 6, who send no
  // COORD, so AUX leave on timers. Honest: L = 0 (decides first), S = 1, A = 2, B = 3, C = 4.
  const [L, S, A, B, C] = [0, 1, 2, 3, 4];
  const honest = [L, S, A, B, C];
  const byz = [5, 6];
  const v = (round: number, value: Bit): Vote => ({ type: 'est', instance: 5, round, value });
  const m = new Mesh(5, honest);
  for (const [i, input] of [[L, 1], [S, 1], [C, 1], [A, 0], [B, 0]] as const) m.act(i, (a) => a.input(input));

  // Round 1: EST(1) everywhere (A and B relay it); L, S, C time out first and send AUX {1}; the
  // Byzantine members complete L's quorum of AUX {1}, so L decides 1 having never seen EST(0).
  for (const b of byz) m.byzantine(b, honest, v(1, 1));
  m.deliver(({ vote }) => vote.type === 'est' && vote.value === 1);
  for (const i of [L, S, C]) m.timer(i);
  m.deliver(({ to, vote }) => to === L && vote.type === 'aux');
  for (const b of byz) m.byzantine(b, [L], { type: 'aux', instance: 5, round: 1, values: [1] });
  assert.equal(m.decision(L), 1);

  // EST(0) from A and B, and from the Byzantine members to A, B and C only: 0 reaches a quorum at
  // A, B and C (5 with the Byzantine pair) but only 4 at S, which needs L's relay of it. A and B
  // time out with bin_values {0, 1}: their AUX {0, 1} counts at S only once 0 is in its bin_values.
  for (const b of byz) m.byzantine(b, [A, B, C], v(1, 0));
  m.deliver(({ to }) => to !== L);
  for (const i of [A, B]) m.timer(i);
  m.deliver(({ to }) => to !== L);
  assert.equal(m.agreement(S).round, 1, 'S lacks a quorum of AUX inside its bin_values');

  // Everything now flows (the Byzantine members stay silent). L left round 1 by deciding; its
  // DECIDED stands for it only from round 2 on. Only its late relay of EST[1](0) lets S finish
  // round 1 — and A, B, C need S's votes in round 2.
  for (let pass = 0; pass < 10 && honest.some((i) => m.decision(i) === null); pass++) {
    m.deliver();
    for (const i of honest) if (m.decision(i) === null) m.timer(i);
  }
  assert.deepEqual(honest.map((i) => m.decision(i)), [1, 1, 1, 1, 1]);
});

test('one Byzantine AUX({0,1}) delivered first cannot split a round whose coordinator is honest', () => {
  // Round 1 (parity b = 1), coordinator member 0 (honest) with value 0. This member estimates 0,
  // member 1 estimates 1, the Byzantine member 3 sends both, so bin_values = {0, 1} here.
  const d = new Driver();
  d.act((a) => a.input(0));
  d.from(0, est(1, 0));
  d.from(3, est(1, 0));
  d.from(1, est(1, 1));
  d.from(3, est(1, 1));
  d.from(0, { type: 'coord', instance: INSTANCE, round: 1, value: 0 });
  assert.deepEqual(d.sentOf('aux'), [aux(1, 0)], 'AUX({0}): the coordinator value is in bin_values');
  // The adversary delivers member 3's AUX({0,1}) before the honest AUX({0}) of member 1.
  d.from(3, aux(1, 0, 1));
  d.from(0, aux(1, 0));
  assert.equal(d.agreement.round, 1, 'a mixed quorum does not end the round while the timer runs');
  d.from(1, aux(1, 0));
  assert.equal(d.agreement.round, 2);
  assert.deepEqual(d.sentOf('est').at(-1), est(2, 0), 'est = the coordinator value, as at every honest member');
});

test('once the round timer has run out, a mixed quorum ends the round (liveness when the coordinator is not heard)', () => {
  const d = new Driver();
  d.act((a) => a.input(0));
  for (const sender of [0, 3]) d.from(sender, est(1, 0));
  for (const sender of [1, 3]) d.from(sender, est(1, 1));
  d.from(0, { type: 'coord', instance: INSTANCE, round: 1, value: 0 });
  d.from(3, aux(1, 0, 1));
  d.from(1, aux(1, 0, 1));
  assert.equal(d.agreement.round, 1);
  d.act((a) => a.onTimer(1));
  assert.equal(d.agreement.round, 2);
  assert.deepEqual(d.sentOf('est').at(-1), est(2, 1), 'values {0, 1}: est = b = 1');
});

test('catch-up waits its grace for the coordinator before sending bin_values', () => {
  const d = new Driver();
  d.act((a) => a.input(1));
  for (const sender of [0, 1]) d.from(sender, est(1, 1));
  assert.equal(d.sentOf('aux').length, 0);
  // Members 1 and 3 (weight >= T) are in round 2 already: catch-up, but no COORD yet.
  d.from(1, est(2, 1));
  d.from(3, est(2, 0));
  assert.equal(d.sentOf('aux').length, 0, 'no AUX before the grace ends or the COORD arrives');
  assert.deepEqual(d.graces, [1], 'the grace timer of round 1 is armed');
  d.act((a) => a.onGraceTimer(1));
  assert.deepEqual(d.sentOf('aux'), [aux(1, 1)], 'after the grace: AUX(bin_values)');
});
