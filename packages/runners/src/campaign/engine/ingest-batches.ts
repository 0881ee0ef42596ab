import type { Candidate } from '@tm/contracts';
import {
  attemptsOf,
  type Committable,
  type Emission,
  inLanes,
  type RetryPolicy,
  writeBatches,
} from '@tm/pipeline-core';
import {
  catchError,
  concatMap,
  EMPTY,
  from,
  ignoreElements,
  type Observable,
  type OperatorFunction,
  tap,
  throwError,
} from 'rxjs';
import type { IngestResult } from '../db/ingest.js';
import { databaseUnavailable, isDatabaseUnavailable, withDbRetry } from './db-retry.js';
import { UnknownReferenceError } from './errors.js';

/** Options of {@link ingestBatches}. */
export interface IngestBatchesOptions {
  /** Stores one batch in one transaction: `ingestCandidates` bound to the database and the clock. */
  ingest: (candidates: readonly Candidate[]) => Promise<IngestResult>;
  /** Most candidates per batch. */
  batchSize: number;
  /** How long a partial batch waits for more while its lane is idle, ms. */
  lingerMs: number;
  /** Batches stored at once; each lane holds its own clients. */
  concurrency: number;
  /** Retries of retriable database failures (default {@link DB_RETRY}). */
  retry?: RetryPolicy;
  /** Sees what each stored batch did (metrics, the ANALYZE trigger, the outbox publisher). */
  onIngested?: (result: IngestResult) => void;
  /** Told when a batch the database refused is stored one candidate at a time. */
  onBatchRefused?: (error: unknown, records: number) => void;
}

/**
 * The campaign engine's ingest (thesis §2.6.3): candidates are gathered into batches ({@link writeBatches}: up to
 * `batchSize`, `lingerMs` after the first while the lane is idle, and whatever gathered while the previous batch
 * was being stored), each batch is stored by one `ingest` call (one transaction), and only after it committed are
 * the batch's records acked — a crash before that redelivers them, and a redelivered candidate changes nothing (its id is stored).
 *
 * Candidates are spread over `concurrency` lanes by phone ({@link inLanes}), each lane storing one batch at a time, so batches of
 * different lanes are written concurrently while one client's candidates stay in arrival order (the last one
 * wins). A candidate of a campaign the database does not know is dead-lettered. A batch the database refuses
 * with a non-retriable error is stored again one candidate at a time, so only the candidates that fail alone are
 * dead-lettered; a retriable failure that outlasts the retries fails the stream (and the stage).
 *
 * Emits nothing: every record is settled here.
 */
export function ingestBatches(
  options: IngestBatchesOptions,
): OperatorFunction<Committable<Candidate>, Emission> {
  const settle = (records: readonly Committable<Candidate>[], result: IngestResult) => {
    options.onIngested?.(result);
    const unknown = new Set(result.unknownCampaign);
    for (const record of records) {
      const c = record.value;
      if (unknown.has(c.candidateId))
        record.deadLetter(new UnknownReferenceError('campaign', c.campaignId, c.candidateId), 1);
      else record.ack();
    }
  };

  const storeOneByOne = (batch: readonly Committable<Candidate>[]): Observable<never> =>
    from(batch).pipe(
      concatMap((record) =>
        withDbRetry(() => options.ingest([record.value]), options.retry).pipe(
          tap((result) => settle([record], result)),
          catchError((error: unknown) => {
            if (isDatabaseUnavailable(error)) return throwError(() => databaseUnavailable(error));
            record.deadLetter(error, attemptsOf(error));
            return EMPTY;
          }),
        ),
      ),
      ignoreElements(),
    );

  const store = (batch: readonly Committable<Candidate>[]): Observable<never> =>
    withDbRetry(() => options.ingest(batch.map((r) => r.value)), options.retry).pipe(
      tap((result) => settle(batch, result)),
      ignoreElements(),
      catchError((error: unknown) => {
        if (isDatabaseUnavailable(error)) return throwError(() => databaseUnavailable(error));
        options.onBatchRefused?.(error, batch.length);
        return storeOneByOne(batch);
      }),
    );

  return inLanes(
    options.concurrency,
    (record) => record.value.phone,
    writeBatches((batch) => store(batch), { count: options.batchSize, lingerMs: options.lingerMs }),
  );
}
