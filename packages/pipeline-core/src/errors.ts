/** Errors raised by pipeline-core, each carrying the context a log line or dead-letter header needs. */

/** A record's bytes could not be decoded with the stage's serde. */
export class DecodeError extends Error {
  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly offset: number,
    cause: unknown,
  ) {
    super(
      `cannot decode ${topic}[${partition}]@${offset}: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
    this.name = 'DecodeError';
  }
}

/** Work that was retried and still failed; `attempts` counts every try, the first included. */
export class RetriesExhaustedError extends Error {
  constructor(
    readonly attempts: number,
    cause: unknown,
  ) {
    super(`failed after ${attempts} attempt(s): ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
    this.name = 'RetriesExhaustedError';
  }
}

/** The number of attempts an error stands for: its own count when it has one, else 1. */
export function attemptsOf(error: unknown): number {
  return error instanceof RetriesExhaustedError ? error.attempts : 1;
}

/** A stage could not go on (commit or transaction failure, transport crash); the runner should restart it. */
export class StageFailedError extends Error {
  constructor(
    readonly stage: string,
    cause: unknown,
  ) {
    super(`stage ${stage} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'StageFailedError';
  }
}
