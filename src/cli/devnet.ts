// `synod devnet`: a local multi-validator chain, one OS process per validator, with the
// standard development accounts funded. Run again on the same data dir, it resumes the chain.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, readFileSync, readdirSync, writeFileSync, closeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { getAddress } from 'viem';
import { CliError, type CliCommand } from './command.js';
import { SYNOD_ENTRY } from './entry.js';
import { CONFIG_FLAG, envName } from '../node/settings.js';
import { parseFlags, parseIntegerFlag, parsePortFlag } from './flags.js';
import { RPC_FLAG_OPTIONS, rpcFlagArgs, rpcFlagOverrides, rpcFlagsHelp, type RpcFlagValues } from './rpc-flags.js';
import { DEFAULT_CHAIN_ID, DEV_ACCOUNT_BALANCE_WEI, DEV_MNEMONIC, devAccounts, devAlloc, type GenesisFile } from '../node/genesis.js';
import { PREDEPLOYED_CONTRACTS } from '../node/predeploys.js';
import { EMPTY_BLOCK_INTERVAL_MS, MAX_EMPTY_BLOCK_INTERVAL_MS, MIN_EMPTY_BLOCK_INTERVAL_MS } from '../node/proposals.js';
import { formatContracts } from './contracts.js';
import { MAX_EPOCH_LENGTH_BLOCKS, MIN_EPOCH_LENGTH_BLOCKS } from '../stake/epochs.js';
import { DEFAULT_P2P_PORT, DEFAULT_RPC_PORT, MAX_NETWORK_VALIDATORS, validatorDir, writeNetworkFiles, type NetworkOptions } from '../node/network-files.js';
import { parseDurability, parseRpcSection, type Durability, type HostPort, type ValidatorConfigFile } from '../node/config.js';
import { ConfigError } from '../node/errors.js';
import { DEFAULT_RPC_SETTINGS, DEVNET_RPC_SECTION, parseRpcPatch, type RpcSettings } from '../node/rpc-settings.js';

/** The predeploys a genesis holds (a data dir made by an older version may lack the newer ones). */
function predeployedIn(genesis: GenesisFile): Record<string, (typeof PREDEPLOYED_CONTRACTS)[string]> {
  const alloc = new Map(Object.entries(genesis.alloc).map(([address, account]) => [address.toLowerCase(), account]));
  return Object.fromEntries(Object.entries(PREDEPLOYED_CONTRACTS).filter(([, address]) => alloc.get(address)?.code !== undefined));
}

export const DEFAULT_DEVNET_VALIDATORS = 4;
export const DEFAULT_DEVNET_DIR = '.synod/devnet';
/**
 * What a new devnet's validators run with: 'process' (no fsync, storage/durability.ts). Its
 * validators share one machine, so a machine crash takes them all at once, and it is a development
 * chain; --durability machine fsyncs as 'synod start' does (docs/decisions/0025-durability.md).
 */
export const DEVNET_DURABILITY: Durability = 'process';
/** How long the devnet waits for every validator to finalize its first block. */
export const FIRST_BLOCK_TIMEOUT_MS = 60_000;
/** How long validators get to stop on Ctrl-C before they are killed. */
export const STOP_GRACE_MS = 10_000;
const POLL_INTERVAL_MS = 250;

const DEVNET_DEFAULTS = parseRpcPatch(DEVNET_RPC_SECTION, (key) => key);

const HELP = `usage: synod devnet [--validators N | --nodes N --committee K --epoch-length E] [--data-dir DIR] [--rpc-port P] [--chain-id ID] [JSON-RPC options]

Starts N validator processes on this machine, funds the 20 accounts of the development mnemonic
("${DEV_MNEMONIC}", the same accounts and keys as Hardhat and Anvil),
prints them, waits until the chain finalizes, and prints the endpoints. Ctrl-C stops every
validator. Run it again with the same --data-dir to resume the chain where it stopped.

Each validator's config is DIR/validator-<i>/config.json (it runs alone with
'synod start --config DIR/validator-<i>/config.json'); its log is DIR/validator-<i>/node.log and
its process id DIR/validator-<i>/pid.

options:
  --validators N   number of validators, all in the committee (default ${DEFAULT_DEVNET_VALIDATORS}; fixed once the data dir exists)
  --nodes N        number of node processes (the same as --validators N), of which --committee K
                   validate at a time; the others follow as full nodes until they are drawn
  --committee K    committee seats (default: every node), drawn by weight every epoch
  --epoch-length E blocks per epoch: after every E-th block the next committee is drawn from the
                   staking state (from ${MIN_EPOCH_LENGTH_BLOCKS}; default: no epochs, the genesis committee for ever)
  --data-dir DIR   where the chain lives (default ./${DEFAULT_DEVNET_DIR})
  --rpc-port P     validator i serves JSON-RPC (HTTP and WebSocket) on P+i (default ${DEFAULT_RPC_PORT})
  --chain-id ID    EIP-155 chain id of a new devnet (default ${DEFAULT_CHAIN_ID})
  --log-level L    validators' log level (default info)
  --empty-block-interval MS
                   with nothing to include, finalize an empty block every MS ms (default
                   ${EMPTY_BLOCK_INTERVAL_MS}, from ${MIN_EMPTY_BLOCK_INTERVAL_MS} to ${MAX_EMPTY_BLOCK_INTERVAL_MS}; a genesis setting, fixed once the data dir
                   exists). A transaction never waits for it: its block starts at once.
  --durability M   process (default; kept in each validator's config): writes survive a crash of
                   any validator process, not of the machine (no fsync: fewer waits on a lone
                   transaction's path) | machine: every write fsync'ed, as 'synod start' does

The devnet serves the development namespaces, signs for the development accounts (its validators
run 'synod start --unlock-dev-accounts': eth_accounts, eth_sendTransaction, eth_sign, ... as with
Hardhat and Anvil) and accepts pages from localhost on any port: it is for development on this
machine, never for an endpoint others can reach. Its settings are in each config's "rpc" object;
the options below override them for this run.

${rpcFlagsHelp({ api: DEVNET_DEFAULTS.api!, cors: DEVNET_DEFAULTS.cors!, wsOrigins: DEVNET_DEFAULTS.wsOrigins!, metricsAddr: 'none; with H:P, validator i uses port P+i' })}`;

interface DevnetOptions {
  validators: number | undefined;
  committee: number | undefined;
  epochLength: number | undefined;
  dataDir: string;
  rpcPort: number;
  chainId: bigint | undefined;
  logLevel: string;
  emptyBlockIntervalMs: number | undefined;
  /** --durability as given (a data dir keeps its validators' setting otherwise). */
  durability: Durability | undefined;
  /** The JSON-RPC flags as given, handed to every validator, and as parsed. */
  rpcArgs: string[];
  rpcFlags: RpcFlagValues;
}

function parseOptions(argv: string[]): DevnetOptions {
  const values = parseFlags(
    argv,
    {
      validators: { type: 'string' },
      nodes: { type: 'string' },
      committee: { type: 'string' },
      'epoch-length': { type: 'string' },
      'data-dir': { type: 'string' },
      'rpc-port': { type: 'string' },
      'chain-id': { type: 'string' },
      'log-level': { type: 'string' },
      'empty-block-interval': { type: 'string' },
      durability: { type: 'string' },
      ...RPC_FLAG_OPTIONS,
    },
    'devnet',
  );
  const rpcFlags = rpcFlagOverrides(values);
  let durability: Durability | undefined;
  try {
    if (values.durability !== undefined) durability = parseDurability(values.durability, '--durability');
  } catch (error) {
    throw new CliError((error as Error).message);
  }
  const validators = values.validators === undefined ? undefined : parseIntegerFlag(values.validators, '--validators', 1, MAX_NETWORK_VALIDATORS);
  const nodes = values.nodes === undefined ? undefined : parseIntegerFlag(values.nodes, '--nodes', 1, MAX_NETWORK_VALIDATORS);
  if (validators !== undefined && nodes !== undefined && validators !== nodes) throw new CliError(`--validators ${validators} and --nodes ${nodes} both give the number of nodes: pass one of them`);
  const count = nodes ?? validators;
  const committee = values.committee === undefined ? undefined : parseIntegerFlag(values.committee, '--committee', 1, count ?? DEFAULT_DEVNET_VALIDATORS);
  const epochLength = values['epoch-length'] === undefined ? undefined : parseIntegerFlag(values['epoch-length'], '--epoch-length', MIN_EPOCH_LENGTH_BLOCKS, MAX_EPOCH_LENGTH_BLOCKS);
  return {
    durability,
    rpcArgs: rpcFlagArgs(values, ['metrics-addr']),
    rpcFlags,
    validators: count,
    committee,
    epochLength,
    dataDir: resolve(values['data-dir'] ?? DEFAULT_DEVNET_DIR),
    rpcPort: parsePortFlag(values['rpc-port'] ?? String(DEFAULT_RPC_PORT), '--rpc-port'),
    chainId: values['chain-id'] === undefined ? undefined : BigInt(parseIntegerFlag(values['chain-id'], '--chain-id', 1, Number.MAX_SAFE_INTEGER)),
    logLevel: values['log-level'] ?? 'info',
    emptyBlockIntervalMs:
      values['empty-block-interval'] === undefined
        ? undefined
        : parseIntegerFlag(values['empty-block-interval'], '--empty-block-interval', MIN_EMPTY_BLOCK_INTERVAL_MS, MAX_EMPTY_BLOCK_INTERVAL_MS),
  };
}

function existingValidatorCount(dataDir: string): number {
  return readdirSync(dataDir).filter((name) => /^validator-\d+$/.test(name)).length;
}

/** What a new devnet is made of: its validators, the development accounts funded and holding the DeFi tokens. */
export function devnetNetworkOptions(
  options: Pick<DevnetOptions, 'validators' | 'dataDir' | 'rpcPort' | 'chainId' | 'emptyBlockIntervalMs'> & Partial<Pick<DevnetOptions, 'committee' | 'epochLength'>>,
  p2pBase: number,
): NetworkOptions {
  return {
    validators: options.validators ?? DEFAULT_DEVNET_VALIDATORS,
    ...(options.committee === undefined ? {} : { committeeSize: options.committee }),
    ...(options.epochLength === undefined ? {} : { epochLength: options.epochLength }),
    outDir: options.dataDir,
    chainId: options.chainId ?? DEFAULT_CHAIN_ID,
    hosts: ['127.0.0.1'],
    p2pPort: p2pBase,
    rpcPort: options.rpcPort,
    rpcHost: '127.0.0.1',
    alloc: devAlloc(),
    // Validator i's stake belongs to development account 19 - i (so it can be added to or unstaked).
    owners: devAccounts().map((a) => a.address).reverse(),
    defi: true,
    defiHolders: devAccounts().map((a) => a.address),
    rpcSection: DEVNET_RPC_SECTION,
    ...(options.emptyBlockIntervalMs === undefined ? {} : { emptyBlockIntervalMs: options.emptyBlockIntervalMs }),
  };
}

/** Creates the network on first run; on later runs checks it and points RPC at the chosen ports. */
async function prepareNetwork(options: DevnetOptions): Promise<string[]> {
  const genesisPath = join(options.dataDir, 'genesis.json');
  const p2pBase = DEFAULT_P2P_PORT + (options.rpcPort - DEFAULT_RPC_PORT);
  if (p2pBase < 1 || p2pBase > 65535 - 64) throw new CliError(`--rpc-port ${options.rpcPort} leaves no room for validator ports; choose one near ${DEFAULT_RPC_PORT}`);
  if (!existsSync(genesisPath)) {
    try {
      const written = await writeNetworkFiles(devnetNetworkOptions(options, p2pBase));
      return written.configPaths;
    } catch (error) {
      if (error instanceof ConfigError) throw new CliError(error.message);
      throw error;
    }
  }
  const count = existingValidatorCount(options.dataDir);
  if (options.validators !== undefined && options.validators !== count) {
    throw new CliError(`${options.dataDir} holds a ${count}-validator devnet: pass --validators ${count}, or another --data-dir for a new chain`);
  }
  const genesis = JSON.parse(readFileSync(genesisPath, 'utf8')) as { chainId: string; emptyBlockIntervalMs?: number; staking?: { committeeSize?: number; epochLength?: number } };
  if (options.committee !== undefined && options.committee !== genesis.staking?.committeeSize) {
    throw new CliError(`${options.dataDir} holds a chain with a committee of ${genesis.staking?.committeeSize}: drop --committee, or use another --data-dir for a new chain`);
  }
  if (options.epochLength !== undefined && options.epochLength !== (genesis.staking?.epochLength ?? 0)) {
    throw new CliError(`${options.dataDir} holds a chain with ${genesis.staking?.epochLength ? `epochs of ${genesis.staking.epochLength} blocks` : 'no epochs'}: drop --epoch-length, or use another --data-dir for a new chain`);
  }
  if (options.chainId !== undefined && BigInt(genesis.chainId) !== options.chainId) {
    throw new CliError(`${options.dataDir} holds chain id ${genesis.chainId}: drop --chain-id, or use another --data-dir for a new chain`);
  }
  const interval = genesis.emptyBlockIntervalMs ?? EMPTY_BLOCK_INTERVAL_MS;
  if (options.emptyBlockIntervalMs !== undefined && options.emptyBlockIntervalMs !== interval) {
    throw new CliError(`${options.dataDir} holds a chain with an empty block every ${interval} ms: drop --empty-block-interval, or use another --data-dir for a new chain`);
  }
  return Array.from({ length: count }, (_, i) => {
    const path = join(validatorDir(options.dataDir, i), 'config.json');
    const config = JSON.parse(readFileSync(path, 'utf8')) as ValidatorConfigFile;
    const addr = `127.0.0.1:${options.rpcPort + i}`;
    // A devnet written before "rpc" was an object gets the developer settings.
    const rpc = typeof config.rpc === 'string' ? { addr, ...DEVNET_RPC_SECTION } : { ...config.rpc, addr };
    if (JSON.stringify(config.rpc) !== JSON.stringify(rpc)) writeFileSync(path, JSON.stringify({ ...config, rpc }, null, 2) + '\n');
    return path;
  });
}

/**
 * Each validator's config carries its durability, so that 'synod start --config' of a devnet
 * validator runs as the devnet does: --durability when given, else what the config says, else
 * DEVNET_DURABILITY. Returns validator 0's.
 */
function applyDurability(configPaths: readonly string[], flag: Durability | undefined): Durability {
  let first: Durability = DEVNET_DURABILITY;
  configPaths.forEach((path, i) => {
    const config = JSON.parse(readFileSync(path, 'utf8')) as ValidatorConfigFile;
    const durability = flag ?? config.durability ?? DEVNET_DURABILITY;
    if (config.durability !== durability) writeFileSync(path, JSON.stringify({ ...config, durability }, null, 2) + '\n');
    if (i === 0) first = durability;
  });
  return first;
}

/** Validator i's separate metrics address: the --metrics-addr port plus i. */
function metricsAddrFor(base: HostPort | undefined, index: number): HostPort | undefined {
  return base === undefined ? undefined : { host: base.host, port: base.port + index };
}

function formatHostPort({ host, port }: HostPort): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function spawnValidator(configPath: string, options: DevnetOptions, index: number): ChildProcess {
  const dir = resolve(configPath, '..');
  const log = openSync(join(dir, 'node.log'), 'a');
  const metrics = metricsAddrFor(options.rpcFlags.metricsAddr, index);
  const args = ['start', '--config', configPath, '--unlock-dev-accounts', '--log-level', options.logLevel, ...options.rpcArgs, ...(metrics === undefined ? [] : ['--metrics-addr', formatHostPort(metrics)])];
  const child = spawn(process.execPath, [SYNOD_ENTRY, ...args], {
    stdio: ['ignore', log, log],
    env: validatorEnv(process.env),
    detached: false,
  });
  closeSync(log);
  writeFileSync(join(dir, 'pid'), `${child.pid}\n`);
  return child;
}

/** Settings each validator of a devnet has its own of: their SYNOD_* variables would give all the same one. */
const PER_VALIDATOR_SETTINGS = [CONFIG_FLAG, 'data-dir', 'listen', 'rpc-addr', 'metrics-addr'].map(envName);

/** The devnet's environment for a validator: without the per-validator SYNOD_* variables (the devnet sets those itself). */
export function validatorEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !PER_VALIDATOR_SETTINGS.includes(name)));
}

async function rpcBlockNumber(port: number): Promise<bigint | undefined> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_blockNumber', params: [] }),
      signal: AbortSignal.timeout(2_000),
    });
    const body = (await response.json()) as { result?: string };
    return body.result === undefined ? undefined : BigInt(body.result);
  } catch {
    return undefined;
  }
}

function printAccounts(): void {
  const eth = DEV_ACCOUNT_BALANCE_WEI / 10n ** 18n;
  console.log(`Development accounts (mnemonic: "${DEV_MNEMONIC}"):\n`);
  devAccounts().forEach((account, i) => {
    console.log(`Account #${i}: ${getAddress(account.address)} (${eth} ETH)`);
    console.log(`Private Key: ${account.privateKey}\n`);
  });
  console.log('The node signs for them (eth_accounts, eth_sendTransaction): tools need no keys.');
  console.log('WARNING: these keys are public. Never use them on a real network.\n');
}

async function waitForFinality(ports: number[], children: ChildProcess[], dataDir: string): Promise<bigint> {
  const deadline = Date.now() + FIRST_BLOCK_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const dead = children.findIndex((c) => c.exitCode !== null || c.signalCode !== null);
    if (dead >= 0) throw new CliError(`validator ${dead} exited at start; see ${join(validatorDir(dataDir, dead), 'node.log')}`, 1);
    const heights = await Promise.all(ports.map(rpcBlockNumber));
    if (heights.every((h) => h !== undefined && h >= 1n)) return heights.reduce((a, b) => (a! < b! ? a : b))!;
    await new Promise((r) => setTimeout(r, POLL_INTERVAL_MS));
  }
  throw new CliError(`the chain did not finalize a block within ${FIRST_BLOCK_TIMEOUT_MS / 1000} s; see the logs in ${dataDir}/validator-*/node.log`, 1);
}

/** What validator 0 serves: its config's "rpc" object under this run's flags. */
function effectiveSettings(configPath: string, flags: RpcFlagValues): RpcSettings {
  const config = JSON.parse(readFileSync(configPath, 'utf8')) as ValidatorConfigFile;
  try {
    return { ...DEFAULT_RPC_SETTINGS, ...parseRpcSection(config.rpc).settings, ...flags.rpc };
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(`${configPath}: ${error.message}`);
    throw error;
  }
}

function printSettings(settings: RpcSettings, durability: Durability): void {
  const list = (l: readonly string[]) => (l.length === 0 ? 'none' : l.join(', '));
  console.log(`JSON-RPC namespaces: ${list(settings.api)}`);
  console.log(`CORS origins: ${list(settings.cors)}; WebSocket origins: ${list(settings.wsOrigins)}; hosts: ${list(settings.vhosts)} and IP addresses`);
  const limit = settings.rateLimit;
  console.log(limit === null ? 'Rate limit: off' : `Rate limit: ${limit.requestsPerSecond} tokens/s per client (burst ${limit.burst})${limit.exemptLoopback ? ', local clients (loopback) exempt' : ''}`);
  console.log('These are development settings for this machine: do not expose these ports to a network.');
  console.log(durability === 'process'
    ? 'Durability: process (writes survive a crash of any validator, not of the machine; --durability machine to fsync)\n'
    : 'Durability: machine (every write fsync\'ed; --durability process for none)\n');
}

async function stopAll(children: ChildProcess[]): Promise<void> {
  const exits = children.map((c) => (c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => c.once('exit', () => r()))));
  for (const child of children) child.kill('SIGTERM');
  const timer = setTimeout(() => children.forEach((c) => c.kill('SIGKILL')), STOP_GRACE_MS);
  await Promise.all(exits);
  clearTimeout(timer);
}

export const command: CliCommand = {
  help: HELP,
  async run(argv: string[]): Promise<number> {
    const options = parseOptions(argv);
    const resumed = existsSync(join(options.dataDir, 'genesis.json'));
    const configPaths = await prepareNetwork(options);
    const durability = applyDurability(configPaths, options.durability);
    const ports = configPaths.map((_, i) => options.rpcPort + i);
    const metricsBase = options.rpcFlags.metricsAddr;
    if (metricsBase !== undefined && (metricsBase.port < 1 || metricsBase.port + configPaths.length - 1 > 65535)) {
      throw new CliError(`--metrics-addr port ${metricsBase.port}: validator i serves metrics on port + i, so it must be from 1 to ${65536 - configPaths.length}`);
    }
    const settings = effectiveSettings(configPaths[0]!, options.rpcFlags);
    const staking = (JSON.parse(readFileSync(join(options.dataDir, 'genesis.json'), 'utf8')) as GenesisFile).staking;
    const seats = staking.committeeSize ?? configPaths.length;
    const shape = seats === configPaths.length ? `${configPaths.length}-validator devnet` : `${configPaths.length}-node devnet (a committee of ${seats}; the others follow as full nodes until drawn)`;
    const epochs = staking.epochLength ? `, a new committee drawn every ${staking.epochLength} blocks` : '';
    console.log(`${resumed ? 'Resuming' : 'Starting'} a ${shape}${epochs} in ${options.dataDir}\n`);
    printSettings(settings, durability);
    const children = configPaths.map((path, i) => spawnValidator(path, options, i));
    let stopping = false;
    const stopped = new Promise<void>((resolveStop) => {
      const stop = () => {
        if (stopping) return;
        stopping = true;
        console.log('\nStopping validators…');
        stopAll(children).then(resolveStop, (error: unknown) => {
          console.error(`stopping validators failed: ${(error as Error).message}`);
          resolveStop();
        });
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    children.forEach((child, i) =>
      child.once('exit', (code, signal) => {
        if (!stopping) console.error(`validator ${i} exited (${signal ?? `code ${code}`}); its log: ${join(validatorDir(options.dataDir, i), 'node.log')}`);
      }),
    );
    try {
      printAccounts();
      const height = await waitForFinality(ports, children, options.dataDir);
      const genesis = JSON.parse(readFileSync(join(options.dataDir, 'genesis.json'), 'utf8')) as GenesisFile;
      console.log(`Chain id ${BigInt(genesis.chainId)}, finalized height ${height}\n`);
      console.log(`Contracts (synod_contracts):\n${formatContracts({ ...predeployedIn(genesis), ...genesis.contracts })}\n`);
      ports.forEach((port, i) => {
        const metrics = metricsAddrFor(options.rpcFlags.metricsAddr, i);
        const metricsUrl = metrics === undefined ? `http://127.0.0.1:${port}/metrics` : `http://${formatHostPort(metrics)}/metrics`;
        console.log(`validator ${i}: JSON-RPC http://127.0.0.1:${port}  ws://127.0.0.1:${port}  explorer http://127.0.0.1:${port}/  metrics ${metricsUrl}`);
      });
      console.log('\nPress Ctrl-C to stop.');
    } catch (error) {
      stopping = true;
      await stopAll(children);
      throw error;
    }
    await stopped;
    return 0;
  },
};
