// Parsing of numeric command-line flags with messages that name the flag and the fix.
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
