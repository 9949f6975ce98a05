// The DBFT binary agreement alone, driven message by message. These pin the DECIDED helping rule
// (decision 0001, "Helping rule"): a member that sees a weak threshold of DECIDED may stop voting
// only in rounds its own DECIDED stands for. The 10,000-seed soak found four seeds (701, 849,
// 1155, 1185) where a member broke that and the members still in its round could never gather a
// quorum of AUX; test/consensus/soak-regressions.test.ts replays them end to end.
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
