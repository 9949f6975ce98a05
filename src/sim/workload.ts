// The honest members' transaction pools. Each request for a proposal first adds a few new
// transactions (random bytes tagged with member, height and a counter, so every one is unique),
// sometimes also handing a copy to a second member: the overlap that the superblock's
// de-duplication must absorb. A member removes what it delivers, so a transaction left out stays
// pending and is proposed again (the seed's "re-initiate"); nothing delivered is proposed again.
import { toHex, uintToBytes, concatBytes, utf8 } from '../crypto/bytes.js';
import type { Rng } from './random.js';

export const MAX_POOL_TRANSACTIONS = 4_096; // per member; beyond it new transactions are refused (counted)
export const MAX_BATCH_TRANSACTIONS_SIM = 64; // the simulator's batches stay small: it tests agreement, not bulk
export const TX_BODY_BYTES_MAX = 96;
const TX_TAG = utf8('sim-tx');

export interface WorkloadProfile {
  readonly newPerProposalMax: number; // each request adds 0..this new transactions
  readonly overlapRate: number; // chance a new transaction is also given to another member
}

export function drawWorkloadProfile(rng: Rng): WorkloadProfile {
  return { newPerProposalMax: rng.int(0, 6), overlapRate: rng.pick([0, 0.2, 0.5]) };
}

export class Workload {
  private readonly pools: Map<string, Uint8Array>[];
  private counter = 0;
  refused = 0;

  constructor(
    endpoints: number,
    private readonly profile: WorkloadProfile,
    private readonly rng: Rng,
    /** Endpoints that may receive overlapping copies (the honest ones). */
    private readonly sharers: readonly number[],
  ) {
    this.pools = Array.from({ length: endpoints }, () => new Map());
  }

  /** New transactions for `endpoint`, then up to a batch of its pending ones, oldest first. */
  proposal(endpoint: number, member: number, height: number): Uint8Array[] {
    const fresh = this.rng.int(0, this.profile.newPerProposalMax);
    for (let i = 0; i < fresh; i++) {
      const tx = this.newTransaction(member, height);
      this.add(endpoint, tx);
      if (this.sharers.length > 1 && this.rng.chance(this.profile.overlapRate)) this.add(this.rng.pick(this.sharers), tx);
    }
    return [...(this.pools[endpoint] as Map<string, Uint8Array>).values()].slice(0, MAX_BATCH_TRANSACTIONS_SIM);
  }

  /** `endpoint` delivered (or synced) these: they leave its pool for good. */
  delivered(endpoint: number, transactions: readonly Uint8Array[]): void {
    const pool = this.pools[endpoint] as Map<string, Uint8Array>;
    for (const tx of transactions) pool.delete(toHex(tx));
  }

  pending(endpoint: number): number {
    return (this.pools[endpoint] as Map<string, Uint8Array>).size;
  }

  private newTransaction(member: number, height: number): Uint8Array {
    const body = this.rng.bytes(this.rng.int(8, TX_BODY_BYTES_MAX));
    return concatBytes(TX_TAG, uintToBytes(member, 2), uintToBytes(height, 4), uintToBytes(this.counter++, 4), body);
  }

  private add(endpoint: number, tx: Uint8Array): void {
    const pool = this.pools[endpoint] as Map<string, Uint8Array>;
    if (pool.size >= MAX_POOL_TRANSACTIONS) {
      this.refused++;
      return;
    }
    pool.set(toHex(tx), tx);
  }
}
