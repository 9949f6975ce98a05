// The execution pipeline: delivered heights run one at a time in order, at most N behind the
// core; their transactions are known to be in flight until they ran; a failure stops the rest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Hex } from '../../src/chain/types.js';
import { ExecutionPipeline } from '../../src/node/execution-pipeline.js';

const hash = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as Hex;

/** A run that finishes only when released, recording when it starts and ends. */
function gate(log: string[], name: string) {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  return {
    release,
    run: async () => {
      log.push(`start ${name}`);
      await released;
      log.push(`end ${name}`);
    },
  };
}

test('heights run in order, one at a time, and their transactions are in flight until they ran', async () => {
  const log: string[] = [];
  const pipeline = new ExecutionPipeline(() => assert.fail('no failure expected'), 2);
  const [a, b] = [gate(log, 'a'), gate(log, 'b')];
  await pipeline.submit(1, new Set([hash(1)]), a.run);
  await pipeline.submit(2, new Set([hash(2)]), b.run);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(log, ['start a'], 'b waits for a');
  assert.ok(pipeline.holds(hash(1)) && pipeline.holds(hash(2)) && !pipeline.holds(hash(3)));
  a.release();
  b.release();
  await pipeline.idle();
  assert.deepEqual(log, ['start a', 'end a', 'start b', 'end b']);
  assert.equal(pipeline.size, 0);
  assert.ok(!pipeline.holds(hash(1)) && !pipeline.holds(hash(2)));
});

test('a delivery beyond the bound waits until the oldest height has run', async () => {
  const log: string[] = [];
  const pipeline = new ExecutionPipeline(() => assert.fail('no failure expected'), 1);
  const [a, b] = [gate(log, 'a'), gate(log, 'b')];
  await pipeline.submit(1, new Set(), a.run);
  let queued = false;
  const second = pipeline.submit(2, new Set(), b.run).then(() => (queued = true));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(queued, false, 'the second delivery is held back');
  a.release();
  await second;
  assert.equal(queued, true);
  b.release();
  await pipeline.idle();
  assert.deepEqual(log, ['start a', 'end a', 'start b', 'end b']);
});

test('after a failure no later height runs, and the failure is reported once', async () => {
  const failures: unknown[] = [];
  const ran: number[] = [];
  const pipeline = new ExecutionPipeline((error) => failures.push(error), 3);
  await pipeline.submit(1, new Set(), async () => {
    ran.push(1);
    throw new Error('disk full');
  });
  await pipeline.submit(2, new Set(), async () => void ran.push(2));
  await pipeline.submit(3, new Set(), async () => void ran.push(3));
  await pipeline.idle();
  assert.deepEqual(ran, [1]);
  assert.equal(failures.length, 1);
  assert.match(String(failures[0]), /disk full/);
});
