// Parsing of numeric command-line flags with messages that name the flag and the fix.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliError } from './command.js';

export function parseIntegerFlag(value: string, flag: string, min: number, max: number): number {
  const n = /^-?\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new CliError(`${flag} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return n;
}

export function parsePortFlag(value: string, flag: string): number {
  return parseIntegerFlag(value, flag, 1, 65535);
}

/** Strict option parsing: an unknown flag or a missing value is a CliError pointing at --help. */
export function parseFlags<const T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T, command: string) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new CliError(`${(error as Error).message}. Run 'synod ${command} --help'.`);
  }
}
