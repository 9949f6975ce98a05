// The node's Clock (src/node/clock.ts) on virtual time: timers are events in an EventQueue, so a
// node built over it runs deterministically, as fast as the CPU allows. The simulator shares one
// queue among all nodes of a run (`VirtualClock.over`); tests drive a clock of their own with
// `advance` and `settle`.
import type { CancelTimer, Clock } from '../node/clock.js';
import { EventQueue } from './event-queue.js';

/** Wall-clock time that virtual time 0 stands for (a node's timestamps are "real" dates). */
export const VIRTUAL_EPOCH_MS = 1_700_000_000_000;

interface TimerEvent {
  readonly run: () => void;
  cancelled: boolean;
}

export class VirtualClock implements Clock {
  private readonly queue = new EventQueue<TimerEvent>();
  private nowMs = 0;

  now(): number {
    return VIRTUAL_EPOCH_MS + this.nowMs;
  }

  /** Virtual milliseconds since the clock started. */
  get elapsedMs(): number {
    return this.nowMs;
  }

  setTimer(fn: () => void, delayMs: number): CancelTimer {
    const event: TimerEvent = { run: fn, cancelled: false };
    this.queue.schedule(this.nowMs + Math.max(0, delayMs), event);
    return () => {
      event.cancelled = true;
    };
  }

  defer(fn: () => void): void {
    this.queue.schedule(this.nowMs, { run: fn, cancelled: false });
  }

  /** Runs every timer due within `ms` from now, in order, then stands at now + ms. */
  advance(ms: number): void {
    const until = this.nowMs + ms;
    for (let next = this.queue.peekTimeMs(); next !== undefined && next <= until; next = this.queue.peekTimeMs()) {
      const { timeMs, event } = this.queue.next()!;
      this.nowMs = timeMs;
      if (!event.cancelled) event.run();
    }
    this.nowMs = until;
  }

  /**
   * Lets promises and deferred work run to completion at the current virtual time (what a turn of
   * the event loop does), `rounds` times: async code between timers (await chains) needs it.
   */
  async settle(rounds = 20): Promise<void> {
    for (let i = 0; i < rounds; i++) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      this.advance(0);
    }
  }
}
