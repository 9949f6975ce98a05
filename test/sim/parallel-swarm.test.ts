// A swarm spread over worker threads gives exactly the one-thread swarm's verdicts, in seed order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { handOutOrder, runSwarmParallel } from '../../src/sim/parallel-swarm.js';
import { SCENARIO_DEFAULTS, type Scenario } from '../../src/sim/scenario.js';
import { runSwarm } from '../../src/sim/swarm.js';

test('a swarm over two threads equals the swarm in one, verdict by verdict', async () => {
  const base: Scenario = { ...SCENARIO_DEFAULTS, validators: 4, byzantine: 1, heights: 3, seed: 40, layer: 'node' };
  const progress: number[] = [];
  const [one, two] = [await runSwarm(base, 5), await runSwarmParallel(base, 5, 2, (done) => progress.push(done))];
  assert.deepEqual(two.verdicts, one.verdicts);
  assert.deepEqual(two.summary, one.summary);
  assert.deepEqual(two.failures, one.failures);
  assert.deepEqual(progress, [1, 2, 3, 4, 5]);
});

test('real-ed25519 seeds are handed out first, every seed exactly once', () => {
  const base: Scenario = { ...SCENARIO_DEFAULTS, validators: 4, byzantine: 1, heights: 3, seed: 5, layer: 'node' };
  const order = handOutOrder(base, 20); // seeds 5..24: 10 and 20 sign with real ed25519
  assert.deepEqual(order.slice(0, 2), [5, 15]);
  assert.deepEqual([...order].sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i));
  assert.deepEqual(handOutOrder({ ...base, signatures: 'twin' }, 4), [0, 1, 2, 3]);
});
