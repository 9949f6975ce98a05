// Finds the block of every submitted transaction after a phase, from block bodies fetched in
// batches (eth_getBlockByNumber with hashes only), and turns block-seen times into each
// transaction's submit-to-inclusion latency.
import type { HttpRpcClient } from '../rpc/http-client.js';
import type { BlockWatcher } from '../rpc/block-watcher.js';
import type { SubmitRecord } from './load.js';

/** Block bodies per eth_getBlockByNumber batch. */
export const BLOCKS_PER_FETCH = 100;
/** Poll period while waiting for the last transactions of a phase to be included. */
export const DRAIN_POLL_MS = 50;
/** A drain that includes nothing for this long calls the target's `nudge` (if it has one). */
export const DRAIN_STALL_MS = 500;

export interface Inclusion {
  /** Clock time the transaction's block was first seen; NaN if not included. */
  readonly includedMs: Float64Array;
  readonly includedCount: number;
  /**
   * From the end of the phase's submissions to the moment its last accepted transaction's block
   * was seen (0 if everything was in before the phase ended); null if some were still missing
   * when the drain timeout ran out.
   */
  readonly drainMs: number | null;
  /** Times the target's `nudge` was called because the drain stalled. */
  readonly nudges: number;
}

export class BlockIndex {
  private fetchedUpTo: number;
  private readonly blockOf = new Map<string, number>();

  constructor(
    private readonly client: HttpRpcClient,
    /** Blocks at or below this number predate the phase and are never fetched. */
    fromBlockExclusive: number,
  ) {
    this.fetchedUpTo = fromBlockExclusive;
  }

  /** Fetches every block up to `upTo` not fetched yet and places the transactions in `wanted`. */
  async catchUp(upTo: number, wanted: ReadonlySet<string>): Promise<void> {
    while (this.fetchedUpTo < upTo) {
      const from = this.fetchedUpTo + 1;
      const to = Math.min(upTo, from + BLOCKS_PER_FETCH - 1);
      const reqs = [];
      for (let n = from; n <= to; n++) reqs.push({ method: 'eth_getBlockByNumber', params: [`0x${n.toString(16)}`, false] });
      const answers = await this.client.batch(reqs);
      answers.forEach((a, k) => {
        const block = a.ok ? (a.result as { transactions?: string[] } | null) : null;
        for (const h of block?.transactions ?? []) if (wanted.has(h.toLowerCase())) this.blockOf.set(h.toLowerCase(), from + k);
      });
      this.fetchedUpTo = to;
    }
  }

  blockOfTx(hash: string): number | undefined {
    return this.blockOf.get(hash.toLowerCase());
  }

  placed(): number {
    return this.blockOf.size;
  }
}

/**
 * Waits until every accepted transaction has landed (at most `drainTimeoutMs`), so that the
 * next phase starts on an empty pool, then computes inclusion times.
 */
export async function resolveInclusion(
  record: SubmitRecord,
  index: BlockIndex,
  watcher: BlockWatcher,
  drainTimeoutMs: number,
  clock: () => number,
  nudge?: () => Promise<void>,
): Promise<Inclusion> {
  const wanted = new Set<string>();
  record.hashes.forEach((h, i) => {
    if (!Number.isNaN(record.submitMs[i]) && !record.refused[i]) wanted.add(h.toLowerCase());
  });
  const deadline = clock() + drainTimeoutMs;
  let placed = -1;
  let progressAt = clock();
  let nudges = 0;
  for (;;) {
    await index.catchUp(watcher.latest(), wanted);
    if (index.placed() >= wanted.size || clock() >= deadline) break;
    if (index.placed() !== placed) {
      placed = index.placed();
      progressAt = clock();
    } else if (nudge !== undefined && clock() - progressAt >= DRAIN_STALL_MS) {
      await nudge();
      nudges++;
      progressAt = clock();
    }
    await new Promise((r) => setTimeout(r, DRAIN_POLL_MS));
  }
  const includedMs = new Float64Array(record.hashes.length).fill(Number.NaN);
  let includedCount = 0;
  let lastMs = record.endMs;
  record.hashes.forEach((h, i) => {
    const n = index.blockOfTx(h);
    const at = n === undefined ? undefined : watcher.seenAtMs(n);
    if (at !== undefined && !Number.isNaN(record.submitMs[i])) {
      includedMs[i] = at;
      includedCount++;
      if (at > lastMs) lastMs = at;
    }
  });
  const drained = index.placed() >= wanted.size;
  return { includedMs, includedCount, drainMs: drained ? lastMs - record.endMs : null, nudges };
}
