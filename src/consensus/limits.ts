// Default timings and limits of the consensus core; each is overridable per core (CoreConfig).
// Relations between them are checked once in `resolveLimits`.
import type { CoreLimits, CoreTiming } from './types.js';

/** Bytes a receiver keeps per item in its evidence registry: leaf, commitment and bookkeeping (height.ts). */
export const RETAINED_BYTES_PER_ITEM = 128;
const SIGNATURE_BYTES_KEPT = 64;

/** Largest transaction accepted inside a batch: the chain's transaction size limit (chain/transactions.ts). */
export { MAX_TRANSACTION_BYTES } from '../chain/transactions.js';
/** Items one signed envelope may carry (an honest step produces a few per agreement instance). */
export const MAX_ITEMS_PER_MESSAGE = 16_384;
/** Largest committee the wire format addresses (u16 indices). */
export const MAX_COMMITTEE_SIZE = 65_535;
/** Bytes reserved in a message beside its batch: header, signature and the vote items of one step. */
export const MESSAGE_OVERHEAD_BYTES = 256 * 1024;
/** DBFT rounds an instance may reach; far beyond what any run after stabilisation needs. */
export const MAX_ROUND = 65_535;
/** Finished DBFT rounds of an instance in which a member still relays EST (agreement.ts, relayLate). */
export const RELAY_ROUNDS_KEPT = 4;
/** Heights kept after delivery to help laggards (docs/protocol.md: "at least the two previous heights"). */
export const RETAINED_HEIGHTS = 2;

/** The longest delay a host timer takes (Node's setTimeout treats anything longer as 1 ms). */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

export const DEFAULT_TIMING: CoreTiming = {
  roundTimeoutBaseMs: 200,
  roundTimeoutGrowth: 1.5,
  // Practically uncapped: the liveness bound after GST needs round timers that keep growing
  // (docs/decisions/0010); they only grow in an instance that runs many rounds (a long partition).
  roundTimeoutMaxMs: MAX_TIMER_DELAY_MS,
  resendIntervalMs: 2_000,
  fetchRetryMs: 500,
};

export const DEFAULT_MAX_BATCH_BYTES = 2 * 1024 * 1024;
/** Votes one honest member can sign per instance and height within the round lookahead: ECHO, READY, DECIDED, and per round EST twice, COORD, AUX. */
const HONEST_VOTES_PER_INSTANCE = (lookahead: number): number => 3 + 4 * lookahead;

export const DEFAULT_LIMITS: CoreLimits = {
  maxBatchBytes: DEFAULT_MAX_BATCH_BYTES,
  maxBatchTransactions: 10_000,
  maxMessageBytes: DEFAULT_MAX_BATCH_BYTES + MESSAGE_OVERHEAD_BYTES,
  futureHeightWindow: 8,
  futureBufferMaxBytes: 32 * 1024 * 1024,
  futureBufferMaxMessagesPerSender: 256,
  roundLookahead: 64,
  fetchFanout: 2,
  stateRepliesPerPeerHeight: 8,
  replyBytesPerPeerHeight: 3 * DEFAULT_MAX_BATCH_BYTES,
  futureBufferMaxBytesPerSender: 2 * (DEFAULT_MAX_BATCH_BYTES + MESSAGE_OVERHEAD_BYTES),
  retainedBytesPerInstance: RETAINED_BYTES_PER_ITEM * HONEST_VOTES_PER_INSTANCE(64) + 4 * SIGNATURE_BYTES_KEPT,
};

export class ConsensusConfigError extends Error {
  override readonly name = 'ConsensusConfigError';
}

export function resolveTiming(partial: Partial<CoreTiming> | undefined): CoreTiming {
  const timing = { ...DEFAULT_TIMING, ...partial };
  for (const [key, value] of Object.entries(timing)) {
    if (!Number.isFinite(value) || value <= 0) {
      throw new ConsensusConfigError(`timing.${key} must be a positive finite number, got ${value}`);
    }
  }
  if (timing.roundTimeoutMaxMs > MAX_TIMER_DELAY_MS || timing.resendIntervalMs > MAX_TIMER_DELAY_MS || timing.fetchRetryMs > MAX_TIMER_DELAY_MS) {
    throw new ConsensusConfigError(`timings must not exceed ${MAX_TIMER_DELAY_MS} ms (the longest host timer)`);
  }
  if (timing.roundTimeoutGrowth < 1) {
    throw new ConsensusConfigError(`timing.roundTimeoutGrowth must be >= 1 so timers never shrink, got ${timing.roundTimeoutGrowth}`);
  }
  return timing;
}

export function resolveLimits(partial: Partial<CoreLimits> | undefined): CoreLimits {
  const limits = { ...DEFAULT_LIMITS, ...partial };
  for (const [key, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new ConsensusConfigError(`limits.${key} must be a positive integer, got ${value}`);
    }
  }
  // What an honest member signs at one height must fit the budget a receiver keeps for it.
  if (limits.retainedBytesPerInstance < RETAINED_BYTES_PER_ITEM * HONEST_VOTES_PER_INSTANCE(limits.roundLookahead) + SIGNATURE_BYTES_KEPT) {
    throw new ConsensusConfigError(`limits.retainedBytesPerInstance must hold ${HONEST_VOTES_PER_INSTANCE(limits.roundLookahead)} votes of ${RETAINED_BYTES_PER_ITEM} bytes (the round lookahead's worth); raise it`);
  }
  // A laggard must be able to get one full batch and a height's votes from each peer it asks.
  if (limits.replyBytesPerPeerHeight < limits.maxBatchBytes + limits.maxBatchTransactions * 4 + MESSAGE_OVERHEAD_BYTES / 4) {
    throw new ConsensusConfigError('limits.replyBytesPerPeerHeight must exceed one full batch and a height of votes; raise it');
  }
  // A sender's future buffer must hold at least one full message, or an honest member ahead by a height could not be heard.
  if (limits.futureBufferMaxBytesPerSender < limits.maxMessageBytes || limits.futureBufferMaxBytesPerSender > limits.futureBufferMaxBytes) {
    throw new ConsensusConfigError('limits.futureBufferMaxBytesPerSender must lie between maxMessageBytes and futureBufferMaxBytes');
  }
  // A full batch must fit in one message, or an honest proposer could not send its own batch.
  if (limits.maxMessageBytes < limits.maxBatchBytes + 4 * limits.maxBatchTransactions + 1024) {
    throw new ConsensusConfigError(
      `limits.maxMessageBytes (${limits.maxMessageBytes}) must exceed maxBatchBytes plus per-transaction framing; raise it`,
    );
  }
  return limits;
}

/**
 * Catch-up waits at most this share of the round timer for the coordinator's value before sending
 * AUX(bin_values) (docs/decisions/0010): long enough to cover the Δ an adversary may hold COORD
 * back once timers have grown, short enough that laggards leave a bad round within a fraction of it.
 */
export const CATCH_UP_GRACE_DIVISOR = 4;

export function catchUpGraceMs(timing: CoreTiming, round: number): number {
  return Math.max(1, Math.round(roundTimeoutMs(timing, round) / CATCH_UP_GRACE_DIVISOR));
}

/** Round r's timer: base × growth^(r−1), capped (docs/protocol.md step 2: "its length grows with r"). */
export function roundTimeoutMs(timing: CoreTiming, round: number): number {
  const grown = timing.roundTimeoutBaseMs * Math.pow(timing.roundTimeoutGrowth, Math.min(round - 1, 64));
  return Math.min(timing.roundTimeoutMaxMs, Math.round(grown));
}
