// `synod start --config FILE`: runs one validator until SIGINT or SIGTERM.
import { CliError, type CliCommand } from './command.js';
import { parseFlags } from './flags.js';
import { RPC_FLAG_OPTIONS, rpcFlagOverrides, rpcFlagsHelp } from './rpc-flags.js';
import { loadValidatorConfig, LOG_LEVELS, parseDurability, type LogLevel } from '../node/config.js';
import { ConfigError } from '../node/errors.js';
import { DEFAULT_RPC_SETTINGS } from '../node/rpc-settings.js';
import { startValidator } from '../node/validator.js';
import { PASSWORD_FLAG_HELP, readPassword } from './password.js';

const HELP = `usage: synod start --config FILE [--password-file FILE] [--log-level LEVEL] [--durability MODE] [--unlock-dev-accounts] [JSON-RPC options]

Runs one validator from its config file (written by 'synod init' or 'synod devnet'): its key,
the genesis file, its data folder, the address it listens on for other validators, its JSON-RPC
address, and its peers as host:port with their public keys. Stops cleanly on Ctrl-C or SIGTERM.
An encrypted key file (a keystore of 'synod keys generate') is unlocked with its password.

options:
  --config FILE      the validator's config.json
${PASSWORD_FLAG_HELP}
  --log-level LEVEL  ${LOG_LEVELS.join(' | ')} (default: the config's logLevel, else info)
  --durability MODE  machine: every write fsync'ed, survives power loss (default, the config's
                     "durability" else machine) | process: writes survive a crash of the process,
                     not of the machine (what synod devnet runs)
  --unlock-dev-accounts
                     sign for the 20 development accounts of the mnemonic "test test ... junk"
                     (eth_accounts, eth_sendTransaction, eth_sign, personal_sign,
                     eth_signTypedData_v4), as Hardhat and Anvil do; for a devnet only: their
                     keys are public. 'synod devnet' passes it. Default: no account unlocked

${rpcFlagsHelp({ ...DEFAULT_RPC_SETTINGS, metricsAddr: 'none: /metrics on the JSON-RPC port only' })}`;

export const command: CliCommand = {
  help: HELP,
  async run(argv: string[]): Promise<number> {
    const values = parseFlags(argv, { config: { type: 'string' }, 'password-file': { type: 'string' }, 'log-level': { type: 'string' }, durability: { type: 'string' }, 'unlock-dev-accounts': { type: 'boolean' }, ...RPC_FLAG_OPTIONS }, 'start');
    if (values.config === undefined) throw new CliError("--config FILE is required (a validator's config.json)");
    const level = values['log-level'];
    if (level !== undefined && !LOG_LEVELS.includes(level as LogLevel)) throw new CliError(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
    const password = readPassword(values['password-file']);
    let validator;
    try {
      const overrides = { ...rpcFlagOverrides(values), ...(values.durability === undefined ? {} : { durability: parseDurability(values.durability, '--durability') }) };
      const config = { ...loadValidatorConfig(values.config, overrides, password), unlockDevAccounts: values['unlock-dev-accounts'] === true };
      if (config.plaintextKey) {
        console.error(`warning: the key file of ${config.configPath} is plaintext: anyone who can read it holds the validator's key; encrypt it with 'synod keys import'`);
      }
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
