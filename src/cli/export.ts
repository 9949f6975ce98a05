// `synod export`: a node's certified blocks to an archive file (src/node/chain-archive.ts), for a
// backup or to seed a new node with `synod import`. Reads the store as the query workers do, so a
// running validator keeps running while it is exported.
import { exportDataDir } from '../node/archive-data-dir.js';
import { ArchiveError } from '../node/chain-archive.js';
import { resolveValidatorConfig } from '../node/config.js';
import { ConfigError } from '../node/errors.js';
import { CliError, type CliCommand } from './command.js';
import { parseFlags } from './flags.js';

const HELP = `usage: synod export (--config FILE | --data-dir DIR) --out FILE [--from N] [--to M]

Writes the certified blocks FROM..TO of a node's data dir, each with its finality certificate and
its raw transactions, to FILE (a Synod chain archive). 'synod import' applies such a file to
another data dir, checking every block against its certificate. The node may keep running: the
export reads a consistent snapshot of its store. FILE appears only once complete (written as
FILE.partial, then renamed).

  --config FILE    the validator's config.json (its data dir is exported)
  --data-dir DIR   the data dir to export (instead of --config, or overriding its data dir)
  --out FILE       the archive to write (replaced if it exists)
  --from N         first block (default 1; block 0 is the genesis, which every node builds from
                   its genesis file)
  --to M           last block (default: the highest block with a stored certificate)

Backups: see the README's "Backups and archives".`;

const OPTIONS = {
  config: { type: 'string' },
  'data-dir': { type: 'string' },
  out: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
} as const;

function blockNumberFlag(value: string | undefined, flag: string): bigint | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim())) throw new CliError(`${flag} must be a block number (0, 1, 2, ...), got ${JSON.stringify(value)}`);
  return BigInt(value.trim());
}

/** The data dir named by --data-dir, or by the config of --config. */
function dataDirOf(values: { readonly config?: string; readonly 'data-dir'?: string }, command: string): string {
  if (values['data-dir'] !== undefined) return values['data-dir'];
  if (values.config === undefined) throw new CliError(`--config FILE or --data-dir DIR is required. Run 'synod ${command} --help'.`);
  try {
    return resolveValidatorConfig(values.config).dataDir;
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message, 1);
    throw error;
  }
}

export const command: CliCommand = {
  help: HELP,
  async run(argv: string[]): Promise<number> {
    const values = parseFlags(argv, OPTIONS, 'export');
    if (values.out === undefined) throw new CliError("--out FILE is required: where to write the archive. Run 'synod export --help'.");
    const from = blockNumberFlag(values.from, '--from') ?? 1n;
    const to = blockNumberFlag(values.to, '--to');
    const dataDir = dataDirOf(values, 'export');
    const started = Date.now();
    try {
      const header = await exportDataDir(dataDir, values.out, {
        from,
        ...(to !== undefined ? { to } : {}),
        onProgress: (height, last) => process.stderr.write(`exported up to block ${height} of ${last}\r`),
      });
      process.stderr.write('\n');
      console.log(`wrote blocks ${header.first}..${header.last} of chain ${header.chainId} (genesis ${header.genesisHash}) to ${values.out} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return 0;
    } catch (error) {
      if (error instanceof ArchiveError) throw new CliError(error.message, 1);
      throw error;
    }
  },
};
