// Structured logs (pino): JSON lines for machines, or pino-pretty's coloured lines for a person
// at a terminal (format "auto": pretty when the destination is a TTY). The level starts from the
// config and changes at run time through a LogControl (admin_setLogLevel, SIGUSR2), which
// reaches every child logger too: pino fixes a child's level when the child is made, so the
// control keeps (weak) references to the children and sets each one.
import { createRequire } from 'node:module';
import { pino, type Logger } from 'pino';
import type { PinoPretty as PrettyFactory } from 'pino-pretty';
import { LOG_LEVELS, type LogFormat, type LogLevel } from './settings.js';

export type { Logger } from 'pino';

/** Children kept before dead references are swept (children made per connection come and go). */
const CHILD_SWEEP_THRESHOLD = 1_024;
/** SIGUSR2 steps through these levels, from the quietest useful one to the most verbose. */
export const SIGUSR2_LEVEL_CYCLE: readonly LogLevel[] = ['info', 'debug', 'trace', 'warn'];

export interface LogControl {
  readonly logger: Logger;
  level(): LogLevel;
  /** Sets the level of the logger and of every child made from it; returns the previous level. */
  setLevel(level: LogLevel): LogLevel;
}

export interface LoggerOptions {
  readonly format?: LogFormat;
  readonly destination?: NodeJS.WritableStream;
}

const require = createRequire(import.meta.url);

/** pino-pretty, loaded only when a logger writes pretty lines (it costs start-up time otherwise). */
function prettyStream(options: Parameters<typeof PrettyFactory>[0]): NodeJS.WritableStream {
  const { PinoPretty } = require('pino-pretty') as { PinoPretty: typeof PrettyFactory };
  return PinoPretty(options);
}

/** Pretty when asked, or when "auto" and the destination is a terminal. */
export function wantsPretty(format: LogFormat, destination: NodeJS.WritableStream): boolean {
  return format === 'pretty' || (format === 'auto' && (destination as { isTTY?: boolean }).isTTY === true);
}

export function createLogControl(name: string, level: LogLevel, options: LoggerOptions = {}): LogControl {
  const destination = options.destination ?? process.stdout;
  const children = new Set<WeakRef<Logger>>();
  const sweep = () => {
    for (const ref of children) if (ref.deref() === undefined) children.delete(ref);
  };
  const stream = wantsPretty(options.format ?? 'json', destination)
    ? prettyStream({ destination, colorize: (destination as { isTTY?: boolean }).isTTY === true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,validator', sync: true })
    : destination;
  const logger = pino(
    {
      name,
      level,
      base: { validator: name },
      timestamp: pino.stdTimeFunctions.isoTime,
      onChild: (child) => {
        if (children.size >= CHILD_SWEEP_THRESHOLD) sweep();
        children.add(new WeakRef(child));
      },
    },
    stream,
  );
  return {
    logger,
    level: () => logger.level as LogLevel,
    setLevel: (next) => {
      const previous = logger.level as LogLevel;
      logger.level = next;
      for (const ref of children) {
        const child = ref.deref();
        if (child === undefined) children.delete(ref);
        else child.level = next;
      }
      return previous;
    },
  };
}

export function createLogger(name: string, level: LogLevel, destination?: NodeJS.WritableStream, format: LogFormat = 'json'): Logger {
  return createLogControl(name, level, { format, ...(destination === undefined ? {} : { destination }) }).logger;
}

/** The level after `current` in the SIGUSR2 cycle (the cycle's first when `current` is off it). */
export function nextCycleLevel(current: LogLevel): LogLevel {
  const i = SIGUSR2_LEVEL_CYCLE.indexOf(current);
  return SIGUSR2_LEVEL_CYCLE[(i + 1) % SIGUSR2_LEVEL_CYCLE.length]!;
}

export function isLogLevel(value: unknown): value is LogLevel {
  return LOG_LEVELS.includes(value as LogLevel);
}
