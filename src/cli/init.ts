// `synod init`: writes genesis, keys and one config per validator for a network across machines.
import { CliError, type CliCommand } from './command.js';
import { DEFAULT_P2P_PORT, DEFAULT_RPC_PORT, writeNetworkFiles } from '../node/network-files.js';
import { DEFAULT_CHAIN_ID } from '../node/genesis.js';
import { ConfigError } from '../node/errors.js';
import { parseFlags, parseIntegerFlag, parsePortFlag } from './flags.js';

const HELP = `usage: synod init --validators N --out DIR [options]

Writes DIR/genesis.json and, for each validator i, DIR/validator-<i>/key.json (its ed25519 key;
keep it secret) and DIR/validator-<i>/config.json. Copy each validator's folder and genesis.json
to its machine and run 'synod start --config validator-<i>/config.json' there.

options:
  --validators N     number of validators (1-64)
  --out DIR          output folder (must not already hold a genesis.json)
  --chain-id ID      EIP-155 chain id (default ${DEFAULT_CHAIN_ID})
  --hosts H1,H2,...  the validators' hosts, one for all or one each (default 127.0.0.1);
                     with one shared host, ports are base + i; otherwise every validator uses the base ports
  --p2p-port P       base port of validator connections (default ${DEFAULT_P2P_PORT})
  --rpc-port P       base JSON-RPC port (default ${DEFAULT_RPC_PORT})
  --rpc-host H       address the JSON-RPC server binds (default 127.0.0.1)
  --defi             deploy the DeFi protocols at genesis (Uniswap V2, Aave V3, Safe 1.5.0, a Governor
                     with its timelock, tokens held by the 20 development accounts), as every devnet has`;

export const command: CliCommand = {
  help: HELP,
  async run(argv: string[]): Promise<number> {
    const values = parseFlags(
      argv,
      {
        validators: { type: 'string' },
        out: { type: 'string' },
        'chain-id': { type: 'string' },
        hosts: { type: 'string' },
        'p2p-port': { type: 'string' },
        'rpc-port': { type: 'string' },
        'rpc-host': { type: 'string' },
        defi: { type: 'boolean' },
      },
      'init',
    );
    if (values.validators === undefined) throw new CliError('--validators N is required (the number of validators)');
    if (values.out === undefined) throw new CliError('--out DIR is required (where to write genesis, keys and configs)');
    try {
      const { genesisPath, configPaths } = await writeNetworkFiles({
        validators: parseIntegerFlag(values.validators, '--validators', 1, 64),
        outDir: values.out,
        chainId: BigInt(parseIntegerFlag(values['chain-id'] ?? String(DEFAULT_CHAIN_ID), '--chain-id', 1, Number.MAX_SAFE_INTEGER)),
        hosts: (values.hosts ?? '127.0.0.1').split(',').map((h) => h.trim()).filter(Boolean),
        p2pPort: parsePortFlag(values['p2p-port'] ?? String(DEFAULT_P2P_PORT), '--p2p-port'),
        rpcPort: parsePortFlag(values['rpc-port'] ?? String(DEFAULT_RPC_PORT), '--rpc-port'),
        rpcHost: values['rpc-host'] ?? '127.0.0.1',
        defi: values.defi === true,
      });
      console.log(`wrote ${genesisPath}`);
      for (const path of configPaths) console.log(`wrote ${path}`);
      return 0;
    } catch (error) {
      if (error instanceof ConfigError) throw new CliError(error.message);
      throw error;
    }
  },
};
