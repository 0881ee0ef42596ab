import { RetriesExhaustedError } from '@tm/pipeline-core';
import { CampaignDbError } from '../campaign/db/errors.js';
import { StoreUnavailableError } from '../kv/key-value-store.js';

/** A service the ARM or the security service depends on could not be reached (HTTP 503, retry later). */
export class DependencyUnavailableError extends Error {
  readonly retriable = true;

  constructor(
    readonly dependency: 'security' | 'broker',
    cause: unknown,
  ) {
    super(`${dependency} unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'DependencyUnavailableError';
  }
}

/**
 * True when `error` means a dependency is down rather than that the request or the code is wrong: a retriable
 * database failure, the key-value store, the security service or the broker. Such a failure answers 503, is retried
 * by a stage, and never dead-letters a record.
 */
export function isUnavailable(error: unknown): boolean {
  const e = error instanceof RetriesExhaustedError ? error.cause : error;
  return (
    e instanceof StoreUnavailableError ||
    e instanceof DependencyUnavailableError ||
    (e instanceof CampaignDbError && e.retriable)
  );
}
