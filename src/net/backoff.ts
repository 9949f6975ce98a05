// Reconnect delay: exponential in the number of failed attempts, capped, with "equal jitter"
// (half fixed, half random) so peers that lost each other at the same moment do not redial in
// lockstep, yet no retry comes sooner than half the nominal delay.

export interface BackoffPolicy {
  readonly reconnectInitialDelayMs: number;
  readonly reconnectMaxDelayMs: number;
}

/** Exponent cap: 2^30 already exceeds any sane maximum delay, and keeps the math in range. */
const MAX_BACKOFF_EXPONENT = 30;

/** @param attempt failed attempts so far (0 for the first retry); @param random in [0, 1). */
export function reconnectDelayMs(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const exponent = Math.min(Math.max(0, attempt), MAX_BACKOFF_EXPONENT);
  const nominal = Math.min(policy.reconnectMaxDelayMs, policy.reconnectInitialDelayMs * 2 ** exponent);
  const half = nominal / 2;
  return Math.round(half + random() * half);
}
