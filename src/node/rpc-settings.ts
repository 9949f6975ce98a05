// The JSON-RPC endpoint's settings, as the config file's "rpc" object and the --rpc-* flags give
// them: namespaces, CORS origins, virtual hosts, WebSocket origins, the gas cap and EVM timeout
// of eth_call-like queries, and the batch bounds. Every value is checked here with a message
// naming the field; defaults follow geth. Flags override the file, the file the defaults.
import { DEFAULT_RPC_GAS_CAP, MAX_QUERY_GAS } from '../execution/limits.js';
import { DEFAULT_EVM_TIMEOUT_MS } from '../query/limits.js';
import { DEFAULT_RATE_LIMIT, DEFAULT_RPC_API, DEFAULT_VHOSTS, DEFAULT_WS_ORIGINS, DEVNET_ORIGINS, DEVNET_RPC_API, MAX_BATCH_LENGTH, MAX_BATCH_RESPONSE_BYTES, namespaceProblem, originProblem, vhostProblem, type RateLimitOptions } from '../rpc/index.js';
import { ConfigError } from './errors.js';

/** geth's --rpc.gascap (gas one eth_call-like query may use; 0 = no cap): execution's constant. */
export { DEFAULT_RPC_GAS_CAP };
/** geth's --rpc.evmtimeout (how long one query may run; 0 = no limit): the query pool's constant. */
export const DEFAULT_RPC_EVM_TIMEOUT_MS = DEFAULT_EVM_TIMEOUT_MS;
/** Largest gas cap accepted (2^64 - 1, the EVM's gas counter). */
export const MAX_RPC_GAS_CAP = MAX_QUERY_GAS;
/** Longest EVM timeout accepted: one hour. */
export const MAX_RPC_EVM_TIMEOUT_MS = 3_600_000;

export interface RpcSettings {
  readonly api: readonly string[];
  readonly cors: readonly string[];
  readonly vhosts: readonly string[];
  readonly wsOrigins: readonly string[];
  readonly gasCap: bigint; // 0n = no cap
  readonly evmTimeoutMs: number; // 0 = no limit
  readonly batchLimit: number; // 0 = no limit (geth)
  readonly batchResponseMaxBytes: number; // 0 = no limit (geth)
  /** Per-client token buckets; null: no rate limit. */
  readonly rateLimit: RateLimitOptions | null;
}

export const DEFAULT_RPC_SETTINGS: RpcSettings = {
  api: DEFAULT_RPC_API,
  cors: [],
  vhosts: DEFAULT_VHOSTS,
  wsOrigins: DEFAULT_WS_ORIGINS,
  gasCap: DEFAULT_RPC_GAS_CAP,
  evmTimeoutMs: DEFAULT_RPC_EVM_TIMEOUT_MS,
  batchLimit: MAX_BATCH_LENGTH,
  batchResponseMaxBytes: MAX_BATCH_RESPONSE_BYTES,
  rateLimit: DEFAULT_RATE_LIMIT,
};

/** The "rpc" object of a config file (every key but addr optional). */
export interface RpcSectionFile {
  readonly addr?: string;
  readonly api?: readonly string[] | string;
  readonly cors?: readonly string[] | string;
  readonly vhosts?: readonly string[] | string;
  readonly wsOrigins?: readonly string[] | string;
  readonly gasCap?: number | string;
  readonly evmTimeout?: number | string;
  readonly batchLimit?: number;
  readonly batchResponseMaxBytes?: number;
  /** {"requestsPerSecond", "burst", "exemptLoopback"} (each optional), or null for no rate limit. */
  readonly rateLimit?: Partial<RateLimitOptions> | null;
}

/** What `synod devnet` writes into each validator's "rpc" object: developer namespaces, local origins. */
export const DEVNET_RPC_SECTION: RpcSectionFile = { api: DEVNET_RPC_API, cors: DEVNET_ORIGINS, wsOrigins: DEVNET_ORIGINS, rateLimit: { exemptLoopback: true } };

export const RPC_SECTION_KEYS: readonly string[] = ['addr', 'api', 'cors', 'vhosts', 'wsOrigins', 'gasCap', 'evmTimeout', 'batchLimit', 'batchResponseMaxBytes', 'rateLimit'];
const RATE_LIMIT_KEYS: readonly string[] = ['requestsPerSecond', 'burst', 'exemptLoopback'];

/** A list as JSON strings or one comma-separated string; blanks dropped, duplicates once. */
export function parseList(value: unknown, field: string): string[] {
  const items = typeof value === 'string' ? value.split(',') : Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : undefined;
  if (items === undefined) throw new ConfigError(`${field} must be a list of strings (or one comma-separated string), got ${JSON.stringify(value)}`);
  return [...new Set(items.map((v) => v.trim()).filter((v) => v !== ''))];
}

function checked(list: string[], field: string, problem: (item: string) => string | undefined): string[] {
  for (const item of list) {
    const why = problem(item);
    if (why !== undefined) throw new ConfigError(`${field}: ${why}`);
  }
  return list;
}

export function parseApi(value: unknown, field: string): string[] {
  const list = checked(parseList(value, field), field, namespaceProblem);
  if (list.length === 0) throw new ConfigError(`${field} must name at least one namespace (for example eth,net,web3)`);
  return list;
}

export const parseOrigins = (value: unknown, field: string): string[] => checked(parseList(value, field), field, originProblem);
export const parseVhosts = (value: unknown, field: string): string[] => checked(parseList(value, field), field, vhostProblem);

/** A whole number of gas: a JSON integer or a decimal string; 0 = no cap. */
export function parseGasCap(value: unknown, field: string): bigint {
  const text = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : typeof value === 'string' ? value.trim().replace(/_/g, '') : '';
  if (!/^\d+$/.test(text) || BigInt(text) > MAX_RPC_GAS_CAP) {
    throw new ConfigError(`${field} must be a whole amount of gas from 0 (no cap) to ${MAX_RPC_GAS_CAP}, like 50000000; got ${JSON.stringify(value)}`);
  }
  return BigInt(text);
}

const DURATION_UNIT_MS: Readonly<Record<string, number>> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** A duration as Go writes them (5s, 500ms, 1m30s) or a number of milliseconds; 0 = no limit. */
export function parseDuration(value: unknown, field: string): number {
  const fail = (): never => {
    throw new ConfigError(`${field} must be a duration like 5s, 500ms or 1m30s (a plain number is milliseconds) from 0 (no limit) to 1h; got ${JSON.stringify(value)}`);
  };
  let ms: number;
  if (typeof value === 'number') {
    ms = value;
  } else if (typeof value === 'string' && /^\d+$/.test(value.trim())) {
    ms = Number(value.trim());
  } else if (typeof value === 'string' && /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(value.trim())) {
    ms = 0;
    for (const [, amount, unit] of value.trim().matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) ms += Number(amount) * DURATION_UNIT_MS[unit!]!;
  } else {
    return fail();
  }
  if (!Number.isFinite(ms) || ms < 0 || ms > MAX_RPC_EVM_TIMEOUT_MS) fail();
  return Math.ceil(ms);
}

/** A count or size: an integer from 0 (no limit, as geth) up. */
export function parseLimit(value: unknown, field: string, unit: string): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!Number.isSafeInteger(n) || n < 0) throw new ConfigError(`${field} must be a whole number of ${unit} (0 = no limit), got ${JSON.stringify(value)}`);
  return n;
}

type Patch = { -readonly [K in keyof RpcSettings]?: RpcSettings[K] };

/** Settings from raw values under their file keys (api, cors, …); `label` names each field in errors. */
export function parseRpcPatch(input: object, label: (key: string) => string): Partial<RpcSettings> {
  const raw = input as Readonly<Record<string, unknown>>;
  const patch: Patch = {};
  if (raw.api !== undefined) patch.api = parseApi(raw.api, label('api'));
  if (raw.cors !== undefined) patch.cors = parseOrigins(raw.cors, label('cors'));
  if (raw.vhosts !== undefined) patch.vhosts = parseVhosts(raw.vhosts, label('vhosts'));
  if (raw.wsOrigins !== undefined) patch.wsOrigins = parseOrigins(raw.wsOrigins, label('wsOrigins'));
  if (raw.gasCap !== undefined) patch.gasCap = parseGasCap(raw.gasCap, label('gasCap'));
  if (raw.evmTimeout !== undefined) patch.evmTimeoutMs = parseDuration(raw.evmTimeout, label('evmTimeout'));
  if (raw.batchLimit !== undefined) patch.batchLimit = parseLimit(raw.batchLimit, label('batchLimit'), 'requests');
  if (raw.batchResponseMaxBytes !== undefined) patch.batchResponseMaxBytes = parseLimit(raw.batchResponseMaxBytes, label('batchResponseMaxBytes'), 'bytes');
  if (raw.rateLimit !== undefined) patch.rateLimit = parseRateLimit(raw.rateLimit, label('rateLimit'));
  return patch;
}

/** The rate limit: null (off), or token buckets over the defaults; loopback exempt only when asked. */
export function parseRateLimit(value: unknown, field: string): RateLimitOptions | null {
  if (value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) throw new ConfigError(`${field} must be null (no rate limit) or {"requestsPerSecond": N, "burst": N, "exemptLoopback": true|false}`);
  refuseUnknownKeys(value, RATE_LIMIT_KEYS, field);
  const raw = value as Readonly<Record<string, unknown>>;
  const positive = (key: string, fallback: number): number => {
    const v = raw[key] ?? fallback;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) throw new ConfigError(`${field}.${key} must be a whole number of tokens of at least 1, got ${JSON.stringify(raw[key])}`);
    return v;
  };
  const exempt = raw.exemptLoopback ?? DEFAULT_RATE_LIMIT.exemptLoopback;
  if (typeof exempt !== 'boolean') throw new ConfigError(`${field}.exemptLoopback must be true or false, got ${JSON.stringify(raw.exemptLoopback)}`);
  return { requestsPerSecond: positive('requestsPerSecond', DEFAULT_RATE_LIMIT.requestsPerSecond), burst: positive('burst', DEFAULT_RATE_LIMIT.burst), exemptLoopback: exempt };
}

/** Refuses keys outside `known`, naming the known ones. */
export function refuseUnknownKeys(raw: object, known: readonly string[], where: string): void {
  for (const key of Object.keys(raw)) {
    if (!known.includes(key)) throw new ConfigError(`${where}: unknown key "${key}"; known keys: ${known.join(', ')}`);
  }
}

/** The value a server limit takes: geth's 0 (no limit) as the largest safe integer. */
export function serverLimit(value: number): number {
  return value === 0 ? Number.MAX_SAFE_INTEGER : value;
}
