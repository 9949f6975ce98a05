// `synod analyze`: placeholder until its issue lands; prints that it is not available yet.
import { CliError, type CliCommand } from './command.js';

export const command: CliCommand = {
  help: 'usage: synod analyze (not available yet)',
  async run(): Promise<number> {
    throw new CliError('analyze is not available in this build yet', 1);
  },
};
