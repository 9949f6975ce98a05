/**
 * Letting the simulated nodes' promise chains run to completion between two events of the virtual
 * clock, without a turn of the real event loop for each event.
 *
 * Nodes in the simulator take no real I/O and no real timers (their clock, network, stores and
 * engine are twins), so everything they start at an instant is a chain of promise reactions. A
 * `process.nextTick` queued from inside a promise reaction runs only once V8's microtask queue is
 * empty, reactions queued meanwhile included (Node drains the whole queue, then its tick queue,
 * and repeats), so awaiting it settles every chain. That costs a fraction of a microsecond; a
 * `setImmediate` costs a whole event-loop turn (an epoll wait, the check phase, perf hooks), which
 * was a third of a simulated run's wall time.
 *
 * The guarantee holds only after the caller's first `await` (from synchronous code a tick runs
 * before pending reactions), and a run must still let the real event loop breathe now and then
 * (a worker's messages, a terminal's writes): so the first event and every
 * `EVENT_LOOP_TURN_EVERY_EVENTS`-th take a real turn. The outcome is the same either way.
 */

/** How often a simulated run hands control back to the real event loop, in events. */
export const EVENT_LOOP_TURN_EVERY_EVENTS = 4096;

/** Resolves once every promise chain started so far has settled; `eventCount` counts from 1. */
export function settleAtThisInstant(eventCount: number): Promise<void> {
  if (eventCount <= 1 || eventCount % EVENT_LOOP_TURN_EVERY_EVENTS === 0) return new Promise<void>((resolve) => setImmediate(resolve));
  return new Promise<void>((resolve) => process.nextTick(resolve));
}
