// evm_mine's hook into proposal pacing: an idle member proposes at once instead of waiting for
// the empty-block interval, and only for the height it was asked for.
import test from 'node:test';
import assert from 'node:assert/strict';
import type { Clock } from '../../src/node/clock.js';
import { ProposalPacer } from '../../src/node/proposals.js';

function manualClock(): Clock & { timers: number } {
  const clock = {
    timers: 0,
    now: () => 0,
    setTimer: () => {
      clock.timers++;
      return () => undefined;
    },
    defer: () => undefined,
  };
  return clock;
}

test('proposeAtOnce proposes the pending height now, once; without a request it does nothing', () => {
  const proposed: number[] = [];
  const pacer = new ProposalPacer({ clock: manualClock(), emptyBlockIntervalMs: 3_600_000, takeBatch: () => [], propose: (height) => proposed.push(height) });
  pacer.proposeAtOnce();
  assert.deepEqual(proposed, []);
  pacer.requested(7);
  assert.deepEqual(proposed, [], 'idle: it would wait for the empty-block interval');
  pacer.proposeAtOnce();
  assert.deepEqual(proposed, [7]);
  pacer.proposeAtOnce();
  assert.deepEqual(proposed, [7], 'the height is under way: nothing more');
});
