// A swarm spread over worker threads gives exactly the one-thread swarm's verdicts, in seed order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSwarmParallel } from '../../src/sim/parallel-swarm.js';
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
