import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { EventQueue, EventQueueFullError } from '../../src/sim/event-queue.js';

test('events come out by time, ties in insertion order, and the clock follows', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 200 }), (times) => {
      const q = new EventQueue<number>();
      times.forEach((t, i) => q.schedule(t, i));
      const expected = times.map((t, i) => ({ t, i })).sort((a, b) => a.t - b.t || a.i - b.i);
      for (const { t, i } of expected) {
        const next = q.next();
        assert.deepEqual(next, { timeMs: t, event: i });
        assert.equal(q.nowMs, t);
      }
      assert.equal(q.next(), undefined);
    }),
  );
});

test('an event scheduled in the past runs now, never before the clock', () => {
  const q = new EventQueue<string>();
  q.schedule(10, 'a');
  q.next();
  q.schedule(3, 'late');
  assert.deepEqual(q.next(), { timeMs: 10, event: 'late' });
});

test('the queue is bounded', () => {
  const q = new EventQueue<number>(3);
  q.schedule(1, 1);
  q.schedule(1, 2);
  q.schedule(1, 3);
  assert.throws(() => q.schedule(1, 4), EventQueueFullError);
  assert.throws(() => q.schedule(Number.NaN, 5), RangeError);
});
