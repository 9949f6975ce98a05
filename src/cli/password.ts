// The password of an encrypted key file: `--password-file FILE` (its first line, as geth reads
// `--password`), else the SYNOD_KEY_PASSWORD environment variable, which is removed from this
// process's environment either way, so that nothing it starts (worker threads included) inherits it.
import { readFileSync } from 'node:fs';
import { CliError } from './command.js';
import type { KeyPassword } from '../node/config.js';

export const PASSWORD_ENV = 'SYNOD_KEY_PASSWORD';
/** A password file larger than this is the wrong file. */
export const MAX_PASSWORD_FILE_BYTES = 4096;

export const PASSWORD_FLAG_HELP = `  --password-file FILE
                     the key's password: the file's first line (default: the ${PASSWORD_ENV}
                     environment variable)`;

export function readPassword(passwordFile: string | undefined): KeyPassword | undefined {
  const fromEnv = process.env[PASSWORD_ENV];
  delete process.env[PASSWORD_ENV];
  if (passwordFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(passwordFile, 'utf8');
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `cannot be read (${(error as Error).message})`;
      throw new CliError(`--password-file ${passwordFile} ${reason}: give a file whose first line is the password`, 1);
    }
    if (text.length > MAX_PASSWORD_FILE_BYTES) throw new CliError(`--password-file ${passwordFile} is over ${MAX_PASSWORD_FILE_BYTES} bytes: give a file whose first line is the password`);
    return { password: text.split('\n')[0]!.replace(/\r$/, ''), source: `--password-file ${passwordFile}` };
  }
  return fromEnv === undefined ? undefined : { password: fromEnv, source: PASSWORD_ENV };
}
