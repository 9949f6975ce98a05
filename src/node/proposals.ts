// Proposal pacing and proposal limits. The core asks for this member's batch of a height
// ('requestProposal'); the member answers at once when it has transactions, or when another member
// already works on that height (its votes arrived), and otherwise after the empty-block interval,
// so an idle chain still moves at a fixed cadence (epochs and governance delays count heights).
import type { Clock, CancelTimer } from './clock.js';

/** With nothing to propose, a member waits this long before proposing an empty batch. */
export const EMPTY_BLOCK_INTERVAL_MS = 1_000;
/** Bounds of a genesis's `emptyBlockIntervalMs`: below the lower one idle heights would cost more than they give. */
export const MIN_EMPTY_BLOCK_INTERVAL_MS = 100;
export const MAX_EMPTY_BLOCK_INTERVAL_MS = 3_600_000;
if (EMPTY_BLOCK_INTERVAL_MS < MIN_EMPTY_BLOCK_INTERVAL_MS || EMPTY_BLOCK_INTERVAL_MS > MAX_EMPTY_BLOCK_INTERVAL_MS) throw new Error('EMPTY_BLOCK_INTERVAL_MS outside its bounds');
/** Largest batch a member proposes (transactions, bytes); its gas is its share of the block's. */
export const MAX_PROPOSAL_TRANSACTIONS = 5_000;
export const MAX_PROPOSAL_BYTES = 1_500_000;

/** A member's batch may use 1/K of the block's gas; the pool, which refuses larger transactions, owns the formula. */
export { proposalGasShare } from '../mempool/index.js';

export interface ProposalPacerOptions {
  readonly clock: Clock;
  readonly emptyBlockIntervalMs: number;
  /** This member's batch for `height` (empty when it has nothing, or when it is an observer). */
  readonly takeBatch: (height: number) => Uint8Array[];
  /** Hands the batch to consensus. */
  readonly propose: (height: number, batch: readonly Uint8Array[], timestampMs: number) => void;
}

interface Pending {
  readonly height: number;
  readonly requestedAtMs: number;
  readonly cancel: CancelTimer;
}

export class ProposalPacer {
  private pending: Pending | undefined;
  private checkScheduled = false;
  /** When each height was asked for, for the finality-latency metric (only heights in flight). */
  private readonly requestedMs = new Map<number, number>();
  private stopped = false;

  constructor(private readonly options: ProposalPacerOptions) {}

  /** The core asks for this member's batch of `height`. */
  requested(height: number): void {
    this.pending?.cancel();
    const cancel = this.options.clock.setTimer(() => this.proposeNow(height), this.options.emptyBlockIntervalMs);
    this.pending = { height, requestedAtMs: this.options.clock.now(), cancel };
    this.transactionsAvailable();
  }

  /** Transactions may have arrived (the mempool grew, or a block freed nonces): propose them at once. */
  transactionsAvailable(): void {
    if (this.checkScheduled || this.pending === undefined || this.stopped) return;
    this.checkScheduled = true;
    this.options.clock.defer(() => {
      this.checkScheduled = false;
      const pending = this.pending;
      if (pending === undefined || this.stopped) return;
      const batch = this.options.takeBatch(pending.height);
      if (batch.length > 0) this.proposeNow(pending.height, batch);
    });
  }

  /** Another member already votes at `height`: join at once, with whatever we have. */
  peerWorkingOn(height: number | undefined): void {
    if (this.pending !== undefined && height === this.pending.height) this.proposeNow(height);
  }

  /**
   * evm_mine: propose the height asked for now, with what the pool holds (maybe nothing), instead
   * of after the empty-block interval; the other members join at once when its votes reach them.
   * Nothing to do when this member already proposed (the height is under way) or is not asked.
   */
  proposeAtOnce(): void {
    if (this.pending !== undefined) this.proposeNow(this.pending.height);
  }

  /** When `height` was asked for (and forgets it), for the finality-latency metric. */
  takeRequestedAt(height: number): number | undefined {
    const at = this.requestedMs.get(height);
    this.requestedMs.delete(height);
    return at;
  }

  stop(): void {
    this.stopped = true;
    this.pending?.cancel();
    this.pending = undefined;
  }

  private proposeNow(height: number, batch?: Uint8Array[]): void {
    const pending = this.pending;
    if (pending === undefined || pending.height !== height || this.stopped) return;
    pending.cancel();
    this.pending = undefined;
    this.requestedMs.set(height, pending.requestedAtMs);
    if (this.requestedMs.size > 64) this.requestedMs.delete(this.requestedMs.keys().next().value!);
    this.options.propose(height, batch ?? this.options.takeBatch(height), this.options.clock.now());
  }
}
