import { type Logger, pino } from 'pino';

/**
 * The default logger: pino JSON to stdout, level from LOG_LEVEL (default info). pipeline-core itself logs
 * topics, partitions, offsets and error messages, never record values; pass your own logger with `redact` paths
 * for anything of yours that could hold personal data.
 */
export function defaultLogger(name = 'pipeline'): Logger {
  return pino({ name, level: process.env.LOG_LEVEL ?? 'info' });
}

export type { Logger };
