// The operator settings of `synod start`: each one's key in the config file, its flag and its
// environment variable, in one table. One precedence for all of them:
//   flag  >  SYNOD_* environment variable  >  config file  >  default.
// The environment variable is the flag's name in capitals with `_` for `-`, after SYNOD_
// (--rpc-api → SYNOD_RPC_API), so containers and orchestrators set any setting without a
// command line. Values from flags and the environment are strings, checked by the same parsers
// as the file's values, with the flag or variable named in the message.
import { ConfigError } from './errors.js';
import { parseRpcPatch, type RpcSettings } from './rpc-settings.js';
import { DURABILITY_MODES, isDurability, type Durability } from '../storage/durability.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
/** auto: pretty lines when stdout is a terminal, JSON lines otherwise. */
export const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];
export const DEFAULT_LOG_LEVEL: LogLevel = 'info';
export const DEFAULT_LOG_FORMAT: LogFormat = 'auto';

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

export function parseHostPort(value: unknown, field: string): HostPort {
  const match = typeof value === 'string' ? /^(.+):(\d{1,5})$/.exec(value) : null;
  const port = match ? Number(match[2]) : NaN;
  if (!match || port < 0 || port > 65535) {
    throw new ConfigError(`config: ${field} must be "host:port" (for example "127.0.0.1:8545"), got ${JSON.stringify(value)}`);
  }
  return { host: match[1]!.replace(/^\[(.*)\]$/, '$1'), port };
}

export type SettingSource = 'flag' | 'env' | 'file' | 'default';

export interface OperatorSetting {
  /** Where the config file holds it ("rpc.api" is the "api" key of the "rpc" object). */
  readonly key: string;
  /** The `synod start` flag, without its dashes. */
  readonly flag: string;
  readonly help: string;
}

/** The settings of the "rpc" object that flags and variables set (all but addr and rateLimit). */
export const RPC_SETTINGS_BY_FLAG = {
  'rpc-api': 'api',
  'rpc-cors': 'cors',
  'rpc-vhosts': 'vhosts',
  'ws-origins': 'wsOrigins',
  'rpc-gascap': 'gasCap',
  'rpc-evmtimeout': 'evmTimeout',
  'rpc-batch-limit': 'batchLimit',
  'rpc-batch-response-max-bytes': 'batchResponseMaxBytes',
} as const;

export const OPERATOR_SETTINGS: readonly OperatorSetting[] = [
  { key: 'dataDir', flag: 'data-dir', help: 'the chain store, journal and pending transactions (relative to the working folder; in the file, to the file\'s folder)' },
  { key: 'listen', flag: 'listen', help: 'host:port for validator connections' },
  { key: 'rpc.addr', flag: 'rpc-addr', help: 'host:port for JSON-RPC over HTTP and WebSocket' },
  ...Object.entries(RPC_SETTINGS_BY_FLAG).map(([flag, key]) => ({ key: `rpc.${key}`, flag, help: 'see the JSON-RPC options' })),
  { key: 'metrics.addr', flag: 'metrics-addr', help: 'host:port of a separate /metrics, /livez, /readyz listener' },
  { key: 'logLevel', flag: 'log-level', help: LOG_LEVELS.join(' | ') },
  { key: 'logFormat', flag: 'log-format', help: `${LOG_FORMATS.join(' | ')} (auto: pretty on a terminal, JSON otherwise)` },
  { key: 'durability', flag: 'durability', help: `${DURABILITY_MODES.join(' | ')} (machine: every write fsync'ed; process: survives a crash of the process, not of the machine)` },
];

/** The config file's path: --config, else SYNOD_CONFIG. */
export const CONFIG_FLAG = 'config';

export function envName(flag: string): string {
  return `SYNOD_${flag.toUpperCase().replace(/-/g, '_')}`;
}

/** A setting's raw value and what gave it. */
export interface RawSetting {
  readonly value: string;
  readonly source: 'flag' | 'env';
  /** How messages name it: "--rpc-api" or "SYNOD_RPC_API". */
  readonly label: string;
}

/** Per setting key, the value from its flag, else from its variable; settings given by neither are absent. */
export function collectSettings(flags: Readonly<Record<string, string | undefined>>, env: NodeJS.ProcessEnv, settings: readonly OperatorSetting[] = OPERATOR_SETTINGS): Map<string, RawSetting> {
  const raw = new Map<string, RawSetting>();
  for (const { key, flag } of settings) {
    const fromFlag = flags[flag];
    const variable = envName(flag);
    const fromEnv = env[variable];
    if (fromFlag !== undefined) raw.set(key, { value: fromFlag, source: 'flag', label: `--${flag}` });
    else if (fromEnv !== undefined && fromEnv !== '') raw.set(key, { value: fromEnv, source: 'env', label: variable });
  }
  return raw;
}

/** What flags and variables set over the file, parsed; `sources` says which gave each. */
export interface ConfigOverrides {
  readonly dataDir?: string;
  readonly listen?: HostPort;
  readonly rpcAddr?: HostPort;
  readonly rpc?: Partial<RpcSettings>;
  readonly metricsAddr?: HostPort;
  readonly logLevel?: LogLevel;
  readonly logFormat?: LogFormat;
  readonly durability?: Durability;
  readonly sources?: Readonly<Record<string, SettingSource>>;
}

/** The "durability" setting: one of storage/durability.ts's modes. */
export function parseDurability(value: unknown, field: string): Durability {
  if (!isDurability(value)) {
    throw new ConfigError(`${field} must be ${DURABILITY_MODES.map((m) => `"${m}"`).join(' or ')} ("machine": every write fsync'ed, survives power loss; "process": survives a crash of the node process only), got ${JSON.stringify(value)}`);
  }
  return value;
}

export function parseLogLevel(value: unknown, field: string): LogLevel {
  if (!LOG_LEVELS.includes(value as LogLevel)) throw new ConfigError(`${field} must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(value)}`);
  return value as LogLevel;
}

export function parseLogFormat(value: unknown, field: string): LogFormat {
  if (!LOG_FORMATS.includes(value as LogFormat)) throw new ConfigError(`${field} must be one of ${LOG_FORMATS.join(', ')}, got ${JSON.stringify(value)}`);
  return value as LogFormat;
}

/** The raw settings parsed; a bad value is a ConfigError naming its flag or variable. */
export function parseOverrides(raw: ReadonlyMap<string, RawSetting>): ConfigOverrides {
  const get = (key: string) => raw.get(key);
  const rpcRaw: Record<string, string> = {};
  const labels: Record<string, string> = {};
  for (const key of Object.values(RPC_SETTINGS_BY_FLAG)) {
    const setting = get(`rpc.${key}`);
    if (setting === undefined) continue;
    rpcRaw[key] = setting.value;
    labels[key] = setting.label;
  }
  const hostPort = (key: string) => {
    const s = get(key);
    return s === undefined ? undefined : parseHostPort(s.value, s.label);
  };
  const dataDir = get('dataDir');
  if (dataDir !== undefined && dataDir.value.trim() === '') throw new ConfigError(`${dataDir.label} must name a folder`);
  const level = get('logLevel');
  const format = get('logFormat');
  const durability = get('durability');
  const listen = hostPort('listen');
  const rpcAddr = hostPort('rpc.addr');
  const metricsAddr = hostPort('metrics.addr');
  return {
    ...(dataDir === undefined ? {} : { dataDir: dataDir.value }),
    ...(listen === undefined ? {} : { listen }),
    ...(rpcAddr === undefined ? {} : { rpcAddr }),
    rpc: parseRpcPatch(rpcRaw, (key) => labels[key]!),
    ...(metricsAddr === undefined ? {} : { metricsAddr }),
    ...(level === undefined ? {} : { logLevel: parseLogLevel(level.value, level.label) }),
    ...(format === undefined ? {} : { logFormat: parseLogFormat(format.value, format.label) }),
    ...(durability === undefined ? {} : { durability: parseDurability(durability.value, durability.label) }),
    sources: Object.fromEntries([...raw].map(([key, s]) => [key, s.source])),
  };
}

/** Field names whose values are never printed (key material, passwords, tokens). */
const SECRET_FIELD_PATTERN = /password|passphrase|secret|seed|privateKey|mnemonic|token/i;
export const REDACTED = '<redacted>';

/** A copy of `value` with every secret-named field's value replaced by REDACTED. */
export function redactSecrets<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v: unknown) => redactSecrets(v)) as T;
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_FIELD_PATTERN.test(k) ? REDACTED : redactSecrets(v)])) as T;
}
