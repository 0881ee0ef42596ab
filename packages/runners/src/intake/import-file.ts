import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { DataStreamConfig } from '@tm/contracts';
import { TransactionSender, type TransportProducer } from '@tm/pipeline-core';
import type { Logger } from '../runtime/index.js';
import { freeName, reportNameOf } from './file-naming.js';
import type { IncomingFile } from './folder-scan.js';
import { type CheckedBatch, type CheckSummary, checkFile, unpack } from './format-pass.js';
import { type FileLedger, type LedgerEntry, resumeDecision } from './ledger.js';
import { readSpool, SpoolWriter } from './spool.js';

/** Rows handed to the producer in one send (one produce request); the next batch is assembled while this one is on the wire. */
const SEND_BATCH = 2500;

/** Files at least this big are checked in a worker thread (below it, starting the worker costs more than it saves). */
const WORKER_MIN_BYTES = 4 * 1024 * 1024;

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

/**
 * Imports one file of a stream (thesis §2.6.1, DESIGN.md §4). Format control checks every row, hashing the bytes
 * on the way (the file's identity in the ledger) and encoding each good row (Avro) as it will be published; a
 * file with a bad row is moved to error/ with its report (`NAME.errors.txt`, the lines of `tm validate-csv`) and
 * nothing of it is published. Good rows are published as Applications to the stream's topic, keyed by application
 * number, and the file is moved to success/. Exactly once (ADRs 0041, 0068), in one of two modes:
 *
 * - **single transaction** (files up to `singleTransactionMaxBytes`): format control and publishing in one pass,
 *   every row and the file's ledger entry in one Kafka transaction, committed once the whole file passed; aborted
 *   at the first bad row, or when the ledger shows the same bytes were imported before. A crash aborts it, and
 *   the file is imported again from the start.
 * - **chunked** (larger files): format control first, the encoded rows spooled beside the file (ADR 0044), then
 *   published in transactions of `rowsPerTransaction` rows, each writing the file's progress to the ledger; a
 *   crash resumes after the last committed line.
 *
 * Names never collide: a file whose name is taken in success/ or error/ gets `BASE.N.EXT` (see `freeName`).
 *
 * @return the outcome, or `'stopped'` when `shouldStop` stopped it.
 * @throws {CsvReadError} when the file cannot be read; transport errors as they come (the transaction is
 *   aborted, the file stays for the next attempt, and the ledger says where it got to).
 */
export async function importFile(
  file: IncomingFile,
  ctx: StreamContext,
  options: ImportOptions = {},
): Promise<FileOutcome | 'stopped'> {
  return file.size <= ctx.singleTransactionMaxBytes
    ? importInOneTransaction(file, ctx, options)
    : importInChunks(file, ctx, options);
}

/** Runs `onBatch` on each batch of a format pass; resolves with its summary, or undefined when `onBatch` said stop. */
async function eachBatch(
  batches: AsyncGenerator<CheckedBatch, CheckSummary>,
  onBatch: (batch: CheckedBatch) => Promise<'stop' | undefined> | 'stop' | undefined,
): Promise<CheckSummary | undefined> {
  try {
    for (;;) {
      const next = await batches.next();
      if (next.done) return next.value;
      if ((await onBatch(next.value)) === 'stop') return undefined;
    }
  } finally {
    await batches.return(undefined as never); // stops a worker that is still reading
  }
}

function checkOptions(file: IncomingFile, ctx: StreamContext) {
  return {
    dataStream: ctx.stream.name,
    dialect: ctx.stream.csv,
    sourceFile: file.name,
    inWorker: file.size >= WORKER_MIN_BYTES,
    ...(ctx.clock ? { clock: ctx.clock } : {}),
    ...(ctx.avroHeader ? { avroHeader: ctx.avroHeader } : {}),
  };
}

/** The report of a refused file, streamed to a temporary file in error/ until the file is moved beside it. */
class ErrorReport {
  #lines: string[] = [];
  #handle: Awaited<ReturnType<typeof open>> | undefined;
  #first: string | undefined;

  constructor(
    readonly path: string,
    private readonly dir: string,
  ) {}

  get first(): string | undefined {
    return this.#first;
  }

  async add(lines: readonly string[]): Promise<void> {
    this.#first ??= lines[0];
    for (const line of lines) this.#lines.push(`${line}\n`);
    if (this.#lines.length >= 1000) await this.#flush();
  }

  async #flush(): Promise<void> {
    if (this.#lines.length === 0) return;
    if (!this.#handle) {
      await mkdir(this.dir, { recursive: true });
      this.#handle = await open(this.path, 'w');
    }
    await this.#handle.write(this.#lines.join(''));
    this.#lines = [];
  }

  async close(): Promise<void> {
    await this.#flush();
    await this.#handle?.close();
    this.#handle = undefined;
  }

  async discard(): Promise<void> {
    await this.#handle?.close().catch(() => {});
    this.#handle = undefined;
    await rm(this.path, { force: true });
  }
}

function errorReportOf(file: IncomingFile, ctx: StreamContext): ErrorReport {
  return new ErrorReport(join(ctx.errorDir, `.${file.name}.${process.pid}.errors.tmp`), ctx.errorDir);
}

/** The single-transaction mode of {@link importFile}: one pass, one transaction (ADR 0068). */
async function importInOneTransaction(
  file: IncomingFile,
  ctx: StreamContext,
  options: ImportOptions,
): Promise<FileOutcome | 'stopped'> {
  const startedAt = performance.now();
  const { producer, ledger } = ctx;
  const { name: stream, topic } = ctx.stream;
  const report = errorReportOf(file, ctx);
  const sender = new TransactionSender(producer, { batchSize: SEND_BATCH });
  const clock = ctx.clock ?? Date.now;
  const deadline = clock() + ctx.transactionTimeoutMs / 2;
  let rows = 0;
  let refused = false;
  let tooSlow = false;

  let summary: CheckSummary | undefined;
  try {
    summary = await eachBatch(checkFile(file.path, checkOptions(file, ctx)), async (checked) => {
      if (!refused && clock() > deadline) {
        tooSlow = true;
        return 'stop';
      }
      rows += checked.rows;
      if (checked.errors.length > 0) {
        if (!refused) await sender.abort();
        refused = true;
        await report.add(checked.errors);
      } else if (!refused) {
        for (const [, key, value] of unpack(checked.records)) {
          const sent = sender.push({ topic, key, value });
          if (sent) await sent;
        }
      }
      options.onProgress?.({ phase: 'importing', bytes: checked.bytes, totalBytes: file.size, rows });
      return options.shouldStop?.() ? 'stop' : undefined;
    });
    if (!summary && tooSlow) {
      await sender.abort();
      await report.discard();
      ctx.logger.warn(
        { stream, file: file.name, rows, transactionTimeoutMs: ctx.transactionTimeoutMs },
        'the file takes longer than half the transaction timeout in one transaction; importing it in chunks',
      );
      return await importInChunks(file, ctx, options);
    }
    if (!summary) {
      await sender.abort();
      await report.discard();
      ctx.logger.info(
        { stream, file: file.name, rows },
        'import stopped, its transaction aborted; the file is imported again on restart',
      );
      return 'stopped';
    }
    if (summary.errors > 0) {
      await report.close();
      return await refuse(file, ctx, summary, report, startedAt, 'single-transaction');
    }

    const decision = resumeDecision(ledger.get(stream, summary.sha256));
    if (decision.kind === 'done') {
      await sender.abort();
      return await accept(file, ctx, startedAt, {
        mode: 'single-transaction',
        rows: summary.rows,
        published: 0,
        alreadyImported: true,
        resumedAfterLine: 0,
        checkMs: 0,
      });
    }
    if (decision.kind === 'resume') {
      // An earlier import of these bytes in chunks was interrupted (the file was larger then than the limit, or
      // the limit was lowered): its committed rows must not be published again, so it is resumed as it began.
      await sender.abort();
      ctx.logger.info(
        { stream, file: file.name, afterLine: decision.afterLine },
        'an earlier chunked import of this file was interrupted; resuming it in chunks',
      );
      return await importInChunks(file, ctx, options);
    }

    const entry: LedgerEntry = {
      stream,
      file: summary.sha256,
      name: file.name,
      line: summary.lastLine,
      rows: summary.rows,
      done: true,
      at: Date.now(),
    };
    await sender.commitWith(ledger.recordOf(entry));
    ledger.committed(entry);
    options.onProgress?.({ phase: 'importing', bytes: file.size, totalBytes: file.size, rows });
    return await accept(file, ctx, startedAt, {
      mode: 'single-transaction',
      rows: summary.rows,
      published: summary.rows,
      alreadyImported: false,
      resumedAfterLine: 0,
      checkMs: 0,
    });
  } catch (err) {
    await sender.abort(true);
    if (!summary || summary.errors === 0) await report.discard();
    throw err;
  }
}

/** The chunked mode of {@link importFile}: format control into a spool, then transactions of rows (ADRs 0041, 0044). */
async function importInChunks(
  file: IncomingFile,
  ctx: StreamContext,
  options: ImportOptions,
): Promise<FileOutcome | 'stopped'> {
  const startedAt = performance.now();
  const checked = await checkIntoSpool(file, ctx, options);
  const checkMs = performance.now() - startedAt;
  try {
    if (checked.report) return await refuse(file, ctx, checked, checked.report, startedAt, 'chunked');
    const stream = ctx.stream.name;
    const decision = resumeDecision(ctx.ledger.get(stream, checked.sha256));
    let published = 0;
    let resumedAfterLine = 0;
    if (decision.kind !== 'done') {
      resumedAfterLine = decision.kind === 'resume' ? decision.afterLine : 0;
      if (resumedAfterLine > 0)
        ctx.logger.info({ stream, file: file.name, afterLine: resumedAfterLine }, 'resuming a file');
      const result = await publishRows(file, checked, ctx, options, decision);
      if (result === 'stopped') {
        ctx.logger.info(
          { stream, file: file.name },
          'import stopped after a committed transaction; resumes on restart',
        );
        return 'stopped';
      }
      published = result;
    }
    return await accept(file, ctx, startedAt, {
      mode: 'chunked',
      rows: checked.rows,
      published,
      alreadyImported: decision.kind === 'done',
      resumedAfterLine,
      checkMs,
    });
  } finally {
    if (checked.spool) await rm(checked.spool, { force: true });
  }
}

/** Moves a file that passed to success/, logs and describes it. */
async function accept(
  file: IncomingFile,
  ctx: StreamContext,
  startedAt: number,
  how: Pick<FileOutcome, 'mode' | 'rows' | 'published' | 'alreadyImported' | 'resumedAfterLine' | 'checkMs'>,
): Promise<FileOutcome> {
  const movedTo = await moveFile(file, ctx.successDir);
  const outcome: FileOutcome = {
    stream: ctx.stream.name,
    file: file.name,
    outcome: 'accepted',
    errors: 0,
    movedTo,
    durationMs: performance.now() - startedAt,
    ...how,
  };
  ctx.logger.info(
    {
      stream: outcome.stream,
      file: file.name,
      mode: how.mode,
      rows: how.rows,
      published: how.published,
      alreadyImported: how.alreadyImported,
      resumedAfterLine: how.resumedAfterLine,
      movedTo,
      ms: Math.round(outcome.durationMs),
    },
    how.alreadyImported ? 'file already imported; moved to success' : 'file imported',
  );
  return outcome;
}

/** Moves a refused file to error/ with its report beside it, logs and describes it. */
async function refuse(
  file: IncomingFile,
  ctx: StreamContext,
  checked: { readonly rows: number; readonly errors: number },
  report: ErrorReport,
  startedAt: number,
  mode: FileOutcome['mode'],
): Promise<FileOutcome> {
  const movedTo = await moveFile(file, ctx.errorDir, report.path);
  const outcome: FileOutcome = {
    stream: ctx.stream.name,
    file: file.name,
    outcome: 'rejected',
    mode,
    rows: checked.rows,
    published: 0,
    errors: checked.errors,
    movedTo,
    report: reportNameOf(movedTo),
    alreadyImported: false,
    resumedAfterLine: 0,
    durationMs: performance.now() - startedAt,
    checkMs: 0,
  };
  ctx.logger.info(
    {
      stream: outcome.stream,
      file: file.name,
      rows: checked.rows,
      errors: checked.errors,
      movedTo,
      firstError: report.first,
    },
    'file refused by format control',
  );
  return outcome;
}

interface FormatCheck {
  readonly rows: number;
  readonly errors: number;
  readonly sha256: string;
  /** The report (when there are errors). */
  readonly report?: ErrorReport;
  /** The spool of encoded rows (when there are none). */
  readonly spool?: string;
}

/**
 * Format control of a file imported in chunks: the report streamed to a temporary file, the rows encoded into
 * the spool until the first error (then the spool is dropped).
 */
async function checkIntoSpool(
  file: IncomingFile,
  ctx: StreamContext,
  options: ImportOptions,
): Promise<FormatCheck> {
  const report = errorReportOf(file, ctx);
  let spool: SpoolWriter | undefined = await SpoolWriter.create(
    join(dirname(file.path), `.${file.name}.intake-spool`),
  );
  let rows = 0;
  try {
    const summary = (await eachBatch(checkFile(file.path, checkOptions(file, ctx)), async (checked) => {
      rows += checked.rows;
      if (checked.errors.length > 0) {
        await spool?.discard();
        spool = undefined;
        await report.add(checked.errors);
      } else if (spool) {
        for (const [line, key, value] of unpack(checked.records)) {
          const full = spool.add(line, key, value);
          if (full) await full;
        }
      }
      options.onProgress?.({ phase: 'validating', bytes: checked.bytes, totalBytes: file.size, rows });
      return undefined;
    })) as CheckSummary;
    await report.close();
    await spool?.close();
    return {
      rows: summary.rows,
      errors: summary.errors,
      sha256: summary.sha256,
      ...(summary.errors > 0 ? { report } : {}),
      ...(spool ? { spool: spool.path } : {}),
    };
  } catch (err) {
    await report.discard();
    await spool?.discard();
    throw err;
  }
}

/**
 * Pass 2: the spooled rows after the decision's line, in transactions of `rowsPerTransaction` rows, each closing
 * with the file's ledger entry. One send is in flight while the next batch is assembled.
 *
 * @return rows published, or `'stopped'`.
 */
async function publishRows(
  file: IncomingFile,
  checked: FormatCheck,
  ctx: StreamContext,
  options: ImportOptions,
  decision: { kind: 'fresh' } | { kind: 'resume'; afterLine: number; rows: number },
): Promise<number | 'stopped'> {
  const { producer, ledger, rowsPerTransaction } = ctx;
  const { name: stream, topic } = ctx.stream;
  const afterLine = decision.kind === 'resume' ? decision.afterLine : 0;
  const earlierRows = decision.kind === 'resume' ? decision.rows : 0;
  const total = checked.rows;

  const sender = new TransactionSender(producer, { batchSize: SEND_BATCH });
  let inTxn = 0;
  let published = 0;
  let lastLine = afterLine;
  const entry = (done: boolean): LedgerEntry => ({
    stream,
    file: checked.sha256,
    name: file.name,
    line: lastLine,
    rows: earlierRows + published,
    done,
    at: Date.now(),
  });
  const commit = async (done: boolean) => {
    const progress = entry(done);
    await sender.commitWith(ledger.recordOf(progress));
    ledger.committed(progress);
    inTxn = 0;
  };
  const progress = () =>
    options.onProgress?.({
      phase: 'publishing',
      bytes: total > 0 ? Math.round((file.size * (earlierRows + published)) / total) : file.size,
      totalBytes: file.size,
      rows: published,
    });

  try {
    if (checked.spool) {
      for await (const rows of readSpool(checked.spool)) {
        for (const row of rows) {
          if (row.line <= afterLine) continue;
          const sent = sender.push({ topic, key: row.key, value: row.value });
          if (sent) await sent;
          published++;
          inTxn++;
          lastLine = row.line;
          if (inTxn < rowsPerTransaction) continue;
          await commit(false);
          progress();
          if (options.shouldStop?.()) return 'stopped';
        }
      }
    }
    await commit(true);
  } catch (err) {
    await sender.abort(true);
    throw err;
  }
  progress();
  return published;
}

/**
 * Moves a file into `dir` under a free name (with its report beside it, when given: written first, so a file in
 * error/ always has its report); returns the new path.
 */
async function moveFile(file: IncomingFile, dir: string, report?: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const name = report
    ? await freeName(dir, file.name, (candidate) => [candidate, reportNameOf(candidate)])
    : await freeName(dir, file.name);
  const target = join(dir, name);
  if (report) await rename(report, join(dir, reportNameOf(name)));
  await rename(file.path, target);
  return target;
}
