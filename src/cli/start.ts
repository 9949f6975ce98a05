// `synod start --config FILE`: runs one validator until SIGINT or SIGTERM. Every operator setting
// comes from its flag, else its SYNOD_* variable, else the config file, else its default
// (src/node/settings.ts); --print-config prints the result and exits.
import { CliError, type CliCommand } from './command.js';
import { parseFlags } from './flags.js';
import { cliErrors, rpcFlagsHelp } from './rpc-flags.js';
import { configFileOf, loadValidatorConfig, resolveValidatorConfig, LOG_FORMATS, LOG_LEVELS, type ResolvedConfig } from '../node/config.js';
import { ConfigError } from '../node/errors.js';
import { DEFAULT_RPC_SETTINGS } from '../node/rpc-settings.js';
import { collectSettings, CONFIG_FLAG, envName, OPERATOR_SETTINGS, parseOverrides, redactSecrets } from '../node/settings.js';
import { startValidator } from '../node/validator.js';
import { PASSWORD_FLAG_HELP, readPassword } from './password.js';

const HELP = `usage: synod start --config FILE [--password-file FILE] [options] [--print-config]

Runs one validator from its config file (written by 'synod init' or 'synod devnet'): its key,
the genesis file, its data folder, the address it listens on for other validators, its JSON-RPC
address, and its peers as host:port with their public keys. Stops cleanly on Ctrl-C or SIGTERM.

Each setting below is taken from its flag, else from its environment variable (the flag's name
in capitals after SYNOD_, like SYNOD_RPC_API for --rpc-api), else from the config file, else
its default.

options:
  --config FILE        the validator's config.json (SYNOD_CONFIG)
  --print-config       print the resolved config as JSON (secrets redacted) and where each
                       setting came from (on stderr), then exit without starting
  --data-dir DIR       the chain store, journal and pending transactions (config "dataDir")
  --listen H:P         address for validator connections (config "listen")
  --rpc-addr H:P       JSON-RPC over HTTP and WebSocket (config "rpc.addr")
  --log-level LEVEL    ${LOG_LEVELS.join(' | ')} (default info)
  --log-format FORMAT  ${LOG_FORMATS.join(' | ')} (default auto: pretty on a terminal, JSON lines otherwise)
  --durability MODE    machine: every write fsync'ed, survives power loss (default) | process: writes
                       survive a crash of the process, not of the machine (the devnet's default;
                       config "durability")
${PASSWORD_FLAG_HELP}
  --unlock-dev-accounts
                       sign for the 20 development accounts of the mnemonic "test test ... junk"
                       (eth_accounts, eth_sendTransaction, eth_sign, personal_sign,
                       eth_signTypedData_v4), as Hardhat and Anvil do; for a devnet only: their
                       keys are public. 'synod devnet' passes it. Default: no account unlocked

${rpcFlagsHelp({ ...DEFAULT_RPC_SETTINGS, metricsAddr: 'none: /metrics on the JSON-RPC port only' })}`;

const OPTIONS = {
  [CONFIG_FLAG]: { type: 'string' },
  'print-config': { type: 'boolean' },
  'password-file': { type: 'string' },
  'unlock-dev-accounts': { type: 'boolean' },
  ...Object.fromEntries(OPERATOR_SETTINGS.map((s) => [s.flag, { type: 'string' }])),
} as Record<string, { type: 'string' | 'boolean' }>;

/** What --print-config writes: the config in its file's shape on stdout, the sources on stderr. */
export function printConfig(config: ResolvedConfig): { stdout: string; stderr: string } {
  const file = configFileOf(config) as unknown as Record<string, unknown>;
  const lines = OPERATOR_SETTINGS.map(({ key, flag }) => {
    const source = config.sources[key] ?? 'default';
    const from = source === 'flag' ? `--${flag}` : source === 'env' ? envName(flag) : source === 'file' ? config.configPath : 'default';
    return `  ${key.padEnd(27)} from ${from}`;
  });
  return { stdout: `${JSON.stringify(redactSecrets(file), null, 2)}\n`, stderr: `where each setting came from:\n${lines.join('\n')}\n` };
}

export const command: CliCommand = {
  help: HELP,
  async run(argv: string[]): Promise<number> {
    const values = parseFlags(argv, OPTIONS, 'start') as Record<string, string | boolean | undefined>;
    const configPath = (values[CONFIG_FLAG] as string | undefined) ?? (process.env[envName(CONFIG_FLAG)] || undefined);
    if (configPath === undefined) throw new CliError("--config FILE (or SYNOD_CONFIG) is required: the validator's config.json");
    const strings = Object.fromEntries(Object.entries(values).filter((e): e is [string, string] => typeof e[1] === 'string'));
    const overrides = cliErrors(() => parseOverrides(collectSettings(strings, process.env)));
    let validator;
    try {
      if (values['print-config'] === true) {
        const { stdout, stderr } = printConfig(resolveValidatorConfig(configPath, overrides));
        process.stdout.write(stdout);
        process.stderr.write(stderr);
        return 0;
      }
      const password = readPassword(values['password-file'] as string | undefined);
      const config = { ...loadValidatorConfig(configPath, overrides, password), unlockDevAccounts: values['unlock-dev-accounts'] === true };
      if (config.plaintextKey) {
        console.error(`warning: the key file of ${config.configPath} is plaintext: anyone who can read it holds the validator's key; encrypt it with 'synod keys import'`);
      }
      validator = await startValidator(config);
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
