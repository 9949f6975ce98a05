// `synod start --config FILE`: runs one validator until SIGINT or SIGTERM.
import { CliError, type CliCommand } from './command.js';
import { parseFlags } from './flags.js';
import { RPC_FLAG_OPTIONS, rpcFlagOverrides, rpcFlagsHelp } from './rpc-flags.js';
import { loadValidatorConfig, LOG_LEVELS, type LogLevel } from '../node/config.js';
import { ConfigError } from '../node/errors.js';
import { DEFAULT_RPC_SETTINGS } from '../node/rpc-settings.js';
import { startValidator } from '../node/validator.js';

const HELP = `usage: synod start --config FILE [--log-level LEVEL] [--unlock-dev-accounts] [JSON-RPC options]

Runs one validator from its config file (written by 'synod init' or 'synod devnet'): its key,
the genesis file, its data folder, the address it listens on for other validators, its JSON-RPC
address, and its peers as host:port with their public keys. Stops cleanly on Ctrl-C or SIGTERM.

options:
  --config FILE      the validator's config.json
  --log-level LEVEL  ${LOG_LEVELS.join(' | ')} (default: the config's logLevel, else info)
  --unlock-dev-accounts
                     sign for the 20 development accounts of the mnemonic "test test ... junk"
                     (eth_accounts, eth_sendTransaction, eth_sign, personal_sign,
                     eth_signTypedData_v4), as Hardhat and Anvil do; for a devnet only: their
                     keys are public. 'synod devnet' passes it. Default: no account unlocked

${rpcFlagsHelp({ ...DEFAULT_RPC_SETTINGS, metricsAddr: 'none: /metrics on the JSON-RPC port only' })}`;

export const command: CliCommand = {
  help: HELP,
  async run(argv: string[]): Promise<number> {
    const values = parseFlags(argv, { config: { type: 'string' }, 'log-level': { type: 'string' }, 'unlock-dev-accounts': { type: 'boolean' }, ...RPC_FLAG_OPTIONS }, 'start');
    if (values.config === undefined) throw new CliError("--config FILE is required (a validator's config.json)");
    const level = values['log-level'];
    if (level !== undefined && !LOG_LEVELS.includes(level as LogLevel)) throw new CliError(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
    const overrides = rpcFlagOverrides(values);
    let validator;
    try {
      const config = { ...loadValidatorConfig(values.config, overrides), unlockDevAccounts: values['unlock-dev-accounts'] === true };
      validator = await startValidator(level ? { ...config, logLevel: level as LogLevel } : config);
    } catch (error) {
      if (error instanceof ConfigError) throw new CliError(error.message, 1);
      throw error;
    }
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await validator.stop();
    return 0;
  },
};
