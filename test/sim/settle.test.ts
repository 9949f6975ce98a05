// Between two events of the virtual clock every promise chain the nodes started must have run to
// its end, whether the simulator yields by a tick or by a real turn of the event loop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EVENT_LOOP_TURN_EVERY_EVENTS, settleAtThisInstant } from '../../src/sim/settle.js';

/** A chain of `depth` awaits, each queuing the next reaction only when the previous has run. */
async function chain(depth: number, log: number[]): Promise<void> {
  for (let i = 0; i < depth; i++) {
    await Promise.resolve();
    log.push(i);
  }
}

test('every chain started before settling has finished when it resolves, at every event count', async () => {
  await Promise.resolve(); // as in the simulator's loop: after its first await
  for (const events of [1, 2, 3, EVENT_LOOP_TURN_EVERY_EVENTS - 1, EVENT_LOOP_TURN_EVERY_EVENTS, EVENT_LOOP_TURN_EVERY_EVENTS + 1]) {
    const log: number[] = [];
    const started = [chain(500, log), Promise.resolve().then(() => chain(50, log))]; // the second: a chain started from a chain
    await settleAtThisInstant(events);
    assert.equal(log.length, 550, `after event ${events}`);
    await Promise.all(started);
  }
});

test('a tick-settled run still hands the real event loop a turn now and then', async () => {
  await Promise.resolve();
  let immediateRan = false;
  setImmediate(() => (immediateRan = true));
  for (let events = 2; events < EVENT_LOOP_TURN_EVERY_EVENTS && !immediateRan; events++) await settleAtThisInstant(events);
  assert.equal(immediateRan, false, 'ticks alone never reach the event loop');
  await settleAtThisInstant(EVENT_LOOP_TURN_EVERY_EVENTS);
  assert.equal(immediateRan, true);
});
