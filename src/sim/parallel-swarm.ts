// A swarm over several cores: seeds are independent runs, so worker threads each take the next
// seed until none is left; verdicts come back in seed order, so the summary and the failures are
// exactly those of the one-thread swarm (runSwarm), only sooner. Seeds are handed out costliest
// first (runs with real ed25519 take several times a twin run), so that no long run starts last
// and leaves the other cores idle at the end.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Scenario } from './scenario.js';
import { MAX_FAILURES_KEPT, runSwarm, summarize, type FailedRun, type SwarmProgress, type SwarmResult } from './swarm.js';
import type { RunVerdict } from './verdict.js';
import { signaturesOf } from './signatures.js';

/** From source the worker boots through tsx (swarm-worker-boot.mjs); from dist/ the compiled worker runs as it is. */
const WORKER_URL = new URL(import.meta.url.endsWith('.ts') ? './swarm-worker-boot.mjs' : './swarm-worker.js', import.meta.url);
/** A worker's young generation: the runs allocate many short-lived objects (fewer scavenges). */
const WORKER_YOUNG_GENERATION_MB = 64;

type WorkerReply =
  | { readonly seed: number; readonly verdict: RunVerdict; readonly failure: FailedRun | undefined }
  | { readonly seed: number; readonly error: string };

/** Threads a swarm of `seeds` runs uses by default: one per core, never more than runs. */
export function defaultSwarmJobs(seeds: number): number {
  return Math.max(1, Math.min(availableParallelism(), seeds));
}

/** Offsets of a swarm's seeds in the order they are handed out: real-ed25519 runs first, each group in seed order. */
export function handOutOrder(base: Scenario, seeds: number): number[] {
  const offsets = Array.from({ length: seeds }, (_, i) => i);
  const costly = offsets.filter((i) => signaturesOf({ ...base, seed: base.seed + i }) === 'ed25519');
  return [...costly, ...offsets.filter((i) => signaturesOf({ ...base, seed: base.seed + i }) !== 'ed25519')];
}

export async function runSwarmParallel(base: Scenario, seeds: number, jobs: number, progress?: SwarmProgress): Promise<SwarmResult> {
  if (jobs <= 1 || seeds <= 1) return runSwarm(base, seeds, progress);
  const verdicts: (RunVerdict | undefined)[] = new Array<RunVerdict | undefined>(seeds).fill(undefined);
  const failuresBySeed = new Map<number, FailedRun>();
  const order = handOutOrder(base, seeds);
  let next = 0;
  let done = 0;
  let failed = 0;
  const workers = Array.from({ length: Math.min(jobs, seeds) }, () => new Worker(WORKER_URL, { resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } }));
  try {
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            const handOut = (): void => {
              if (next >= seeds) return resolve();
              worker.postMessage({ ...base, seed: base.seed + order[next++]! } satisfies Scenario);
            };
            worker.on('message', (reply: WorkerReply) => {
              if ('error' in reply) return reject(new Error(`simulator run of seed ${reply.seed} failed: ${reply.error}`));
              verdicts[reply.seed - base.seed] = reply.verdict;
              done++;
              if (reply.failure !== undefined) {
                failed++;
                failuresBySeed.set(reply.seed, reply.failure);
              }
              progress?.(done, seeds, failed, reply.failure);
              handOut();
            });
            worker.on('error', reject);
            worker.on('exit', (code) => (next >= seeds && done >= seeds ? resolve() : reject(new Error(`simulator worker exited with code ${code}`))));
            handOut();
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  const all = verdicts.map((v, i) => {
    if (v === undefined) throw new Error(`simulator run of seed ${base.seed + i} never reported`);
    return v;
  });
  const failures = [...failuresBySeed.entries()].sort((a, b) => a[0] - b[0]).slice(0, MAX_FAILURES_KEPT).map(([, f]) => f);
  return { summary: summarize(all), failures, verdicts: all };
}
