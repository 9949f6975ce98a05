// Registers fuzz targets as node:test tests: a bounded run inside `npm test`. A failure prints
// fast-check's seed and path; `npm run fuzz -- --only <name> --seed <seed>` replays it.
import test from 'node:test';
import fc from 'fast-check';
import { TEST_RUNS_PER_TARGET, runOptions, type FuzzTarget } from './harness.js';

/** SYNOD_FUZZ_SEED fixes the seed of every target (to replay a failure seen in the suite). */
const SEED = process.env.SYNOD_FUZZ_SEED === undefined ? undefined : Number(process.env.SYNOD_FUZZ_SEED);

/** A bounded run that has not finished within this long is hung somewhere (it takes seconds). */
const TARGET_HANG_MS = 180_000;

export function testTargets(targets: readonly FuzzTarget[], runs = TEST_RUNS_PER_TARGET): void {
  for (const target of targets) {
    test(`fuzz ${target.name}: ${runs} inputs give a value or a typed error`, { timeout: TARGET_HANG_MS }, async () => {
      await fc.assert(target.property(() => undefined), runOptions(runs, SEED));
    });
  }
}
