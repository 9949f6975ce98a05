// Writes a network's files: genesis.json and, per validator, a config file. Two ways in:
// - writeNetworkFromValidators (`synod init --validators-file`): a network across machines, from the
//   public keys of its validators; no private key is written, each validator keeps its own keystore.
// - writeNetworkFiles (`synod devnet`, `synod init --validators N`): a test network whose keys are all
//   generated here, written in the clear as `validator-<i>/key.json`.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Hex } from '../chain/types.js';
import { generateKeyPair, type Ed25519KeyPair } from '../crypto/ed25519.js';
import { toHex } from '../crypto/bytes.js';
import { keyFileFor, type PeerConfig, type ValidatorConfigFile } from './config.js';
import type { RpcSectionFile } from './rpc-settings.js';
import { buildGenesis, testNetworkGenesis, withDefi, type GenesisAlloc, type GenesisFile } from './genesis.js';
import type { ValidatorsFile } from './validators-file.js';
import { stakeWeights, weightUnits } from '../stake/weight.js';
import { StakeError } from '../stake/errors.js';
import { ConfigError } from './errors.js';

export const DEFAULT_P2P_PORT = 30300;
export const DEFAULT_RPC_PORT = 8545;
export const MAX_NETWORK_VALIDATORS = 64;
/** Where a config of `synod init --validators-file` expects its validator's keystore, beside it. */
export const DEFAULT_KEYSTORE_FILE = 'keystore.json';

interface CommonOptions {
  readonly outDir: string;
  readonly chainId: bigint;
  readonly gasLimit?: bigint;
  /** Funded accounts (geth's alloc format); the devnet passes the development accounts. */
  readonly alloc: GenesisAlloc;
  /** Deploy the DeFi protocols at genesis (src/defi/), `defiHolders` receiving their tokens. */
  readonly defi?: boolean;
  readonly defiHolders?: readonly Hex[];
  /** The genesis's empty-block cadence (genesis.ts `emptyBlockIntervalMs`); absent: the default. */
  readonly emptyBlockIntervalMs?: number;
  /** E, blocks per epoch (absent: one committee for ever). */
  readonly epochLength?: number;
  readonly rpcHost: string;
  readonly rpcPort: number;
}

export interface NetworkOptions extends CommonOptions {
  readonly validators: number;
  /** K, the committee's seats (default: every validator); the others run as full nodes until drawn. */
  readonly committeeSize?: number;
  /** Validator i's stake owner in the staking contract. */
  readonly owners?: readonly Hex[];
  /** One host per validator, or one for all (default 127.0.0.1). */
  readonly hosts: readonly string[];
  readonly p2pPort: number;
  /** Endpoint settings written into each config's "rpc" object (devnet: DEVNET_RPC_SECTION); without, "rpc" is "host:port". */
  readonly rpcSection?: RpcSectionFile;
  /** Fixed keys and genesis time (seconds) instead of fresh ones and now: for reproducible tests. */
  readonly keyPairs?: readonly Ed25519KeyPair[];
  readonly timestamp?: number;
}

export interface ValidatorsNetworkOptions extends CommonOptions {
  readonly validators: ValidatorsFile;
  /** K (default: every validator with positive weight). */
  readonly committeeSize?: number;
  /** The address each validator binds for its peers (its port is the one of its "address"). */
  readonly listenHost: string;
  /** The key file each config names, relative to it (default DEFAULT_KEYSTORE_FILE). */
  readonly keyFile?: string;
}

export interface WrittenNetwork {
  readonly genesisPath: string;
  readonly configPaths: string[];
  readonly genesis: GenesisFile;
}

export function validatorDir(outDir: string, index: number): string {
  return join(outDir, `validator-${index}`);
}

/** Ports are per validator when validators share a host, the same on every host otherwise. */
function portFor(base: number, index: number, sharedHost: boolean): number {
  return sharedHost ? base + index : base;
}

function genesisPathIn(outDir: string): string {
  const genesisPath = join(resolve(outDir), 'genesis.json');
  if (existsSync(genesisPath)) throw new ConfigError(`${genesisPath} already exists: choose an empty --out folder (or delete it to start a new chain)`);
  return genesisPath;
}

async function finishGenesis(base: GenesisFile, options: CommonOptions): Promise<GenesisFile> {
  const paced = options.emptyBlockIntervalMs === undefined ? base : { ...base, emptyBlockIntervalMs: options.emptyBlockIntervalMs };
  return options.defi === true ? withDefi(paced, options.defiHolders ?? []) : paced;
}

function writeFiles(genesisPath: string, genesis: GenesisFile, configs: readonly { dir: string; config: ValidatorConfigFile; key?: string }[]): WrittenNetwork {
  mkdirSync(resolve(genesisPath, '..'), { recursive: true });
  writeFileSync(genesisPath, JSON.stringify(genesis, null, 2) + '\n');
  const configPaths = configs.map(({ dir, config, key }) => {
    mkdirSync(dir, { recursive: true });
    if (key !== undefined) writeFileSync(join(dir, config.keyFile), key, { mode: 0o600 });
    const path = join(dir, 'config.json');
    writeFileSync(path, JSON.stringify(config, null, 2) + '\n');
    return path;
  });
  return { genesisPath, configPaths, genesis };
}

/** A test network: every key generated here and written in the clear beside its config. */
export async function writeNetworkFiles(options: NetworkOptions): Promise<WrittenNetwork> {
  const n = options.validators;
  if (!Number.isInteger(n) || n < 1 || n > MAX_NETWORK_VALIDATORS) {
    throw new ConfigError(`--validators must be an integer from 1 to ${MAX_NETWORK_VALIDATORS}, got ${n}`);
  }
  if (options.hosts.length !== 1 && options.hosts.length !== n) {
    throw new ConfigError(`--hosts must list one host for all validators or exactly ${n} hosts, got ${options.hosts.length}`);
  }
  const outDir = resolve(options.outDir);
  const genesisPath = genesisPathIn(outDir);
  const shared = options.hosts.length === 1;
  const hostOf = (i: number) => options.hosts[shared ? 0 : i]!;
  if (options.keyPairs !== undefined && options.keyPairs.length !== n) throw new ConfigError(`keyPairs: ${n} validators need ${n} keys, got ${options.keyPairs.length}`);
  const validators = Array.from({ length: n }, (_, i) => ({ id: `validator-${i}`, keyPair: options.keyPairs?.[i] ?? generateKeyPair() }));
  const base = testNetworkGenesis({
    chainId: options.chainId,
    timestamp: options.timestamp ?? Math.floor(Date.now() / 1000),
    validators: validators.map((v) => ({ id: v.id, publicKey: `0x${toHex(v.keyPair.publicKey)}` as Hex })),
    alloc: options.alloc,
    ...(options.gasLimit === undefined ? {} : { gasLimit: options.gasLimit }),
    ...(options.committeeSize === undefined ? {} : { committeeSize: options.committeeSize }),
    ...(options.epochLength === undefined ? {} : { epochLength: options.epochLength }),
    ...(options.owners === undefined ? {} : { owners: options.owners }),
  });
  const genesis = await finishGenesis(base, options);
  return writeFiles(
    genesisPath,
    genesis,
    validators.map((v, i) => {
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
      return { dir: validatorDir(outDir, i), config, key: JSON.stringify(keyFileFor(v.keyPair), null, 2) + '\n' };
    }),
  );
}

/** How many validators of the file have a positive weight: the largest K, and the default. */
export function positiveWeights(file: ValidatorsFile): number {
  try {
    return weightUnits(stakeWeights(file.nodes, { maxLock: file.maxLock, form: file.form })).filter((w) => w > 0n).length;
  } catch (error) {
    if (error instanceof StakeError) throw new ConfigError(`the validators file: ${error.message}`);
    throw error;
  }
}

/** A network across machines, from its validators file: genesis.json and `<id>/config.json` per validator, no keys. */
export async function writeNetworkFromValidators(options: ValidatorsNetworkOptions): Promise<WrittenNetwork> {
  const nodes = options.validators.nodes;
  if (nodes.length > MAX_NETWORK_VALIDATORS) throw new ConfigError(`the validators file lists ${nodes.length} validators; at most ${MAX_NETWORK_VALIDATORS}`);
  const outDir = resolve(options.outDir);
  const genesisPath = genesisPathIn(outDir);
  const genesisValidators = nodes.map((v) => ({ id: v.id, publicKey: v.publicKey, stake: v.stake, lock: v.lock, coefficient: v.coefficient }));
  const base = buildGenesis({
    chainId: options.chainId,
    timestamp: Math.floor(Date.now() / 1000),
    ...(options.gasLimit === undefined ? {} : { gasLimit: options.gasLimit }),
    alloc: options.alloc,
    maxLock: options.validators.maxLock,
    form: options.validators.form,
    committeeSize: options.committeeSize ?? positiveWeights(options.validators),
    ...(options.epochLength === undefined ? {} : { epochLength: options.epochLength }),
    validators: genesisValidators,
  });
  const genesis = await finishGenesis(base, options);
  const peers: PeerConfig[] = nodes.map((v) => ({ id: v.id, publicKey: v.publicKey, address: v.address }));
  return writeFiles(
    genesisPath,
    genesis,
    nodes.map((v) => ({
      dir: join(outDir, v.id),
      config: {
        id: v.id,
        genesis: '../genesis.json',
        keyFile: options.keyFile ?? DEFAULT_KEYSTORE_FILE,
        dataDir: 'data',
        listen: `${options.listenHost.includes(':') ? `[${options.listenHost}]` : options.listenHost}:${v.endpoint.port}`,
        rpc: v.rpc === undefined ? `${options.rpcHost}:${options.rpcPort}` : `${v.rpc.host.includes(':') ? `[${v.rpc.host}]` : v.rpc.host}:${v.rpc.port}`,
        peers: peers.filter((p) => p.id !== v.id),
        logLevel: 'info',
      },
    })),
  );
}
