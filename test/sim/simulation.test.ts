import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSimulation, type RunOutcome } from '../../src/sim/simulation.js';
import { judge } from '../../src/sim/verdict.js';
import { superblockFingerprint } from '../../src/sim/invariants.js';
import type { Scenario } from '../../src/sim/scenario.js';

const base: Scenario = { validators: 7, byzantine: 2, strategy: 'adversary', seed: 11, heights: 4, stakes: 'unequal', signatures: 'twin', network: 'hostile' };

function trace(outcome: RunOutcome): string {
  return JSON.stringify({
    endMs: outcome.endMs,
    events: outcome.events,
    messages: outcome.messages,
    bytes: outcome.bytes,
    drops: outcome.drops,
    delivered: outcome.endpoints.map((ep) => ep.delivered.map(superblockFingerprint)),
    at: outcome.endpoints.map((ep) => ep.deliveredAtMs),
  });
}

function assertClean(outcome: RunOutcome): void {
  const verdict = judge(outcome);
  assert.deepEqual([...verdict.safety, ...verdict.liveness], [], `stopped by ${outcome.stoppedBy}`);
  assert.equal(verdict.decidedHeights, outcome.scenario.heights);
}

test('a run replays bit for bit from its seed, and another seed gives another run', () => {
  const first = trace(runSimulation(base));
  assert.equal(trace(runSimulation(base)), first);
  assert.notEqual(trace(runSimulation({ ...base, seed: 12 })), first);
});

test('all honest on a synchronous network: every height decides, invariants hold', () => {
  const outcome = runSimulation({ ...base, byzantine: 0, network: 'synchronous' });
  assertClean(outcome);
  assert.equal(outcome.stoppedBy, 'done');
  for (const ep of outcome.endpoints) assert.equal(ep.delivered.length, base.heights);
});

test('silent members holding just under 1/3 of the weight do not stop the others', () => {
  assertClean(runSimulation({ ...base, strategy: 'silent', network: 'synchronous' }));
  assertClean(runSimulation({ ...base, strategy: 'silent' }));
});

test('crash-restart members resume from their journal and never disagree', () => {
  const outcome = runSimulation({ ...base, strategy: 'crash', heights: 6 });
  assertClean(outcome);
  assert.ok(outcome.crashes > 0, 'the run crashed someone');
});

test('equivocators are caught: evidence names only them', () => {
  const outcome = runSimulation({ ...base, strategy: 'equivocate', network: 'synchronous' });
  assertClean(outcome);
  assert.ok(outcome.evidence.length > 0, 'some honest member reported evidence');
  for (const e of outcome.evidence) assert.equal(outcome.committee.members[e.offender]?.behaviour, 'equivocate');
});

test('garbage is dropped by reason, and the run still decides', () => {
  const outcome = runSimulation({ ...base, strategy: 'garbage', network: 'synchronous' });
  assertClean(outcome);
  assert.ok(outcome.drops.malformed > 0 && outcome.drops['bad-signature'] > 0, JSON.stringify(outcome.drops));
});

test('replayed old messages are dropped as stale or duplicate', () => {
  const outcome = runSimulation({ ...base, strategy: 'replay', network: 'synchronous', heights: 6 });
  assertClean(outcome);
  assert.ok(outcome.drops['stale-height'] + outcome.drops.duplicate > 0, JSON.stringify(outcome.drops));
});

test('twins (two instances with one key) cannot split the honest members', () => {
  const outcome = runSimulation({ ...base, strategy: 'twins' });
  assertClean(outcome);
  assert.equal(outcome.endpoints.length, base.validators + base.byzantine);
});

test('real ed25519 signatures: same protocol, same verdict', () => {
  assertClean(runSimulation({ ...base, validators: 4, byzantine: 1, signatures: 'ed25519', heights: 3 }));
});

test('equal stakes work as well as unequal ones', () => {
  assertClean(runSimulation({ ...base, stakes: 'equal' }));
});

test('a run that cannot finish is reported as a liveness failure with its replay command', async () => {
  const { runOne } = await import('../../src/sim/swarm.js');
  const { synchronousProfile } = await import('../../src/sim/network.js');
  // A network that violates the model on purpose: everyone isolated far beyond the deadline.
  const cut = { ...synchronousProfile(10), partitions: [{ fromMs: 0, untilMs: 1e12, groupOf: [0, 1, 2, 3] }], gstMs: 1e12 };
  const scenario: Scenario = { ...base, validators: 4, byzantine: 1, heights: 2, seed: 77 };
  const { verdict, failure } = await runOne(scenario, { profile: cut, deadlineMs: 20_000 });
  assert.equal(verdict.decidedHeights, 0);
  assert.ok(failure !== undefined && failure.violations.every((v) => v.invariant === 'liveness'));
  assert.equal(failure.replay, 'synod sim --validators 4 --byzantine 1 --strategy adversary --seed 77 --heights 2 --signatures twin --layer consensus');
});
