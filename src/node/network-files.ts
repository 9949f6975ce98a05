// Writes a network's files: genesis.json, and per validator a key file and a config file
// (`validator-<i>/key.json`, `validator-<i>/config.json`). Used by `synod init` and `synod devnet`.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Hex } from '../chain/types.js';
import { generateKeyPair } from '../crypto/ed25519.js';
import { toHex } from '../crypto/bytes.js';
import { keyFileFor, type ValidatorConfigFile } from './config.js';
import type { RpcSectionFile } from './rpc-settings.js';
import { devAccounts, devGenesis, withDefi } from './genesis.js';
import { ConfigError } from './errors.js';

export const DEFAULT_P2P_PORT = 30300;
export const DEFAULT_RPC_PORT = 8545;
export const MAX_NETWORK_VALIDATORS = 64;

export interface NetworkOptions {
  readonly validators: number;
  readonly outDir: string;
  readonly chainId: bigint;
  /** One host per validator, or one for all (default 127.0.0.1). */
  readonly hosts: readonly string[];
  readonly p2pPort: number;
  readonly rpcPort: number;
  readonly rpcHost: string;
  readonly extraAlloc?: Record<Hex, bigint>;
  /** Deploy the DeFi protocols at genesis (src/defi/), the development accounts holding their tokens. */
  readonly defi?: boolean;
  /** Endpoint settings written into each config's "rpc" object (devnet: DEVNET_RPC_SECTION); without, "rpc" is "host:port". */
  readonly rpcSection?: RpcSectionFile;
  /** The genesis's empty-block cadence (genesis.ts `emptyBlockIntervalMs`); absent: the default. */
  readonly emptyBlockIntervalMs?: number;
}

export function validatorDir(outDir: string, index: number): string {
  return join(outDir, `validator-${index}`);
}

/** Ports are per validator when validators share a host, the same on every host otherwise. */
function portFor(base: number, index: number, sharedHost: boolean): number {
  return sharedHost ? base + index : base;
}

export async function writeNetworkFiles(options: NetworkOptions): Promise<{ genesisPath: string; configPaths: string[] }> {
  const n = options.validators;
  if (!Number.isInteger(n) || n < 1 || n > MAX_NETWORK_VALIDATORS) {
    throw new ConfigError(`--validators must be an integer from 1 to ${MAX_NETWORK_VALIDATORS}, got ${n}`);
  }
  if (options.hosts.length !== 1 && options.hosts.length !== n) {
    throw new ConfigError(`--hosts must list one host for all validators or exactly ${n} hosts, got ${options.hosts.length}`);
  }
  const outDir = resolve(options.outDir);
  const genesisPath = join(outDir, 'genesis.json');
  if (existsSync(genesisPath)) throw new ConfigError(`${genesisPath} already exists: choose an empty --out folder (or delete it to start a new chain)`);
  const shared = options.hosts.length === 1;
  const hostOf = (i: number) => options.hosts[shared ? 0 : i]!;
  const validators = Array.from({ length: n }, (_, i) => ({ id: `validator-${i}`, keyPair: generateKeyPair() }));
  const base = devGenesis({
    chainId: options.chainId,
    timestamp: Math.floor(Date.now() / 1000),
    validators: validators.map((v) => ({ id: v.id, publicKey: `0x${toHex(v.keyPair.publicKey)}` as Hex })),
    ...(options.extraAlloc ? { extraAlloc: options.extraAlloc } : {}),
  });
  const paced = options.emptyBlockIntervalMs === undefined ? base : { ...base, emptyBlockIntervalMs: options.emptyBlockIntervalMs };
  const genesis = options.defi === true ? await withDefi(paced, devAccounts().map((a) => a.address)) : paced;
  mkdirSync(outDir, { recursive: true });
  writeFileSync(genesisPath, JSON.stringify(genesis, null, 2) + '\n');
  const configPaths = validators.map((v, i) => {
    const dir = validatorDir(outDir, i);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'key.json'), JSON.stringify(keyFileFor(v.keyPair), null, 2) + '\n', { mode: 0o600 });
    const rpcAddr = `${options.rpcHost}:${portFor(options.rpcPort, i, shared)}`;
    const config: ValidatorConfigFile = {
      id: v.id,
      genesis: '../genesis.json',
      keyFile: 'key.json',
      dataDir: 'data',
      listen: `${shared ? hostOf(i) : '0.0.0.0'}:${portFor(options.p2pPort, i, shared)}`,
      rpc: options.rpcSection === undefined ? rpcAddr : { addr: rpcAddr, ...options.rpcSection },
      peers: validators
        .map((p, j) => ({ id: p.id, publicKey: `0x${toHex(p.keyPair.publicKey)}` as Hex, address: `${hostOf(j)}:${portFor(options.p2pPort, j, shared)}` }))
        .filter((_, j) => j !== i),
      logLevel: 'info',
    };
    const path = join(dir, 'config.json');
    writeFileSync(path, JSON.stringify(config, null, 2) + '\n');
    return path;
  });
  return { genesisPath, configPaths };
}
