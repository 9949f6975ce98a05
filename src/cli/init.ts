// `synod init`: a network's genesis and one config per validator. From a validators file (public
// keys collected from each validator's machine, so no private key is written anywhere but there),
// or, for a test network, with every key generated here.
import { MAX_EPOCH_LENGTH_BLOCKS, MIN_EPOCH_LENGTH_BLOCKS } from '../stake/epochs.js';
import { readFileSync } from 'node:fs';
import { CliError, type CliCommand } from './command.js';
import { DEFAULT_KEYSTORE_FILE, DEFAULT_P2P_PORT, DEFAULT_RPC_PORT, MAX_NETWORK_VALIDATORS, positiveWeights, writeNetworkFiles, writeNetworkFromValidators, type WrittenNetwork } from '../node/network-files.js';
import {
  DEFAULT_BLOCK_GAS_LIMIT,
  DEV_ACCOUNT_COUNT,
  DEV_CHAIN_IDS,
  MAX_BLOCK_GAS_LIMIT,
  MIN_BLOCK_GAS_LIMIT,
  devAccounts,
  devAlloc,
  parseAllocFile,
  type GenesisAlloc,
} from '../node/genesis.js';
import { parseValidatorsFile, type ValidatorsFile } from '../node/validators-file.js';
import { ConfigError } from '../node/errors.js';
import { parseFlags, parseIntegerFlag, parsePortFlag } from './flags.js';

const HELP = `usage: synod init --validators-file FILE --chain-id ID --out DIR [--alloc FILE] [--committee K] [--epoch-length E] [options]
       synod init --validators N --chain-id ID --out DIR [--alloc FILE | --dev-accounts] [options]

A network across machines. On each validator's machine, 'synod keys generate --out keystore.json'
makes its key and prints its public key. Collect the public keys into a validators file (the stake
file of 'synod analyze --stakes', which sizes K on it, plus each validator's public key and the
host:port its peers dial):

  {"T": 90, "form": "product",
   "nodes": [{"id": "v0", "publicKey": "0x…", "address": "v0.example.net:30300",
              "stake": 100, "lock": 30, "coefficient": 1}]}

then run init once: it writes DIR/genesis.json and DIR/<id>/config.json per validator. Copy
genesis.json and <id>/config.json to validator <id>, put its keystore beside the config as
${DEFAULT_KEYSTORE_FILE}, and run 'synod start --config <id>/config.json --password-file FILE' there.
A node's "rpc": "host:port" in the file sets where it serves JSON-RPC (default --rpc-host:--rpc-port).

--validators N instead generates all N keys here and writes them in the clear (validator-<i>/key.json):
for test networks only, since whoever runs it holds every validator's key.

The genesis funds only what it is told to: the accounts of --alloc, and with --dev-accounts the 20
public development accounts (whose keys everyone knows: test networks only).

options:
  --validators-file FILE  the network's validators (see above)
  --validators N          a test network of N validators (1-${MAX_NETWORK_VALIDATORS}), keys generated here
  --out DIR               output folder (must not already hold a genesis.json)
  --chain-id ID           EIP-155 chain id, required: pick one no other chain uses (chainlist.org);
                          ${DEV_CHAIN_IDS.join(' and ')} are development chain ids, allowed only with --dev-accounts
  --alloc FILE            accounts to fund, in geth's genesis "alloc" format:
                          {"0x<address>": {"balance": "<wei>"}} (or a geth genesis file: its "alloc")
  --dev-accounts          also fund the ${DEV_ACCOUNT_COUNT} development accounts (mnemonic "test … junk") with 10,000 ETH each
  --committee K           committee size K (default: every validator with positive weight);
                          'synod analyze --stakes FILE --k K' gives the risk of a K
  --epoch-length E        blocks per epoch: after every E-th block the next committee of K is drawn
                          from the staking contract's state (from ${MIN_EPOCH_LENGTH_BLOCKS}; default: no epochs)
  --gas-limit GAS         block gas limit (default ${DEFAULT_BLOCK_GAS_LIMIT}); one transaction may use GAS / K
  --listen-host H         address each validator binds for its peers (default 0.0.0.0; the port is its "address"'s)
  --key-file NAME         the key file each config names, beside it (default ${DEFAULT_KEYSTORE_FILE})
  --rpc-host H            address the JSON-RPC server binds (default 127.0.0.1)
  --rpc-port P            JSON-RPC port (default ${DEFAULT_RPC_PORT}; with --validators N on one host: P + i)
  --hosts H1,H2,...       with --validators N: the validators' hosts, one for all or one each (default
                          127.0.0.1); with one shared host, ports are base + i
  --p2p-port P            with --validators N: base port of validator connections (default ${DEFAULT_P2P_PORT})
  --defi                  deploy the DeFi protocols at genesis (Uniswap V2, Aave V3, Safe 1.5.0, a Governor
                          with its timelock, tokens), as every devnet has; their tokens go to the
                          development accounts with --dev-accounts, else only to pools, faucet and treasury`;

const OPTIONS = {
  'validators-file': { type: 'string' },
  validators: { type: 'string' },
  out: { type: 'string' },
  'chain-id': { type: 'string' },
  alloc: { type: 'string' },
  'dev-accounts': { type: 'boolean' },
  committee: { type: 'string' },
  'gas-limit': { type: 'string' },
  'epoch-length': { type: 'string' },
  'listen-host': { type: 'string' },
  'key-file': { type: 'string' },
  hosts: { type: 'string' },
  'p2p-port': { type: 'string' },
  'rpc-port': { type: 'string' },
  'rpc-host': { type: 'string' },
  defi: { type: 'boolean' },
} as const;

export const command: CliCommand = {
  help: HELP,
  async run(argv: string[]): Promise<number> {
    const values = parseFlags(argv, OPTIONS, 'init');
    const fromFile = values['validators-file'];
    if (fromFile !== undefined && values.validators !== undefined) throw new CliError('give either --validators-file FILE (a network across machines) or --validators N (a test network), not both');
    if (fromFile === undefined && values.validators === undefined) {
      throw new CliError("--validators-file FILE is required (the validators' public keys, stakes and addresses; see 'synod init --help'), or --validators N for a test network");
    }
    if (values.out === undefined) throw new CliError('--out DIR is required (where to write genesis.json and the configs)');
    const devAccountsToo = values['dev-accounts'] === true;
    const chainId = parseChainId(values['chain-id'], devAccountsToo);
    const gasLimit = parseGasLimit(values['gas-limit']);
    const alloc = readAlloc(values.alloc, devAccountsToo);
    const validators = fromFile === undefined ? undefined : readValidatorsFile(fromFile);
    const n = validators === undefined ? parseIntegerFlag(values.validators!, '--validators', 1, MAX_NETWORK_VALIDATORS) : validators.nodes.length;
    const positive = validators === undefined ? n : positiveWeights(validators);
    const committee = values.committee === undefined ? positive : parseIntegerFlag(values.committee, '--committee', 1, positive);
    const epochLength = values['epoch-length'] === undefined ? undefined : parseIntegerFlag(values['epoch-length'], '--epoch-length', MIN_EPOCH_LENGTH_BLOCKS, MAX_EPOCH_LENGTH_BLOCKS);
    if (committee < positive && epochLength === undefined) console.error(`warning: --committee ${committee} of ${positive} validators without --epoch-length: the genesis committee validates for ever and the others only follow`);
    for (const flag of validators === undefined ? ['listen-host', 'key-file'] : ['hosts', 'p2p-port']) {
      if (values[flag as keyof typeof values] !== undefined) throw new CliError(`--${flag} applies to ${validators === undefined ? '--validators-file' : '--validators N'} only${validators === undefined ? '' : ': each validator\'s "address" in the file sets its host and port'}`);
    }
    const common = {
      outDir: values.out,
      chainId,
      gasLimit,
      alloc,
      defi: values.defi === true,
      defiHolders: devAccountsToo ? devAccounts().map((a) => a.address) : [],
      ...(epochLength === undefined ? {} : { epochLength }),
      rpcPort: parsePortFlag(values['rpc-port'] ?? String(DEFAULT_RPC_PORT), '--rpc-port'),
      rpcHost: values['rpc-host'] ?? '127.0.0.1',
    };
    let written: WrittenNetwork;
    try {
      if (validators === undefined) {
        console.error(`warning: --validators ${n} generates every validator's key on this machine and writes it in the clear (validator-<i>/key.json): a test network only. For a real network, run 'synod keys generate' on each validator and 'synod init --validators-file'.`);
        written = await writeNetworkFiles({
          ...common,
          validators: n,
          committeeSize: committee,
          hosts: (values.hosts ?? '127.0.0.1').split(',').map((h) => h.trim()).filter(Boolean),
          p2pPort: parsePortFlag(values['p2p-port'] ?? String(DEFAULT_P2P_PORT), '--p2p-port'),
        });
      } else {
        written = await writeNetworkFromValidators({
          ...common,
          validators,
          committeeSize: committee,
          listenHost: values['listen-host'] ?? '0.0.0.0',
          ...(values['key-file'] === undefined ? {} : { keyFile: checkKeyFileName(values['key-file']) }),
        });
      }
    } catch (error) {
      if (error instanceof ConfigError) throw new CliError(error.message);
      throw error;
    }
    if (devAccountsToo) console.error(`warning: --dev-accounts funds the ${DEV_ACCOUNT_COUNT} development accounts, whose private keys are public: anyone can spend their ether. Never use them on a network with value.`);
    console.log(`wrote ${written.genesisPath} (chain id ${chainId}, ${n} validators, committee K = ${committee}, ${funded(Object.keys(alloc).length)})`);
    for (const path of written.configPaths) console.log(`wrote ${path}`);
    if (validators !== undefined) console.log(`Copy genesis.json and <id>/config.json to each validator, its keystore beside the config as ${values['key-file'] ?? DEFAULT_KEYSTORE_FILE}, then run 'synod start --config <id>/config.json --password-file FILE' there.`);
    return 0;
  },
};

function funded(count: number): string {
  return count === 1 ? '1 funded account' : `${count} funded accounts`;
}

function parseChainId(value: string | undefined, devAccountsToo: boolean): bigint {
  if (value === undefined) throw new CliError('--chain-id ID is required: pick an EIP-155 chain id no other chain uses (see chainlist.org)');
  const id = BigInt(parseIntegerFlag(value, '--chain-id', 1, Number.MAX_SAFE_INTEGER));
  if (DEV_CHAIN_IDS.includes(id) && !devAccountsToo) {
    throw new CliError(`--chain-id ${id} is a development chain id (Hardhat, Anvil, geth --dev), which wallets treat as a local chain: pick another, or add --dev-accounts for a test network`);
  }
  return id;
}

function parseGasLimit(value: string | undefined): bigint {
  if (value === undefined) return DEFAULT_BLOCK_GAS_LIMIT;
  const gas = /^[0-9]+$/.test(value.trim()) ? BigInt(value.trim()) : -1n;
  if (gas < MIN_BLOCK_GAS_LIMIT || gas > MAX_BLOCK_GAS_LIMIT) throw new CliError(`--gas-limit must be an integer from ${MIN_BLOCK_GAS_LIMIT} to ${MAX_BLOCK_GAS_LIMIT} (gas per block), got ${JSON.stringify(value)}`);
  return gas;
}

function readText(path: string, flag: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `cannot be read (${(error as Error).message})`;
    throw new CliError(`${flag} ${path} ${reason}`);
  }
}

function readAlloc(path: string | undefined, devAccountsToo: boolean): GenesisAlloc {
  let alloc: GenesisAlloc = {};
  if (path !== undefined) {
    try {
      alloc = parseAllocFile(readText(path, '--alloc'), `--alloc ${path}`);
    } catch (error) {
      if (error instanceof ConfigError) throw new CliError(error.message);
      throw error;
    }
  }
  if (!devAccountsToo) return alloc;
  const dev = devAlloc();
  const both = Object.keys(alloc).find((address) => dev[address] !== undefined);
  if (both !== undefined) throw new CliError(`--alloc ${path}: ${both} is a development account, which --dev-accounts funds already: drop it from the file`);
  return { ...dev, ...alloc };
}

function readValidatorsFile(path: string): ValidatorsFile {
  try {
    return parseValidatorsFile(readText(path, '--validators-file'), `--validators-file ${path}`);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message);
    throw error;
  }
}

function checkKeyFileName(name: string): string {
  if (name === '' || name.includes('\0')) throw new CliError('--key-file must name a file, relative to each config (for example keystore.json)');
  return name;
}
