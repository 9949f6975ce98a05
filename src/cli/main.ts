// Entry point of the `synod` command. Each subcommand lives in its own file and exports
// `command: CliCommand`; this file only dispatches, so subcommands load lazily.
import type { CliCommand } from './command.js';

const COMMANDS: Record<string, () => Promise<{ command: CliCommand }>> = {
  analyze: () => import('./analyze.js'),
  sim: () => import('./sim.js'),
  devnet: () => import('./devnet.js'),
  start: () => import('./start.js'),
  init: () => import('./init.js'),
  keys: () => import('./keys.js'),
  export: () => import('./export.js'),
  import: () => import('./import.js'),
};

const SUMMARIES: Record<string, string> = {
  analyze: "the seed's stake model: weights, selection probabilities, committee risk, K sizing",
  sim: 'deterministic simulation of the consensus core under faults, from a seed',
  devnet: 'start a local multi-validator devnet with funded development accounts',
  start: 'run one validator from its config file',
  init: 'write genesis and one config per validator for a network across machines',
  keys: "generate, inspect or import a validator's (or an account's) encrypted keystore",
  export: "write a node's certified blocks to an archive file (a backup, or a new node's start)",
  import: 'apply an archive from synod export to a data dir, every block checked against its certificate',
};

function usage(): string {
  const lines = ['usage: synod <command> [options]', '', 'commands:'];
  for (const name of Object.keys(COMMANDS)) lines.push(`  ${name.padEnd(9)} ${SUMMARIES[name]}`);
  lines.push('', "Run 'synod <command> --help' for a command's options.");
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return;
  }
  const load = COMMANDS[name];
  if (load === undefined) {
    console.error(`synod: unknown command '${name}'.\n\n${usage()}`);
    process.exitCode = 2;
    return;
  }
  const { command } = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(command.help);
    return;
  }
  try {
    process.exitCode = await command.run(rest);
  } catch (error) {
    if (error instanceof CliError) {
      console.error(`synod ${name}: ${error.message}`);
      process.exitCode = error.exitCode;
      return;
    }
    throw error;
  }
}

export { CliError } from './command.js';
import { CliError } from './command.js';
