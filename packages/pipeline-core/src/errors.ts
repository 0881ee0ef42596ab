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

/**
 * A Schema Registry request that did not get the answer it asked for. `retriable` says whether a later try may
 * succeed: the registry could not be reached or did not answer in time, or answered 408, 429 or 5xx. Anything else
 * is the registry's word (`status` and Confluent's `errorCode`, e.g. 404 with 40403 for an unknown schema id,
 * 409 for an incompatible schema, 422 for an invalid one).
 */
export class SchemaRegistryError extends Error {
  readonly retriable: boolean;
  /** The HTTP status of the registry's answer; undefined when there was none. */
  readonly status: number | undefined;
  /** Confluent's `error_code` from the answer's body, when it had one. */
  readonly errorCode: number | undefined;

  constructor(
    /** `METHOD path` of the request, without the registry's address or credentials. */
    readonly request: string,
    message: string,
    details: { status?: number; errorCode?: number; retriable: boolean; cause?: unknown },
  ) {
    super(
      `schema registry ${request}: ${message}`,
      details.cause === undefined ? {} : { cause: details.cause },
    );
    this.name = 'SchemaRegistryError';
    this.status = details.status;
    this.errorCode = details.errorCode;
    this.retriable = details.retriable;
  }

  /** The registry's own "no schema with this id" (404, error code 40403), as opposed to a 404 from a wrong URL. */
  get schemaNotFound(): boolean {
    return this.status === 404 && this.errorCode === 40403;
  }
}

/**
 * The producer lost its transactional id to a newer instance (the memory broker's `ProducerFencedError`, or Kafka's
 * INVALID_PRODUCER_EPOCH / PRODUCER_FENCED anywhere in the cause chain): this instance must stop, never retry.
 */
export function isFencedError(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = (e as { cause?: unknown }).cause) {
    const type = (e as { type?: string }).type;
    if (e.name === 'ProducerFencedError' || type === 'INVALID_PRODUCER_EPOCH' || type === 'PRODUCER_FENCED')
      return true;
  }
  return false;
}

/**
 * Something the pipeline depends on (a database, a service, the broker) could not be reached or stayed unavailable
 * through its retries: no record and no request is at fault. Erroring a stage's pipeline with it makes the stage
 * ride the outage out as it rides out the broker's (`StageOptions.outageLimitMs`): unready, its uncommitted records
 * taken again from the committed offsets. An HTTP runner answers it with 503 (retry later).
 */
export class DependencyUnavailableError extends Error {
  /** Worth trying again later: no request and no record is at fault. */
  readonly retriable = true;

  constructor(
    readonly dependency: string,
    cause: unknown,
  ) {
    super(`${dependency} is unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
    this.name = 'DependencyUnavailableError';
  }
}
