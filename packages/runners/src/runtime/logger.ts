import { type DestinationStream, type Logger, pino } from 'pino';

/**
 * Paths pino redacts in every runner log line: personal data of applications, candidates and results. Runner code
 * logs masked phones (`maskPhone`) and ids; this list is the safety net for whole objects that slip into a log.
 */
export const REDACTED_PATHS = [
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
  '*.phone',
  '*.clientPhone',
  '*.passportSeries',
  '*.passportNumber',
  '*.lastName',
  '*.firstName',
  '*.middleName',
  '*.birthDate',
  '*.deviceId',
  '*.faceId',
  '*.*.phone',
  '*.*.passportNumber',
  '*.*.lastName',
  '*.*.firstName',
  '*.*.middleName',
];

/** The logger of a runner: pino JSON to stdout, level from LOG_LEVEL (default info), personal data redacted. */
export function createLogger(
  name: string,
  options: { level?: string; destination?: NodeJS.WritableStream } = {},
): Logger {
  return pino(
    {
      name,
      level: options.level ?? process.env.LOG_LEVEL ?? 'info',
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    },
    options.destination as DestinationStream | undefined,
  );
}

export type { Logger };
