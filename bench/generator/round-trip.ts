// A developer's round trip: one client sends one transaction, polls eth_getTransactionReceipt
// every ROUND_TRIP_POLL_MS until it is there, then sends the next; ROUND_TRIP_COUNT in a row on
// one keep-alive connection. What a test suite that deploys and calls contracts waits for.
import { BenchError } from '../errors.js';
import { HttpRpcClient } from '../rpc/http-client.js';
import type { Hex } from '../tx/accounts.js';
import { percentile } from './metrics.js';

export const ROUND_TRIP_COUNT = 40;
export const ROUND_TRIP_POLL_MS = 2;
/** A receipt not there after this long fails the phase (the node is not producing blocks). */
export const ROUND_TRIP_TIMEOUT_MS = 30_000;

export interface RoundTripFigures {
  readonly count: number;
  readonly p50Ms: number | null;
  readonly p90Ms: number | null;
  readonly maxMs: number | null;
  /** Every round trip in order, ms (send to receipt seen). */
  readonly samplesMs: readonly number[];
}

/** Sends `raws` one at a time to `endpoint`, each after the previous one's receipt. */
export async function measureRoundTrips(endpoint: string, raws: readonly { raw: Hex; hash: Hex }[], clock: () => number = () => performance.now()): Promise<RoundTripFigures> {
  const client = new HttpRpcClient(endpoint);
  const samples: number[] = [];
  try {
    for (const { raw, hash } of raws) {
      const sentAt = clock();
      await client.call('eth_sendRawTransaction', [raw]);
      for (;;) {
        const receipt = await client.call<{ status?: string } | null>('eth_getTransactionReceipt', [hash]);
        if (receipt !== null) break;
        if (clock() - sentAt > ROUND_TRIP_TIMEOUT_MS) throw new BenchError('RPC_ERROR', `no receipt for ${hash} within ${ROUND_TRIP_TIMEOUT_MS} ms at ${endpoint}; is the node producing blocks?`);
        await new Promise((r) => setTimeout(r, ROUND_TRIP_POLL_MS));
      }
      samples.push(clock() - sentAt);
    }
  } finally {
    client.close();
  }
  const sorted = Float64Array.from(samples).sort();
  return { count: samples.length, p50Ms: percentile(sorted, 0.5), p90Ms: percentile(sorted, 0.9), maxMs: percentile(sorted, 1), samplesMs: samples };
}
