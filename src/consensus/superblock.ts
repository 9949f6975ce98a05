// Superblock assembly (docs/design.md "Consensus" step 4, docs/protocol.md "Common subset"): the batches
// decided 1, in committee order; duplicate transactions keep their first occurrence; a digest that
// binds height, epoch and the included (proposer, batch digest) pairs; a weighted-median timestamp.
import { sha256 } from '../crypto/hash.js';
import { toHex, uintToBytes, utf8 } from '../crypto/bytes.js';
import type { Committee, Height, Superblock, SuperblockBatch } from './types.js';

const SUPERBLOCK_DOMAIN = utf8('synod/superblock/v1\0');

export function superblockDigest(height: Height, epoch: number, batches: readonly SuperblockBatch[]): Uint8Array {
  const parts: Uint8Array[] = [SUPERBLOCK_DOMAIN, uintToBytes(height, 8), uintToBytes(epoch, 8), uintToBytes(batches.length, 4)];
  for (const b of batches) parts.push(uintToBytes(b.proposer, 2), b.digest);
  return sha256(...parts);
}

/**
 * Weighted median of the included batches' timestamps: the first timestamp (in time order) at
 * which the included weight so far reaches half. Included weight is a quorum (> 2W/3) and the
 * Byzantine share is < W/3, so Byzantine clocks hold less than half of it and cannot move the
 * median outside the range of honest timestamps.
 */
export function weightedMedianTimestamp(committee: Committee, batches: readonly SuperblockBatch[]): number {
  if (batches.length === 0) return 0;
  const sorted = [...batches].sort((a, b) => a.timestampMs - b.timestampMs || a.proposer - b.proposer);
  const total = sorted.reduce((sum, b) => sum + committee.members[b.proposer]!.weight, 0n);
  let cumulative = 0n;
  for (const b of sorted) {
    cumulative += committee.members[b.proposer]!.weight;
    if (2n * cumulative >= total) return b.timestampMs;
  }
  return sorted[sorted.length - 1]!.timestampMs;
}

/** Assembles the superblock from the included batches (any order in; committee order out). */
export function assembleSuperblock(height: Height, committee: Committee, included: readonly SuperblockBatch[]): Superblock {
  const batches = [...included].sort((a, b) => a.proposer - b.proposer);
  const seen = new Set<string>();
  const transactions: Uint8Array[] = [];
  for (const batch of batches) {
    for (const tx of batch.transactions) {
      const key = toHex(tx);
      if (seen.has(key)) continue;
      seen.add(key);
      transactions.push(tx);
    }
  }
  return {
    height,
    epoch: committee.epoch,
    batches,
    transactions,
    digest: superblockDigest(height, committee.epoch, batches),
    timestampMs: weightedMedianTimestamp(committee, batches),
  };
}
