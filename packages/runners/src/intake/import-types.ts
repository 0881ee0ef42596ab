import type { DataStreamConfig } from '@tm/contracts';
import type { TransportProducer } from '@tm/pipeline-core';
import type { Logger } from '../runtime/index.js';
import type { FileLedger } from './ledger.js';

/** Everything intake needs to import files of one data stream. */
export interface StreamContext {
  readonly stream: DataStreamConfig;
  readonly successDir: string;
  readonly errorDir: string;
  /** The stream's transactional producer (one per stream, its id stable across restarts). */
  readonly producer: TransportProducer;
  readonly ledger: FileLedger;
  /** Files up to this size are imported in one pass and one transaction; larger ones in chunks (ADR 0068). */
  readonly singleTransactionMaxBytes: number;
  /**
   * The producer's transaction timeout (`events.transaction-timeout-ms`): a single-transaction import still running
   * at half of it is aborted and done in chunks instead, before the coordinator aborts it (issue 15, defect 3).
   */
  readonly transactionTimeoutMs: number;
  /** Rows per transaction of a file imported in chunks (ADR 0041). */
  readonly rowsPerTransaction: number;
  readonly logger: Logger;
  /** Clock for `receivedAt` (default `Date.now`); a file read with a clock is checked in this thread. */
  readonly clock?: () => number;
  /**
   * The framing header rows are encoded behind: the application serde's, once ready (Confluent's with the
   * registered schema id when there is a registry). Default: single-object encoding.
   */
  readonly avroHeader?: Uint8Array;
}

/**
 * Where an import is: checking and publishing in one pass (`importing`), or, for a file imported in chunks,
 * reading it for format control (`validating`) and then publishing its rows (`publishing`).
 */
export interface ImportProgress {
  readonly phase: 'importing' | 'validating' | 'publishing';
  readonly bytes: number;
  readonly totalBytes: number;
  readonly rows: number;
}

/** What became of one file. */
export interface FileOutcome {
  readonly stream: string;
  /** The name the file arrived under. */
  readonly file: string;
  readonly outcome: 'accepted' | 'rejected';
  /**
   * How it was imported: all rows in one transaction, format control and publishing in one pass; or checked
   * first, then published in transactions of `rowsPerTransaction` rows (ADR 0068).
   */
  readonly mode: 'single-transaction' | 'chunked';
  /** Rows of the file (blank lines and a header row not counted). */
  readonly rows: number;
  /** Rows published by this import (less than `rows` when an earlier, interrupted import published some). */
  readonly published: number;
  /** Format-control errors (rejected files). */
  readonly errors: number;
  /** Where the file is now (in success/ or error/). */
  readonly movedTo: string;
  /** The report beside a rejected file. */
  readonly report?: string;
  /** The ledger already had every row of this file (same bytes): nothing was published, the file was moved. */
  readonly alreadyImported: boolean;
  /** The import went on after this line, published by an interrupted earlier import (0: from the start). */
  readonly resumedAfterLine: number;
  readonly durationMs: number;
  /**
   * Of which format control before the first row was published (reading, checking, encoding into the spool):
   * the chunked mode only, 0 when both ran in one pass.
   */
  readonly checkMs: number;
}

export interface ImportOptions {
  readonly onProgress?: (progress: ImportProgress) => void;
  /**
   * Asked after each send: true stops the import (a file imported in chunks after its next committed transaction,
   * resumed from the ledger later; a file in one transaction at once, its transaction aborted and the file
   * imported again later).
   */
  readonly shouldStop?: () => boolean;
}
