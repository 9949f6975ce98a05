// The liveness bound the simulator checks after GST, derived from the core's timers and the
// network's delay bound delta. It is stated, not tuned: a run that needs longer is a failure.
//
// After GST every message between live honest members takes at most delta. A height then needs:
// - the core's resend interval (a member may have lost messages before GST and waits that long to
//   re-broadcast its votes and ask for the others'), plus the simulator's sync interval for members
//   that fell more than a height behind;
// - the reliable broadcast of the batches and a fetch retry: a few delta plus fetchRetryMs;
// - the binary agreements: round timers grow until one exceeds the time a round's messages need
//   (4 delta is generous); from then, the first round with an honest coordinator decides within two
//   rounds. Coordinators rotate by index, so at most F consecutive rounds have Byzantine ones.
import { CATCH_UP_GRACE_DIVISOR, roundTimeoutMs } from '../consensus/limits.js';
import type { CoreTiming } from '../consensus/types.js';

export const ROUND_MESSAGE_DELAYS = 4; // EST, relay, COORD/AUX, DECIDED: the messages one round waits for
export const HEIGHT_FIXED_MESSAGE_DELAYS = 12; // propose, echo, ready, fetch and its reply, proposal request, slack
export const MAX_ROUNDS_COUNTED = 10_000;

export interface BoundInputs {
  readonly timing: CoreTiming;
  readonly deltaMs: number;
  readonly byzantineMembers: number;
  readonly syncIntervalMs: number;
}

export function perHeightBoundMs({ timing, deltaMs, byzantineMembers, syncIntervalMs }: BoundInputs): number {
  let firstLongEnough = 1;
  while (roundTimeoutMs(timing, firstLongEnough) < ROUND_MESSAGE_DELAYS * deltaMs && firstLongEnough < MAX_ROUNDS_COUNTED) firstLongEnough++;
  const rounds = firstLongEnough + byzantineMembers + 2;
  let agreementMs = 0;
  for (let r = 1; r <= rounds; r++) agreementMs += roundTimeoutMs(timing, r) + ROUND_MESSAGE_DELAYS * deltaMs;
  return timing.resendIntervalMs + syncIntervalMs + timing.fetchRetryMs + HEIGHT_FIXED_MESSAGE_DELAYS * deltaMs + agreementMs;
}

/**
 * The round by which every binary agreement of a height that started after GST decides
 * (docs/decisions/0010, Theorem): r* + F + 1 with r* the first round r >= 2 whose previous round's
 * catch-up grace G satisfies (g − 1)·G >= 9·delta; coordinators rotate, so within F + 1 rounds one
 * is honest, and the instance decides then or in the next round.
 */
export function maxDecisionRound({ timing, deltaMs, byzantineMembers }: Omit<BoundInputs, 'syncIntervalMs'>): number {
  const growth = timing.roundTimeoutGrowth;
  let r = 2;
  while (r < MAX_ROUNDS_COUNTED && (growth - 1) * (roundTimeoutMs(timing, r - 1) / CATCH_UP_GRACE_DIVISOR) < 9 * deltaMs) r++;
  return r + byzantineMembers + 1;
}
