// The node-level simulator: whole validator nodes (sync, certificates, proposal pacing, mempool
// admission, the consensus driver) over in-memory twins, against every Byzantine behaviour,
// honest crash-restarts and the adversarial scheduler. Each run must keep the consensus
// invariants and the chain's own (src/sim/invariants.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runNodeSimulation, type NodeRunOutcome } from '../../src/sim/node-simulation.js';
import { judge } from '../../src/sim/verdict.js';
import { BEHAVIOURS, type Scenario } from '../../src/sim/scenario.js';

const base: Scenario = { validators: 7, byzantine: 2, strategy: 'adversary', seed: 11, heights: 5, stakes: 'unequal', signatures: 'twin', network: 'hostile', layer: 'node' };

function trace(outcome: NodeRunOutcome): string {
  return JSON.stringify({
    endMs: outcome.endMs,
    events: outcome.events,
    messages: outcome.messages,
    chains: outcome.chains.map((c) => c.blocks.map((b) => b.hash)),
    at: outcome.chains.map((c) => c.blockAtMs),
  });
}

function assertClean(outcome: NodeRunOutcome): void {
  const verdict = judge(outcome);
  assert.deepEqual([...verdict.safety, ...verdict.liveness].map((v) => v.message), [], `stopped by ${outcome.stoppedBy}`);
  assert.equal(verdict.decidedHeights, outcome.scenario.heights);
}

test('a node-level run replays bit for bit from its seed', async () => {
  const first = trace(await runNodeSimulation(base));
  assert.equal(trace(await runNodeSimulation(base)), first);
  assert.notEqual(trace(await runNodeSimulation({ ...base, seed: 12 })), first);
});

for (const behaviour of BEHAVIOURS) {
  test(`node level: ${behaviour} members holding just under 1/3 of the weight keep every invariant`, async () => {
    const outcome = await runNodeSimulation({ ...base, strategy: behaviour, seed: 21 });
    assertClean(outcome);
    assert.ok(outcome.acknowledged > 0, 'clients had transactions accepted');
  });
}

test('transfers are applied once each, supply is conserved, and every durable head is certified', async () => {
  const outcome = await runNodeSimulation({ ...base, strategy: 'silent', network: 'synchronous', heights: 8 });
  assertClean(outcome);
  const applied = outcome.chains.find((c) => c.honest)!.blocks.reduce((n, b) => n + b.transactions.length, 0);
  assert.ok(applied > 0, 'blocks carried transfers');
  for (const chain of outcome.chains.filter((c) => c.honest)) assert.equal(chain.supply, outcome.expectedSupply);
});

test('an honest member that crashes and restarts from its journal and store rejoins without a fork', async () => {
  // Seeds whose run makes an honest member crash (half of them do): find the first one.
  for (let seed = 31; seed < 60; seed++) {
    const outcome = await runNodeSimulation({ ...base, strategy: 'silent', seed });
    if (!outcome.chains.some((c) => c.honest && c.crashed)) continue;
    assertClean(outcome);
    return;
  }
  assert.fail('no seed in 31..59 crashed an honest member');
});

test('liars (lying sync claims, forged sync bodies, malformed frames) cannot make a node store an uncertified block', async () => {
  for (const seed of [41, 42, 43]) {
    const outcome = await runNodeSimulation({ ...base, strategy: 'liar', seed, heights: 6 });
    assertClean(outcome);
    assert.deepEqual(outcome.fatal, [], 'no node halted');
  }
});

test('floods (unsolicited batches, fetch floods, far-future votes) stay within every byte budget', async () => {
  const outcome = await runNodeSimulation({ ...base, strategy: 'flood', seed: 51 });
  assertClean(outcome);
  assert.deepEqual(outcome.budgetViolations, []);
});

test('the adversarial scheduler (Byzantine first, victim last, quorum edge, split COORD) cannot stretch agreement past its round bound', async () => {
  for (const seed of [61, 62]) {
    const outcome = await runNodeSimulation({ ...base, seed, heights: 6 });
    assertClean(outcome);
    for (const chain of outcome.chains.filter((c) => c.honest && !c.crashed)) {
      for (const r of chain.rounds) if (r.startedMs >= outcome.profile.gstMs) assert.ok(r.maxRound <= outcome.roundBound);
    }
  }
});
