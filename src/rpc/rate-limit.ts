// Per-client token buckets: each client address earns `requestsPerSecond` tokens a second and
// holds at most `burst`. A call costs its method's weight from METHOD_COST_TOKENS (one token for
// a cheap read, more for calls that run the EVM, scan logs or trace), and a batch costs the sum
// of its calls. Loopback is limited like any other address unless `exemptLoopback` is set: a
// same-host reverse proxy makes every client look like loopback. Client addresses come from the
// socket, never from X-Forwarded-For, which any client can forge.
import type { Clock } from './filters.js';

export const DEFAULT_RATE_LIMIT_REQUESTS_PER_SECOND = 1_000;
export const DEFAULT_RATE_LIMIT_BURST = 2_000;
/** Clients tracked at once; past it, the least recently seen are forgotten (a full bucket). */
export const MAX_RATE_LIMITED_CLIENTS = 65_536;
/** Tokens a method not in METHOD_COST_TOKENS costs: a read of one record. */
export const DEFAULT_METHOD_COST_TOKENS = 1;
/** Tokens per call of the methods that cost more than a plain read, roughly by the work they do. */
export const METHOD_COST_TOKENS: ReadonlyMap<string, number> = new Map([
  ['eth_call', 10],
  ['eth_estimateGas', 40], // a binary search of EVM runs
  ['eth_createAccessList', 40], // EVM runs until the list settles
  ['eth_getLogs', 20],
  ['eth_getFilterLogs', 20],
  ['eth_getFilterChanges', 2],
  ['eth_getProof', 10],
  ['eth_getBlockReceipts', 5],
  ['eth_getBlockByNumber', 2],
  ['eth_getBlockByHash', 2],
  ['eth_sendRawTransaction', 5],
  ['debug_traceTransaction', 200],
  ['debug_traceCall', 200],
  ['debug_traceBlockByNumber', 1_000], // every transaction of a block replayed and traced
  ['debug_traceBlockByHash', 1_000],
  ['eth_simulateV1', 100], // up to 256 blocks of calls, bounded by the gas cap
]);

/** The tokens one call of `method` takes. */
export function methodCostTokens(method: string): number {
  return METHOD_COST_TOKENS.get(method) ?? DEFAULT_METHOD_COST_TOKENS;
}

export interface RateLimitOptions {
  readonly requestsPerSecond: number;
  readonly burst: number;
  readonly exemptLoopback: boolean;
}

export const DEFAULT_RATE_LIMIT: RateLimitOptions = {
  requestsPerSecond: DEFAULT_RATE_LIMIT_REQUESTS_PER_SECOND,
  burst: DEFAULT_RATE_LIMIT_BURST,
  exemptLoopback: false,
};

interface Bucket {
  tokens: number;
  updatedMs: number;
}

export function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    readonly options: RateLimitOptions,
    private readonly clock: Clock,
  ) {
    if (!(options.requestsPerSecond > 0) || !(options.burst >= 1)) {
      throw new Error('rate limit needs requestsPerSecond > 0 and burst >= 1');
    }
  }

  /**
   * Takes `cost` tokens for `client`; false when it has fewer. A cost above the burst is charged
   * as the whole burst, so every method stays callable.
   */
  allow(client: string, cost = DEFAULT_METHOD_COST_TOKENS): boolean {
    if (this.options.exemptLoopback && isLoopback(client)) return true;
    const now = this.clock.nowMs();
    let bucket = this.buckets.get(client);
    if (bucket === undefined) {
      bucket = { tokens: this.options.burst, updatedMs: now };
      if (this.buckets.size >= MAX_RATE_LIMITED_CLIENTS) this.buckets.delete(this.buckets.keys().next().value as string);
    } else {
      this.buckets.delete(client); // re-inserted below: the map stays ordered by last use
      const refill = ((now - bucket.updatedMs) / 1000) * this.options.requestsPerSecond;
      bucket.tokens = Math.min(this.options.burst, bucket.tokens + refill);
      bucket.updatedMs = now;
    }
    this.buckets.set(client, bucket);
    const take = Math.min(cost, this.options.burst);
    if (bucket.tokens < take) return false;
    bucket.tokens -= take;
    return true;
  }
}
