// Per-client token buckets: each client address may make `requestsPerSecond` calls a second on
// average and `burst` at once. A batch costs one token per call. Loopback is exempt by default,
// so local tools and benchmarks against a devnet are never throttled; client addresses come from
// the socket, never from X-Forwarded-For, which any client can forge.
import type { Clock } from './filters.js';

export const DEFAULT_RATE_LIMIT_REQUESTS_PER_SECOND = 1_000;
export const DEFAULT_RATE_LIMIT_BURST = 2_000;
/** Clients tracked at once; past it, the least recently seen are forgotten (a full bucket). */
export const MAX_RATE_LIMITED_CLIENTS = 65_536;

export interface RateLimitOptions {
  readonly requestsPerSecond: number;
  readonly burst: number;
  readonly exemptLoopback: boolean;
}

export const DEFAULT_RATE_LIMIT: RateLimitOptions = {
  requestsPerSecond: DEFAULT_RATE_LIMIT_REQUESTS_PER_SECOND,
  burst: DEFAULT_RATE_LIMIT_BURST,
  exemptLoopback: true,
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

  /** Takes one token for `client`; false when the client is over its rate. */
  allow(client: string): boolean {
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
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}
