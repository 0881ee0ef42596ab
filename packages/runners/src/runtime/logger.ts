import { type DestinationStream, type Logger, pino } from 'pino';

/** Personal fields of applications, candidates and results (Appendix A and the ARM DTOs). */
export const PERSONAL_FIELDS = [
  'phone',
  'clientPhone',
  'passportSeries',
  'passportNumber',
  'lastName',
  'firstName',
  'middleName',
  'birthDate',
  'deviceId',
  'faceId',
] as const;

/** How deep below a log line's top level personal fields are looked for (`{record:{value:{application:{phone}}}}`). */
const REDACT_DEPTH = 4;

/**
 * Paths pino redacts in every runner log line: each personal field at the top level and up to {@link REDACT_DEPTH}
 * objects down. Runner code logs masked phones (`maskPhone`) and ids; this list is the safety net for whole objects
 * that slip into a log.
 */
export const REDACTED_PATHS: readonly string[] = PERSONAL_FIELDS.flatMap((field) =>
  Array.from({ length: REDACT_DEPTH + 1 }, (_, depth) => `${'*.'.repeat(depth)}${field}`),
);

/** The logger of a runner: pino JSON to stdout, level from LOG_LEVEL (default info), personal data redacted. */
export function createLogger(
  name: string,
  options: { level?: string; destination?: NodeJS.WritableStream } = {},
): Logger {
  return pino(
    {
      name,
      level: options.level ?? process.env.LOG_LEVEL ?? 'info',
      redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
    },
    options.destination as DestinationStream | undefined,
  );
}

export type { Logger };
