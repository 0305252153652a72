import { pino, type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;

export interface LoggerOptions {
  /** The deployable's name, on every line as `service`. */
  readonly service: string;
  /** pino level; default `info` (`LOG_LEVEL` in each deployable's config). */
  readonly level?: string;
  /** Where lines go; default standard output. Tests pass a stream to read what was logged. */
  readonly destination?: pino.DestinationStream;
}

/** Header and field names whose values never reach a log line. */
export const REDACTED_PATHS: readonly string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'token',
  'accessToken',
  'password',
  '*.password',
  '*.token',
];

/** One JSON logger per process; request handlers derive children carrying `requestId`. */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: options.service },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination,
  );
}
