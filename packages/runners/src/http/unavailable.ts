import { DependencyUnavailableError, RetriesExhaustedError } from '@tm/pipeline-core';
import { isRetriableDbError } from '../campaign/engine/db-retry.js';
import { StoreUnavailableError } from '../kv/key-value-store.js';

/**
 * True when `error` means a dependency is down rather than that the request or the code is wrong: a retriable
 * database failure, the key-value store, the security service or the broker. Such a failure answers 503, is retried
 * by a stage, and never dead-letters a record.
 */
export function isUnavailable(error: unknown): boolean {
  const e = error instanceof RetriesExhaustedError ? error.cause : error;
  return (
    e instanceof StoreUnavailableError || e instanceof DependencyUnavailableError || isRetriableDbError(e)
  );
}
