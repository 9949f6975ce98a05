// A swarm worker thread: runs the seeds it is handed, one at a time, and reports each verdict.
import { parentPort } from 'node:worker_threads';
import type { Scenario } from './scenario.js';
import { runOne } from './swarm.js';

const port = parentPort;
if (port === null) throw new Error('src/sim/swarm-worker.ts runs as a worker thread (see parallel-swarm.ts)');
port.on('message', (scenario: Scenario) => {
  runOne(scenario).then(
    (outcome) => port.postMessage({ seed: scenario.seed, ...outcome }),
    (error: unknown) => port.postMessage({ seed: scenario.seed, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  );
});
