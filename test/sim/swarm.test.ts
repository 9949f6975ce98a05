// The bounded swarm `npm test` runs: every strategy over many seeds and committee sizes, every
// fault setting drawn from each seed. A failure prints the command that replays it.
// (`npm run sim:soak` runs thousands of seeds; docs/consensus.md has the figures.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { STRATEGIES, type Scenario } from '../../src/sim/scenario.js';
import { runSwarm } from '../../src/sim/swarm.js';

const SEEDS_PER_SHAPE = 10;
const SHAPES = [
  { validators: 4, byzantine: 1, heights: 4 },
  { validators: 7, byzantine: 2, heights: 3 },
  { validators: 10, byzantine: 3, heights: 3 },
] as const;

// liar and flood act on the node's own channels: the node-level runs (node-simulation.test.ts) test them.
for (const strategy of STRATEGIES.filter((s) => s !== 'liar' && s !== 'flood')) {
  test(`swarm: ${strategy} over ${SHAPES.length * SEEDS_PER_SHAPE} seeds keeps every invariant`, async () => {
    let runs = 0;
    const failures: string[] = [];
    for (const [k, shape] of SHAPES.entries()) {
      const base: Scenario = { ...shape, strategy, seed: 1_000 * (k + 1), stakes: k === 1 ? 'equal' : 'unequal', signatures: 'mixed', network: 'hostile' };
      const result = await runSwarm(base, SEEDS_PER_SHAPE);
      runs += result.summary.runs;
      for (const f of result.failures) failures.push(`${f.violations[0]?.message ?? ''}\n    replay: ${f.replay}`);
    }
    assert.equal(runs, SHAPES.length * SEEDS_PER_SHAPE);
    assert.deepEqual(failures, []);
  });
}
