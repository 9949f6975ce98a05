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
import { DEFAULT_DURABILITY, DURABILITY_MODES, isDurability, type Durability } from '../storage/durability.js';
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
  /** "machine" (default: writes are fsync'ed) or "process" (survive a crash of the process only); storage/durability.ts. */
  readonly durability?: Durability;
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
  /** The key file is plaintext (the devnet's), not an encrypted keystore. */
  readonly plaintextKey: boolean;
  readonly dataDir: string;
  readonly listen: HostPort;
  readonly rpc: HostPort;
  readonly rpcSettings: RpcSettings;
  /** Where /metrics is served on its own, when configured. */
  readonly metricsAddr?: HostPort;
  readonly peers: readonly { id: string; publicKey: Uint8Array; host: string; port: number }[];
  readonly logLevel: LogLevel;
  readonly durability: Durability;
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
  readonly durability?: Durability;
}

const CONFIG_FIELDS = new Set(['id', 'genesis', 'keyFile', 'dataDir', 'listen', 'rpc', 'metrics', 'peers', 'logLevel', 'durability']);

/** The "durability" field (or flag): one of storage/durability.ts's modes. */
export function parseDurability(value: unknown, field: string): Durability {
  if (!isDurability(value)) {
    throw new ConfigError(`${field} must be ${DURABILITY_MODES.map((m) => `"${m}"`).join(' or ')} ("machine": every write fsync'ed, survives power loss; "process": survives a crash of the node process only), got ${JSON.stringify(value)}`);
  }
  return value;
}

export function parseHostPort(value: unknown, field: string): HostPort {
  const match = typeof value === 'string' ? /^(.+):(\d{1,5})$/.exec(value) : null;
  const port = match ? Number(match[2]) : NaN;
  if (!match || port < 0 || port > 65535) {
    throw new ConfigError(`config: ${field} must be "host:port" (for example "127.0.0.1:8545"), got ${JSON.stringify(value)}`);
  }
  return { host: match[1]!.replace(/^\[(.*)\]$/, '$1'), port };
}

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

export function loadValidatorConfig(path: string, overrides: ConfigOverrides = {}, password?: KeyPassword): ValidatorConfig {
  const configPath = resolve(path);
  let json: ValidatorConfigFile;
  try {
    json = JSON.parse(readFileSync(configPath, 'utf8')) as ValidatorConfigFile;
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `is not valid JSON (${(error as Error).message})`;
    throw new ConfigError(`config file ${configPath} ${reason}; write one with 'synod init --validators-file FILE --chain-id ID --out DIR'`);
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
  const durability = overrides.durability ?? (json.durability === undefined ? DEFAULT_DURABILITY : parseDurability(json.durability, 'config: durability'));
  if (!Array.isArray(json.peers)) throw new ConfigError('config: "peers" must be a list of {id, publicKey, address}');
  const peers = json.peers.map((peer, i) => {
    if (typeof peer?.publicKey !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(peer.publicKey)) {
      throw new ConfigError(`config: peers[${i}].publicKey must be the peer's ed25519 public key as 0x + 64 hex digits`);
    }
    const { host, port } = parseHostPort(peer.address, `peers[${i}].address`);
    return { id: String(peer.id ?? `peer-${i}`), publicKey: fromHex(peer.publicKey), host, port };
  });
  const key = loadKeyFile(resolve(base, json.keyFile), password);
  return {
    id: json.id,
    configPath,
    genesisPath: resolve(base, json.genesis),
    keyPair: key.keyPair,
    plaintextKey: key.plaintext,
    dataDir: resolve(base, json.dataDir),
    listen: parseHostPort(json.listen, 'listen'),
    rpc: rpc.addr,
    rpcSettings: { ...DEFAULT_RPC_SETTINGS, ...rpc.settings, ...overrides.rpc },
    ...(metricsAddr === undefined ? {} : { metricsAddr }),
    peers,
    logLevel,
    durability,
  };
}
