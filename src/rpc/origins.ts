// Who may talk to the endpoint from a browser, and under which host name (geth's
// --http.corsdomain, --ws.origins and --http.vhosts). CORS headers go only to a named origin;
// a browser WebSocket from another origin is refused before the upgrade (clients without an
// Origin header, such as viem or ethers in Node, are not browsers and are let through, as geth
// does), and so is the server's own explorer page (its origin is the request's Host, which the
// vhost check has already accepted); a request whose Host is not allowed is refused, which stops
// DNS rebinding. IP-literal hosts are always allowed, as in geth.
import { isIP } from 'node:net';

/** geth's --http.vhosts default. */
export const DEFAULT_VHOSTS: readonly string[] = ['localhost'];
/** With no --ws-origins, geth accepts browser pages from http://localhost on any port. */
export const DEFAULT_WS_ORIGINS: readonly string[] = ['http://localhost:*'];
/** `synod devnet`: the explorer and local dapps, on any port. */
export const DEVNET_ORIGINS: readonly string[] = ['http://localhost:*', 'http://127.0.0.1:*'];
/** How long a browser may cache a preflight answer. */
export const CORS_MAX_AGE_SECONDS = 86_400;
export const ANY = '*';

const ORIGIN_PATTERN = /^[a-z][a-z0-9+.-]*:\/\/[a-z0-9*._~%[\]:-]+$/i;
const HOSTNAME_PATTERN = /^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*\.?$/i;

/** Why an origin pattern is malformed (`*`, or scheme://host[:port], `*` matching any part). */
export function originProblem(pattern: string): string | undefined {
  if (pattern === ANY || ORIGIN_PATTERN.test(pattern)) return undefined;
  return `"${pattern}" is not an origin: use scheme://host[:port] (like http://localhost:3000, http://localhost:* or https://*.example.com) or *`;
}

/** Why a virtual host name is malformed (a host name, an IP address, or `*`). */
export function vhostProblem(host: string): string | undefined {
  if (host === ANY || isIP(host.replace(/^\[(.*)\]$/, '$1')) !== 0 || HOSTNAME_PATTERN.test(host)) return undefined;
  return `"${host}" is not a host name: use names like localhost or rpc.example.com (no scheme, no port), or *`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

/** One allowed-origin test: exact, case-insensitive; `*` matches any run of characters; `:*` also matches no port. */
export function originMatcher(patterns: readonly string[]): (origin: string) => boolean {
  if (patterns.includes(ANY)) return () => true;
  const regexps = patterns.map((pattern) => {
    const portless = pattern.endsWith(':*') ? `(:\\d+)?` : undefined;
    const body = portless === undefined ? pattern : pattern.slice(0, -2);
    const source = body.split('*').map(escapeRegExp).join('[^/]*') + (portless ?? '');
    return new RegExp(`^${source}$`, 'i');
  });
  return (origin) => regexps.some((re) => re.test(origin));
}

export class OriginPolicy {
  private readonly corsAllowed: (origin: string) => boolean;
  private readonly corsAny: boolean;
  private readonly wsAllowed: (origin: string) => boolean;
  private readonly vhosts: ReadonlySet<string>;

  constructor(options: { readonly cors: readonly string[]; readonly wsOrigins: readonly string[]; readonly vhosts: readonly string[] }) {
    this.corsAllowed = originMatcher(options.cors);
    this.corsAny = options.cors.includes(ANY);
    this.wsAllowed = originMatcher(options.wsOrigins);
    this.vhosts = new Set(options.vhosts.map((h) => h.toLowerCase().replace(/\.$/, '')));
  }

  /** CORS headers for a request from `origin`; none unless the origin is allowed. */
  corsHeaders(origin: string | undefined): Record<string, string> {
    if (origin === undefined || !this.corsAllowed(origin)) return {};
    return {
      'Access-Control-Allow-Origin': this.corsAny ? '*' : origin,
      'Access-Control-Allow-Methods': 'POST, GET, OPTIONS',
      'Access-Control-Allow-Headers': 'Content-Type, Authorization',
      'Access-Control-Max-Age': String(CORS_MAX_AGE_SECONDS),
      ...(this.corsAny ? {} : { Vary: 'Origin' }),
    };
  }

  /** Allowed: no Origin header (not a browser page), a listed origin, or the page this server served. */
  wsOriginAllowed(origin: string | undefined, hostHeader: string | undefined): boolean {
    if (origin === undefined || this.wsAllowed(origin)) return true;
    const authority = /^https?:\/\/([^/]+)$/i.exec(origin)?.[1];
    return authority !== undefined && hostHeader !== undefined && authority.toLowerCase() === hostHeader.toLowerCase();
  }

  /** geth's virtual-host check: no Host, an IP literal, `*`, or a listed name. */
  hostAllowed(hostHeader: string | undefined): boolean {
    if (hostHeader === undefined || hostHeader === '') return true;
    const host = hostOnly(hostHeader);
    if (isIP(host) !== 0) return true;
    return this.vhosts.has(ANY) || this.vhosts.has(host.toLowerCase().replace(/\.$/, ''));
  }
}

/** The host part of a Host header: "[::1]:8545" → "::1", "localhost:8545" → "localhost". */
function hostOnly(header: string): string {
  if (header.startsWith('[')) {
    const end = header.indexOf(']');
    return end < 0 ? header : header.slice(1, end);
  }
  const colon = header.indexOf(':');
  if (colon < 0 || header.indexOf(':', colon + 1) >= 0) return header;
  return header.slice(0, colon);
}
