// Structured logs (pino, JSON lines) with the level from the config or --log-level.
import { pino, type Logger } from 'pino';
import type { LogLevel } from './config.js';

export type { Logger } from 'pino';

export function createLogger(name: string, level: LogLevel, destination?: NodeJS.WritableStream): Logger {
  return pino({ name, level, base: { validator: name }, timestamp: pino.stdTimeFunctions.isoTime }, destination ?? process.stdout);
}
