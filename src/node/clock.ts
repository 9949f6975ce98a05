// Time as an input to the node: the wall clock and timers behind one interface, so that the
// simulator runs the node's own code (sync, proposal pacing, certificate collection) on a virtual
// clock. Only validator.ts (the process wiring) picks the system clock.

/** Cancels a timer; calling it after the timer fired, or twice, does nothing. */
export type CancelTimer = () => void;

export interface Clock {
  /** Milliseconds since the Unix epoch (virtual in the simulator). */
  now(): number;
  /** Runs `fn` once after `delayMs`; timers never keep the process alive. */
  setTimer(fn: () => void, delayMs: number): CancelTimer;
  /** Runs `fn` after the current task, before any timer (setImmediate in a process). */
  defer(fn: () => void): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(fn, delayMs) {
    const timer = setTimeout(fn, Math.max(0, delayMs));
    timer.unref?.();
    return () => clearTimeout(timer);
  },
  defer(fn) {
    setImmediate(fn);
  },
};

/** A timer that re-arms itself every `intervalMs` until cancelled. */
export function every(clock: Clock, intervalMs: number, fn: () => void): CancelTimer {
  let cancel: CancelTimer = () => undefined;
  let stopped = false;
  const arm = (): void => {
    cancel = clock.setTimer(() => {
      if (stopped) return;
      arm();
      fn();
    }, intervalMs);
  };
  arm();
  return () => {
    stopped = true;
    cancel();
  };
}
