// `synod import`: applies a chain archive (synod export) to a validator's data dir, every block
// checked against its certificate and the genesis committee before it executes, as sync does.
import { importIntoDataDir } from '../node/archive-data-dir.js';
import { ArchiveError } from '../node/chain-archive.js';
import { resolveValidatorConfig } from '../node/config.js';
import { ConfigError } from '../node/errors.js';
import { CliError, type CliCommand } from './command.js';
import { parseFlags } from './flags.js';

const HELP = `usage: synod import --config FILE --in FILE [--data-dir DIR]

Applies a chain archive written by 'synod export' to the data dir of the validator whose
config.json is FILE (a new data dir starts from the config's genesis file). Every block is
checked before it executes: its certificate must carry a quorum of the committee's weight for
this chain and height, and executing it must give the certified header and state root. Blocks the
data dir already holds are skipped when they are the archive's; the import stops at the first
block that fails, keeping everything before it. The validator must not be running (the data
dir's LOCK says who holds it); start it afterwards and it syncs the rest from its peers.

  --config FILE    the validator's config.json (genesis file and data dir)
  --in FILE        the archive to import
  --data-dir DIR   import into DIR instead of the config's data dir`;

const OPTIONS = {
  config: { type: 'string' },
  in: { type: 'string' },
  'data-dir': { type: 'string' },
} as const;

export const command: CliCommand = {
  help: HELP,
  async run(argv: string[]): Promise<number> {
    const values = parseFlags(argv, OPTIONS, 'import');
    if (values.config === undefined) throw new CliError("--config FILE is required: the validator's config.json (its genesis file says which chain to accept). Run 'synod import --help'.");
    if (values.in === undefined) throw new CliError("--in FILE is required: the archive written by 'synod export'. Run 'synod import --help'.");
    let config;
    try {
      config = resolveValidatorConfig(values.config, values['data-dir'] !== undefined ? { dataDir: values['data-dir'] } : {});
    } catch (error) {
      if (error instanceof ConfigError) throw new CliError(error.message, 1);
      throw error;
    }
    const started = Date.now();
    try {
      const result = await importIntoDataDir(config, values.in, { onProgress: (height, last) => process.stderr.write(`imported up to block ${height} of ${last}\r`) });
      process.stderr.write('\n');
      console.log(`imported ${result.imported} blocks (${result.alreadyHeld} already held) from ${values.in} in ${((Date.now() - started) / 1000).toFixed(1)} s; head is now block ${result.head}`);
      return 0;
    } catch (error) {
      if (error instanceof ArchiveError || error instanceof ConfigError) throw new CliError(error.message, 1);
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new CliError(`${values.in}: no such file`, 1);
      throw error;
    }
  },
};
