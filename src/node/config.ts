// A validator's configuration file: where its key, genesis and data live, what it listens on,
// and who its peers are. Relative paths are relative to the config file's folder. "rpc" is
// either "host:port" or an object {addr, api, cors, …} (rpc-settings.ts); "metrics" is
// {addr: "host:port"} for a separate metrics listener. Unknown keys are refused.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Hex } from '../chain/types.js';
import { keyPairFromSeed, type Ed25519KeyPair } from '../crypto/ed25519.js';
import { fromHex, toHex } from '../crypto/bytes.js';
import { ConfigError } from './errors.js';
import { DEFAULT_RPC_SETTINGS, parseRpcPatch, refuseUnknownKeys, RPC_SECTION_KEYS, type RpcSectionFile, type RpcSettings } from './rpc-settings.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

export interface PeerConfig {
  readonly id: string;
  readonly publicKey: Hex;
  readonly address: string; // host:port of its validator (p2p) listener
}

/** The file as written by `synod init` / `synod devnet`. */
export interface ValidatorConfigFile {
  readonly id: string;
  readonly genesis: string;
  readonly keyFile: string;
  readonly dataDir: string;
  readonly listen: string; // host:port for validator connections
  /** host:port for JSON-RPC (HTTP + WebSocket), or that address with the endpoint's settings. */
  readonly rpc: string | (RpcSectionFile & { readonly addr: string });
  /** A separate listener for /metrics, /livez and /readyz. */
  readonly metrics?: MetricsSectionFile;
  readonly peers: readonly PeerConfig[];
  readonly logLevel?: LogLevel;
}

export interface MetricsSectionFile {
  readonly addr?: string;
}

export const METRICS_SECTION_KEYS: readonly string[] = ['addr'];

export interface ValidatorConfig {
  readonly id: string;
  readonly configPath: string;
  readonly genesisPath: string;
  readonly keyPair: Ed25519KeyPair;
  readonly dataDir: string;
  readonly listen: HostPort;
  readonly rpc: HostPort;
  readonly rpcSettings: RpcSettings;
  /** Where /metrics is served on its own, when configured. */
  readonly metricsAddr?: HostPort;
  readonly peers: readonly { id: string; publicKey: Uint8Array; host: string; port: number }[];
  readonly logLevel: LogLevel;
  /**
   * Sign for the 20 development accounts (eth_accounts, eth_sendTransaction, eth_sign, ...): set by
   * `synod devnet` and `synod start --unlock-dev-accounts` only, never read from the config file.
   */
  readonly unlockDevAccounts?: boolean;
}

/** What command-line flags set over the file. */
export interface ConfigOverrides {
  readonly rpc?: Partial<RpcSettings>;
  readonly metricsAddr?: HostPort;
}

const CONFIG_FIELDS = new Set(['id', 'genesis', 'keyFile', 'dataDir', 'listen', 'rpc', 'metrics', 'peers', 'logLevel']);

export function parseHostPort(value: unknown, field: string): HostPort {
  const match = typeof value === 'string' ? /^(.+):(\d{1,5})$/.exec(value) : null;
  const port = match ? Number(match[2]) : NaN;
  if (!match || port < 0 || port > 65535) {
    throw new ConfigError(`config: ${field} must be "host:port" (for example "127.0.0.1:8545"), got ${JSON.stringify(value)}`);
  }
  return { host: match[1]!.replace(/^\[(.*)\]$/, '$1'), port };
}

/** The key file holds the validator's ed25519 seed: {"type":"ed25519","seed":"0x…","publicKey":"0x…"}. */
export interface KeyFile {
  readonly type: 'ed25519';
  readonly seed: Hex;
  readonly publicKey: Hex;
}

export function keyFileFor(keyPair: Ed25519KeyPair): KeyFile {
  return { type: 'ed25519', seed: `0x${toHex(keyPair.seed)}`, publicKey: `0x${toHex(keyPair.publicKey)}` };
}

export function loadKeyFile(path: string): Ed25519KeyPair {
  let json: KeyFile;
  try {
    json = JSON.parse(readFileSync(path, 'utf8')) as KeyFile;
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `is not valid JSON (${(error as Error).message})`;
    throw new ConfigError(`key file ${path} ${reason}: point "keyFile" at the file written by 'synod init'`);
  }
  if (json?.type !== 'ed25519' || typeof json.seed !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(json.seed)) {
    throw new ConfigError(`key file ${path} must hold {"type":"ed25519","seed":"0x<64 hex digits>"}`);
  }
  const keyPair = keyPairFromSeed(fromHex(json.seed));
  if (json.publicKey !== undefined && json.publicKey.toLowerCase() !== `0x${toHex(keyPair.publicKey)}`) {
    throw new ConfigError(`key file ${path}: publicKey does not match the seed; the file is corrupt, restore it from backup`);
  }
  return keyPair;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The "rpc" field: its address and the settings it names (the string form names only the address). */
export function parseRpcSection(value: unknown): { addr: HostPort; settings: Partial<RpcSettings> } {
  if (typeof value === 'string') return { addr: parseHostPort(value, 'rpc'), settings: {} };
  if (!isObject(value)) {
    throw new ConfigError(`config: "rpc" must be "host:port" or an object {"addr": "host:port", "api": [...], ...}, got ${JSON.stringify(value)}`);
  }
  refuseUnknownKeys(value, RPC_SECTION_KEYS, 'config: rpc');
  if (value.addr === undefined) throw new ConfigError('config: rpc.addr is missing; it must be "host:port" (for example "127.0.0.1:8545")');
  return { addr: parseHostPort(value.addr, 'rpc.addr'), settings: parseRpcPatch(value, (key) => `config: rpc.${key}`) };
}

/** The "metrics" field: {addr: "host:port"}, or nothing. */
export function parseMetricsSection(value: unknown): HostPort | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value)) throw new ConfigError(`config: "metrics" must be an object {"addr": "host:port"}, got ${JSON.stringify(value)}`);
  refuseUnknownKeys(value, METRICS_SECTION_KEYS, 'config: metrics');
  return value.addr === undefined ? undefined : parseHostPort(value.addr, 'metrics.addr');
}

export function loadValidatorConfig(path: string, overrides: ConfigOverrides = {}): ValidatorConfig {
  const configPath = resolve(path);
  let json: ValidatorConfigFile;
  try {
    json = JSON.parse(readFileSync(configPath, 'utf8')) as ValidatorConfigFile;
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `is not valid JSON (${(error as Error).message})`;
    throw new ConfigError(`config file ${configPath} ${reason}; write one with 'synod init --validators N --out DIR'`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new ConfigError(`config file ${configPath} must hold a JSON object`);
  for (const field of Object.keys(json)) {
    if (!CONFIG_FIELDS.has(field)) throw new ConfigError(`config: unknown field "${field}"; known fields: ${[...CONFIG_FIELDS].join(', ')}`);
  }
  for (const field of ['id', 'genesis', 'keyFile', 'dataDir', 'listen'] as const) {
    if (typeof json[field] !== 'string' || json[field] === '') throw new ConfigError(`config: "${field}" is missing; it must be a non-empty string`);
  }
  if (json.rpc === undefined || json.rpc === '') throw new ConfigError('config: "rpc" is missing; it must be "host:port" or an object {"addr": "host:port", ...}');
  const rpc = parseRpcSection(json.rpc);
  const metricsAddr = overrides.metricsAddr ?? parseMetricsSection(json.metrics);
  const base = dirname(configPath);
  const logLevel = json.logLevel ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`config: logLevel must be one of ${LOG_LEVELS.join(', ')}`);
  if (!Array.isArray(json.peers)) throw new ConfigError('config: "peers" must be a list of {id, publicKey, address}');
  const peers = json.peers.map((peer, i) => {
    if (typeof peer?.publicKey !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(peer.publicKey)) {
      throw new ConfigError(`config: peers[${i}].publicKey must be the peer's ed25519 public key as 0x + 64 hex digits`);
    }
    const { host, port } = parseHostPort(peer.address, `peers[${i}].address`);
    return { id: String(peer.id ?? `peer-${i}`), publicKey: fromHex(peer.publicKey), host, port };
  });
  return {
    id: json.id,
    configPath,
    genesisPath: resolve(base, json.genesis),
    keyPair: loadKeyFile(resolve(base, json.keyFile)),
    dataDir: resolve(base, json.dataDir),
    listen: parseHostPort(json.listen, 'listen'),
    rpc: rpc.addr,
    rpcSettings: { ...DEFAULT_RPC_SETTINGS, ...rpc.settings, ...overrides.rpc },
    ...(metricsAddr === undefined ? {} : { metricsAddr }),
    peers,
    logLevel,
  };
}
