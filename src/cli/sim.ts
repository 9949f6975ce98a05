// `synod sim`: placeholder until its issue lands; prints that it is not available yet.
import { CliError, type CliCommand } from './command.js';

export const command: CliCommand = {
  help: 'usage: synod sim (not available yet)',
  async run(): Promise<number> {
    throw new CliError('sim is not available in this build yet', 1);
  },
};
