// Per-client accounting: what one client address (the socket's remote address, never
// X-Forwarded-For) holds at once across HTTP and WebSocket: connections, requests in progress,
// polling filters, subscriptions, and the log criteria (addresses and topic alternatives) those
// filters and subscriptions make the node match. One client filling a node-wide table would
// otherwise lock everyone else out of it.
import { limitExceeded } from './errors.js';
import type { LogCriteria } from './logs.js';

/** WebSocket connections one client address may hold (geth has no cap; Besu caps node-wide). */
export const MAX_WS_CONNECTIONS_PER_CLIENT = 32;
/** HTTP requests plus WebSocket messages one client may have in progress at once. */
export const MAX_REQUESTS_IN_FLIGHT_PER_CLIENT = 1_024;
/** Polling filters one client may hold (of MAX_FILTERS node-wide). */
export const MAX_FILTERS_PER_CLIENT = 1_000;
/** eth_subscribe subscriptions one client may hold over all its connections. */
export const MAX_SUBSCRIPTIONS_PER_CLIENT = 1_024;
/**
 * Addresses plus topic alternatives summed over one client's log filters and log
 * subscriptions: a filter naming 1,000 addresses costs 1,000 of these, a plain one none.
 */
export const MAX_LOG_CRITERIA_PER_CLIENT = 10_000;

export interface ClientLimits {
  readonly maxWsConnectionsPerClient: number;
  readonly maxRequestsInFlightPerClient: number;
  readonly maxFiltersPerClient: number;
  readonly maxSubscriptionsPerClient: number;
  readonly maxLogCriteriaPerClient: number;
}

export const DEFAULT_CLIENT_LIMITS: ClientLimits = {
  maxWsConnectionsPerClient: MAX_WS_CONNECTIONS_PER_CLIENT,
  maxRequestsInFlightPerClient: MAX_REQUESTS_IN_FLIGHT_PER_CLIENT,
  maxFiltersPerClient: MAX_FILTERS_PER_CLIENT,
  maxSubscriptionsPerClient: MAX_SUBSCRIPTIONS_PER_CLIENT,
  maxLogCriteriaPerClient: MAX_LOG_CRITERIA_PER_CLIENT,
};

/** How many criteria a filter or subscription makes the node match: addresses + topic alternatives. */
export function criteriaWeight(criteria: LogCriteria): number {
  let weight = criteria.addresses?.length ?? 0;
  for (const position of criteria.topics ?? []) {
    if (position === null) continue;
    weight += typeof position === 'string' ? 1 : position.length;
  }
  return weight;
}

/** What a filter or subscription holds of its owner's budget; give it back with release(). */
export interface Reservation {
  readonly client: string;
  readonly kind: 'filter' | 'subscription';
  readonly criteria: number;
}

interface Usage {
  wsConnections: number;
  requestsInFlight: number;
  filters: number;
  subscriptions: number;
  criteria: number;
}

export class ClientRegistry {
  private readonly usage = new Map<string, Usage>();

  constructor(readonly limits: ClientLimits = DEFAULT_CLIENT_LIMITS) {}

  /** Clients currently holding anything (for tests and metrics). */
  get size(): number {
    return this.usage.size;
  }

  /** Takes a WebSocket slot for `client`; false when it holds its maximum already. */
  openWebSocket(client: string): boolean {
    return this.take(client, 'wsConnections', this.limits.maxWsConnectionsPerClient);
  }

  closeWebSocket(client: string): void {
    this.adjust(client, (u) => (u.wsConnections = Math.max(0, u.wsConnections - 1)));
  }

  /** Starts one request for `client`; false when it has its maximum in progress already. */
  beginRequest(client: string): boolean {
    return this.take(client, 'requestsInFlight', this.limits.maxRequestsInFlightPerClient);
  }

  /** One more of `counter` for `client`, unless it holds `max` already. */
  private take(client: string, counter: 'wsConnections' | 'requestsInFlight', max: number): boolean {
    const u = this.entry(client);
    if (u[counter] >= max) {
      this.forgetIfIdle(client, u);
      return false;
    }
    u[counter]++;
    return true;
  }

  endRequest(client: string): void {
    this.adjust(client, (u) => (u.requestsInFlight = Math.max(0, u.requestsInFlight - 1)));
  }

  /** Reserves a filter or subscription of `criteria` weight; throws -32005 past either budget. */
  reserve(client: string, kind: 'filter' | 'subscription', criteria: number): Reservation {
    const u = this.entry(client);
    try {
      if (kind === 'filter' && u.filters >= this.limits.maxFiltersPerClient) {
        throw limitExceeded(`too many filters from this client: at most ${this.limits.maxFiltersPerClient}; uninstall unused ones with eth_uninstallFilter`);
      }
      if (kind === 'subscription' && u.subscriptions >= this.limits.maxSubscriptionsPerClient) {
        throw limitExceeded(`too many subscriptions from this client: at most ${this.limits.maxSubscriptionsPerClient} over all its connections`);
      }
      if (u.criteria + criteria > this.limits.maxLogCriteriaPerClient) {
        throw limitExceeded(`too many log criteria from this client: its filters and subscriptions may name at most ${this.limits.maxLogCriteriaPerClient} addresses and topics in all; this one names ${criteria}`);
      }
    } catch (error) {
      this.forgetIfIdle(client, u);
      throw error;
    }
    if (kind === 'filter') u.filters++;
    else u.subscriptions++;
    u.criteria += criteria;
    return { client, kind, criteria };
  }

  release(reservation: Reservation): void {
    this.adjust(reservation.client, (u) => {
      if (reservation.kind === 'filter') u.filters = Math.max(0, u.filters - 1);
      else u.subscriptions = Math.max(0, u.subscriptions - 1);
      u.criteria = Math.max(0, u.criteria - reservation.criteria);
    });
  }

  private entry(client: string): Usage {
    let u = this.usage.get(client);
    if (u === undefined) {
      u = { wsConnections: 0, requestsInFlight: 0, filters: 0, subscriptions: 0, criteria: 0 };
      this.usage.set(client, u);
    }
    return u;
  }

  private adjust(client: string, change: (u: Usage) => void): void {
    const u = this.usage.get(client);
    if (u === undefined) return;
    change(u);
    this.forgetIfIdle(client, u);
  }

  private forgetIfIdle(client: string, u: Usage): void {
    if (u.wsConnections === 0 && u.requestsInFlight === 0 && u.filters === 0 && u.subscriptions === 0 && u.criteria === 0) {
      this.usage.delete(client);
    }
  }
}
