// `synod devnet`: placeholder until its issue lands; prints that it is not available yet.
import { CliError, type CliCommand } from './command.js';

export const command: CliCommand = {
  help: 'usage: synod devnet (not available yet)',
  async run(): Promise<number> {
    throw new CliError('devnet is not available in this build yet', 1);
  },
};
