// A validator's configuration file: where its key, genesis and data live, what it listens on,
// and who its peers are. Relative paths are relative to the config file's folder. "rpc" is
// either "host:port" or an object {addr, api, cors, …} (rpc-settings.ts); "metrics" is
// {addr: "host:port"} for a separate metrics listener. Unknown keys are refused.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Hex } from '../chain/types.js';
import { keyPairFromSeed, type Ed25519KeyPair } from '../crypto/ed25519.js';
import { fromHex, toHex } from '../crypto/bytes.js';
import { decryptKeystore, isKeystore, KeystoreError, keystorePublicPart, MAX_KEYSTORE_FILE_BYTES } from '../crypto/keystore.js';
import { ConfigError } from './errors.js';
import { DEFAULT_DURABILITY, type Durability } from '../storage/durability.js';
import { DEFAULT_LOG_FORMAT, DEFAULT_LOG_LEVEL, OPERATOR_SETTINGS, parseDurability, parseHostPort, parseLogFormat, parseLogLevel, type ConfigOverrides, type HostPort, type LogFormat, type LogLevel, type SettingSource } from './settings.js';
import { DEFAULT_RPC_SETTINGS, parseRpcPatch, refuseUnknownKeys, RPC_SECTION_KEYS, type RpcSectionFile, type RpcSettings } from './rpc-settings.js';

export { DEFAULT_LOG_FORMAT, DEFAULT_LOG_LEVEL, LOG_FORMATS, LOG_LEVELS, parseDurability, parseHostPort, type HostPort, type LogFormat, type LogLevel } from './settings.js';

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
  readonly logFormat?: LogFormat;
  /** "machine" (default: writes are fsync'ed) or "process" (survive a crash of the process only); storage/durability.ts. */
  readonly durability?: Durability;
}

export interface MetricsSectionFile {
  readonly addr?: string;
}

export const METRICS_SECTION_KEYS: readonly string[] = ['addr'];

/** The configuration as flags, variables, the file and the defaults resolve it; the key not yet read. */
export interface ResolvedConfig {
  readonly id: string;
  readonly configPath: string;
  readonly genesisPath: string;
  readonly keyFilePath: string;
  readonly dataDir: string;
  readonly listen: HostPort;
  readonly rpc: HostPort;
  readonly rpcSettings: RpcSettings;
  /** Where /metrics is served on its own, when configured. */
  readonly metricsAddr?: HostPort;
  readonly peers: readonly { id: string; publicKey: Uint8Array; host: string; port: number }[];
  readonly logLevel: LogLevel;
  readonly logFormat: LogFormat;
  readonly durability: Durability;
  /** What gave each operator setting (keys of OPERATOR_SETTINGS). */
  readonly sources: Readonly<Record<string, SettingSource>>;
}

export interface ValidatorConfig extends ResolvedConfig {
  readonly keyPair: Ed25519KeyPair;
  /** The key file is plaintext (the devnet's), not an encrypted keystore. */
  readonly plaintextKey: boolean;
  /**
   * Sign for the 20 development accounts (eth_accounts, eth_sendTransaction, eth_sign, ...): set by
   * `synod devnet` and `synod start --unlock-dev-accounts` only, never read from the config file.
   */
  readonly unlockDevAccounts?: boolean;
}

export type { ConfigOverrides, SettingSource } from './settings.js';
export type { Durability } from '../storage/durability.js';

const CONFIG_FIELDS = new Set(['id', 'genesis', 'keyFile', 'dataDir', 'listen', 'rpc', 'metrics', 'peers', 'logLevel', 'logFormat', 'durability']);

/**
 * A plaintext key file holds the validator's ed25519 seed: {"type":"ed25519","seed":"0x…","publicKey":"0x…"}
 * (the devnet's, and networks written before keystores). `synod keys` writes an encrypted keystore v3
 * instead (src/crypto/keystore.ts); `loadKeyFile` reads both.
 */
export interface KeyFile {
  readonly type: 'ed25519';
  readonly seed: Hex;
  readonly publicKey: Hex;
}

export function keyFileFor(keyPair: Ed25519KeyPair): KeyFile {
  return { type: 'ed25519', seed: `0x${toHex(keyPair.seed)}`, publicKey: `0x${toHex(keyPair.publicKey)}` };
}

/** Where a validator's key password comes from, named in messages (`--password-file FILE` or `SYNOD_KEY_PASSWORD`). */
export interface KeyPassword {
  readonly password: string;
  readonly source: string;
}

export interface LoadedKey {
  readonly keyPair: Ed25519KeyPair;
  /** True for a plaintext key file: anyone who reads the file holds the key. */
  readonly plaintext: boolean;
}

const PASSWORD_HINT = 'give its password with --password-file FILE or the SYNOD_KEY_PASSWORD environment variable';

export function loadKeyFile(path: string, password?: KeyPassword): LoadedKey {
  let json: unknown;
  let oversized: boolean;
  try {
    const text = readFileSync(path, 'utf8');
    oversized = text.length > MAX_KEYSTORE_FILE_BYTES;
    json = oversized ? undefined : (JSON.parse(text) as unknown);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `is not valid JSON (${(error as Error).message})`;
    throw new ConfigError(`key file ${path} ${reason}: point "keyFile" at the keystore written by 'synod keys generate' (or the key.json of 'synod init')`);
  }
  if (oversized) throw new ConfigError(`key file ${path} is over ${MAX_KEYSTORE_FILE_BYTES} bytes, so not a key file: point "keyFile" at the validator's keystore`);
  if (isKeystore(json)) return { keyPair: unlockKeystore(path, json, password), plaintext: false };
  const file = json as Partial<KeyFile> | null;
  if (file?.type !== 'ed25519' || typeof file.seed !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(file.seed)) {
    throw new ConfigError(`key file ${path} must be a keystore v3 file ('synod keys generate') or hold {"type":"ed25519","seed":"0x<64 hex digits>"}`);
  }
  const keyPair = keyPairFromSeed(fromHex(file.seed));
  if (file.publicKey !== undefined && file.publicKey.toLowerCase() !== `0x${toHex(keyPair.publicKey)}`) {
    throw new ConfigError(`key file ${path}: publicKey does not match the seed; the file is corrupt, restore it from backup`);
  }
  return { keyPair, plaintext: true };
}

function unlockKeystore(path: string, json: unknown, password: KeyPassword | undefined): Ed25519KeyPair {
  let key;
  try {
    const publicPart = keystorePublicPart(json);
    if (publicPart.keyType !== 'ed25519') {
      throw new ConfigError(`key file ${path} holds a ${publicPart.keyType} account key, not a validator's ed25519 key: create one with 'synod keys generate'`);
    }
    if (password === undefined) throw new ConfigError(`key file ${path} is an encrypted keystore: ${PASSWORD_HINT}`);
    key = decryptKeystore(json, password.password);
  } catch (error) {
    if (!(error instanceof KeystoreError)) throw error;
    if (error.code === 'WRONG_PASSWORD') {
      throw new ConfigError(`key file ${path}: wrong password from ${password!.source} (the keystore's MAC does not match): check the password, or that the file is the one 'synod keys generate' wrote`);
    }
    throw new ConfigError(`key file ${path} is a corrupt or unsupported keystore: ${error.message}; restore it from backup`);
  }
  return keyPairFromSeed(key.secret);
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

/** The config file with flags and variables over it (`overrides`), checked; reads no key. */
export function resolveValidatorConfig(path: string, overrides: ConfigOverrides = {}): ResolvedConfig {
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
    if (field === 'dataDir' && overrides.dataDir !== undefined) continue;
    if (field === 'listen' && overrides.listen !== undefined) continue;
    if (typeof json[field] !== 'string' || json[field] === '') throw new ConfigError(`config: "${field}" is missing; it must be a non-empty string`);
  }
  if ((json.rpc === undefined || json.rpc === '') && overrides.rpcAddr === undefined) {
    throw new ConfigError('config: "rpc" is missing; it must be "host:port" or an object {"addr": "host:port", ...}');
  }
  const rpc = json.rpc === undefined || json.rpc === '' ? { addr: overrides.rpcAddr!, settings: {} } : parseRpcSection(json.rpc);
  const metricsAddr = overrides.metricsAddr ?? parseMetricsSection(json.metrics);
  const base = dirname(configPath);
  const logLevel = overrides.logLevel ?? (json.logLevel === undefined ? DEFAULT_LOG_LEVEL : parseLogLevel(json.logLevel, 'config: logLevel'));
  const logFormat = overrides.logFormat ?? (json.logFormat === undefined ? DEFAULT_LOG_FORMAT : parseLogFormat(json.logFormat, 'config: logFormat'));
  const durability = overrides.durability ?? (json.durability === undefined ? DEFAULT_DURABILITY : parseDurability(json.durability, 'config: durability'));
  if (!Array.isArray(json.peers)) throw new ConfigError('config: "peers" must be a list of {id, publicKey, address}');
  const peers = json.peers.map((peer, i) => {
    if (typeof peer?.publicKey !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(peer.publicKey)) {
      throw new ConfigError(`config: peers[${i}].publicKey must be the peer's ed25519 public key as 0x + 64 hex digits`);
    }
    const { host, port } = parseHostPort(peer.address, `peers[${i}].address`);
    return { id: String(peer.id ?? `peer-${i}`), publicKey: fromHex(peer.publicKey), host, port };
  });
  const rpcSettings: RpcSettings = { ...DEFAULT_RPC_SETTINGS, ...rpc.settings, ...overrides.rpc };
  return {
    id: json.id,
    configPath,
    genesisPath: resolve(base, json.genesis),
    keyFilePath: resolve(base, json.keyFile),
    dataDir: overrides.dataDir !== undefined ? resolve(overrides.dataDir) : resolve(base, json.dataDir),
    listen: overrides.listen ?? parseHostPort(json.listen, 'listen'),
    rpc: overrides.rpcAddr ?? rpc.addr,
    rpcSettings,
    ...(metricsAddr === undefined ? {} : { metricsAddr }),
    peers,
    logLevel,
    logFormat,
    durability,
    sources: settingSources(json, overrides),
  };
}

/** Which of flag, variable, file or default gave each operator setting. */
function settingSources(json: ValidatorConfigFile, overrides: ConfigOverrides): Record<string, SettingSource> {
  const file = json as unknown as Record<string, unknown>;
  const inFile = (key: string): boolean => {
    const [section, field] = key.split('.') as [string, string | undefined];
    const value = file[section];
    if (field === undefined) return value !== undefined;
    if (section === 'rpc' && typeof value === 'string') return field === 'addr';
    return typeof value === 'object' && value !== null && (value as Record<string, unknown>)[field] !== undefined;
  };
  return Object.fromEntries(OPERATOR_SETTINGS.map(({ key }) => [key, overrides.sources?.[key] ?? (inFile(key) ? 'file' : 'default')]));
}

/** The resolved configuration in the config file's own shape (absolute paths), so that it can be saved and started from. */
export function configFileOf(config: ResolvedConfig): ValidatorConfigFile {
  const s = config.rpcSettings;
  return {
    id: config.id,
    genesis: config.genesisPath,
    keyFile: config.keyFilePath,
    dataDir: config.dataDir,
    listen: formatHostPort(config.listen),
    rpc: {
      addr: formatHostPort(config.rpc),
      api: s.api,
      cors: s.cors,
      vhosts: s.vhosts,
      wsOrigins: s.wsOrigins,
      gasCap: s.gasCap.toString(),
      evmTimeout: s.evmTimeoutMs,
      batchLimit: s.batchLimit,
      batchResponseMaxBytes: s.batchResponseMaxBytes,
      rateLimit: s.rateLimit,
    },
    ...(config.metricsAddr === undefined ? {} : { metrics: { addr: formatHostPort(config.metricsAddr) } }),
    peers: config.peers.map((p) => ({ id: p.id, publicKey: `0x${toHex(p.publicKey)}`, address: formatHostPort(p) })),
    logLevel: config.logLevel,
    logFormat: config.logFormat,
    durability: config.durability,
  };
}

export function formatHostPort({ host, port }: HostPort): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

export function loadValidatorConfig(path: string, overrides: ConfigOverrides = {}, password?: KeyPassword): ValidatorConfig {
  const config = resolveValidatorConfig(path, overrides);
  const key = loadKeyFile(config.keyFilePath, password);
  return { ...config, keyPair: key.keyPair, plaintextKey: key.plaintext };
}
