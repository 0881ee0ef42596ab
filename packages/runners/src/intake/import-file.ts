import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type Application, type DataStreamConfig, formatCsvError, readCsvBatches } from '@tm/contracts';
import type { OutboundRecord, Serde, TransportProducer, TransportTransaction } from '@tm/pipeline-core';
import type { Logger } from '../runtime/index.js';
import { freeName, reportNameOf } from './file-naming.js';
import type { IncomingFile } from './folder-scan.js';
import { type FileLedger, type LedgerEntry, resumeDecision } from './ledger.js';
import { readSpool, SpoolWriter } from './spool.js';

/** Rows handed to the producer in one send (one produce request); the next batch is assembled while this one is on the wire. */
const SEND_BATCH = 2500;

/** Everything intake needs to import files of one data stream. */
export interface StreamContext {
  readonly stream: DataStreamConfig;
  readonly successDir: string;
  readonly errorDir: string;
  /** The stream's transactional producer (one per stream, its id stable across restarts). */
  readonly producer: TransportProducer;
  readonly ledger: FileLedger;
  readonly serde: Serde<Application>;
  readonly rowsPerTransaction: number;
  readonly logger: Logger;
  /** Clock for `receivedAt` (default `Date.now`). */
  readonly clock?: () => number;
}

/** Where an import is: reading the file for format control, or publishing its rows. */
export interface ImportProgress {
  readonly phase: 'validating' | 'publishing';
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
  /** Of which format control (reading, checking, encoding into the spool). */
  readonly checkMs: number;
}

export interface ImportOptions {
  readonly onProgress?: (progress: ImportProgress) => void;
  /** Asked after each committed transaction: true stops the import there (the ledger resumes it later). */
  readonly shouldStop?: () => boolean;
}

/**
 * Imports one file of a stream (thesis §2.6.1, DESIGN.md §4):
 *
 * 1. Format control of every row, hashing the bytes on the way, and each good row encoded once (Avro) into a spool
 *    file beside the CSV (`.NAME.intake-spool`, a name intake never picks up). A failing file is moved to error/
 *    with its report (`NAME.errors.txt`, the lines of `tm validate-csv`) and nothing of it is published.
 * 2. The ledger decides: publish from the start, after the last committed line of an interrupted import, or not at
 *    all (every row already committed).
 * 3. The spooled rows are published as Applications to the stream's topic, keyed by application number, in Kafka
 *    transactions of `rowsPerTransaction` rows; each transaction also writes the file's progress to the ledger,
 *    the last one marks it done. What is published is exactly what format control read (ADR 0044).
 * 4. The file is moved to success/ and the spool deleted.
 *
 * Names never collide: a file whose name is taken in success/ or error/ gets `BASE.N.EXT` (see `freeName`).
 *
 * @return the outcome, or `'stopped'` when `shouldStop` stopped it between transactions.
 * @throws {CsvReadError} when the file cannot be read; transport errors as they come (the transaction is
 *   aborted, the file stays for the next attempt, and the ledger says where it got to).
 */
export async function importFile(
  file: IncomingFile,
  ctx: StreamContext,
  options: ImportOptions = {},
): Promise<FileOutcome | 'stopped'> {
  const startedAt = performance.now();
  const checked = await checkFormat(file, ctx, options);
  const checkMs = performance.now() - startedAt;
  try {
    const outcome = await finishImport(file, checked, ctx, options, startedAt);
    return outcome === 'stopped' ? outcome : { ...outcome, checkMs };
  } finally {
    if (checked.spool) await rm(checked.spool, { force: true });
  }
}

/** Steps 2 to 4 of {@link importFile}, once format control is done. */
async function finishImport(
  file: IncomingFile,
  checked: FormatCheck,
  ctx: StreamContext,
  options: ImportOptions,
  startedAt: number,
): Promise<Omit<FileOutcome, 'checkMs'> | 'stopped'> {
  const stream = ctx.stream.name;
  if (checked.errors > 0) {
    const movedTo = await moveFile(file, ctx.errorDir, checked.report);
    const report = reportNameOf(movedTo);
    ctx.logger.info(
      {
        stream,
        file: file.name,
        rows: checked.rows,
        errors: checked.errors,
        movedTo,
        firstError: checked.first,
      },
      'file refused by format control',
    );
    return {
      stream,
      file: file.name,
      outcome: 'rejected',
      rows: checked.rows,
      published: 0,
      errors: checked.errors,
      movedTo,
      report,
      alreadyImported: false,
      resumedAfterLine: 0,
      durationMs: performance.now() - startedAt,
    };
  }

  const decision = resumeDecision(ctx.ledger.get(stream, checked.sha256));
  let published = 0;
  let resumedAfterLine = 0;
  if (decision.kind !== 'done') {
    resumedAfterLine = decision.kind === 'resume' ? decision.afterLine : 0;
    if (resumedAfterLine > 0)
      ctx.logger.info({ stream, file: file.name, afterLine: resumedAfterLine }, 'resuming a file');
    const result = await publishRows(file, checked, ctx, options, decision);
    if (result === 'stopped') return 'stopped';
    published = result;
  }
  const movedTo = await moveFile(file, ctx.successDir);
  const outcome: Omit<FileOutcome, 'checkMs'> = {
    stream,
    file: file.name,
    outcome: 'accepted',
    rows: checked.rows,
    published,
    errors: 0,
    movedTo,
    alreadyImported: decision.kind === 'done',
    resumedAfterLine,
    durationMs: performance.now() - startedAt,
  };
  ctx.logger.info(
    {
      stream,
      file: file.name,
      rows: outcome.rows,
      published,
      alreadyImported: outcome.alreadyImported,
      resumedAfterLine,
      movedTo,
      ms: Math.round(outcome.durationMs),
    },
    decision.kind === 'done' ? 'file already imported; moved to success' : 'file imported',
  );
  return outcome;
}

/** A file's bytes as chunks, handing each to `onChunk` (with the bytes so far) on the way. */
async function* readBytes(
  path: string,
  onChunk: (chunk: Buffer, bytes: number) => void,
): AsyncGenerator<Buffer> {
  const source = createReadStream(path, { highWaterMark: 256 * 1024 });
  let bytes = 0;
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      onChunk(chunk, bytes);
      yield chunk;
    }
  } finally {
    source.destroy();
  }
}

interface FormatCheck {
  readonly rows: number;
  readonly errors: number;
  readonly sha256: string;
  /** The temporary report (when there are errors). */
  readonly report?: string;
  readonly first?: string;
  /** The spool of encoded rows (when there are none), and its row count. */
  readonly spool?: string;
}

/**
 * Pass 1: format control of every row, the report streamed to a temporary file, the bytes hashed, the rows encoded
 * into the spool until the first error (then the spool is dropped).
 */
async function checkFormat(
  file: IncomingFile,
  ctx: StreamContext,
  options: ImportOptions,
): Promise<FormatCheck> {
  const hash = createHash('sha256');
  let bytes = 0;
  const input = readBytes(file.path, (chunk, total) => {
    hash.update(chunk);
    bytes = total;
  });
  const reportPath = join(ctx.errorDir, `.${file.name}.${process.pid}.errors.tmp`);
  let report: Awaited<ReturnType<typeof open>> | undefined;
  let lines: string[] = [];
  let rows = 0;
  let errors = 0;
  let first: string | undefined;
  let spool: SpoolWriter | undefined = await SpoolWriter.create(
    join(dirname(file.path), `.${file.name}.intake-spool`),
  );
  const flushReport = async () => {
    if (lines.length === 0) return;
    if (!report) {
      await mkdir(ctx.errorDir, { recursive: true });
      report = await open(reportPath, 'w');
    }
    await report.write(lines.join(''));
    lines = [];
  };
  try {
    for await (const batch of readCsvBatches(input, {
      dataStream: ctx.stream.name,
      dialect: ctx.stream.csv,
      sourceFile: file.name,
      ...(ctx.clock ? { clock: ctx.clock } : {}),
    })) {
      rows += batch.length;
      for (const row of batch) {
        if (row.ok) {
          if (spool) {
            const app = row.application;
            const full = spool.add(row.line, app.applicationNumber, ctx.serde.encode(app));
            if (full) await full;
          }
          continue;
        }
        if (spool) {
          await spool.discard();
          spool = undefined;
        }
        for (const error of row.errors) {
          errors++;
          const line = formatCsvError(error);
          first ??= line;
          lines.push(`${line}\n`);
        }
      }
      if (lines.length >= 1000) await flushReport();
      options.onProgress?.({ phase: 'validating', bytes, totalBytes: file.size, rows });
    }
    await flushReport();
    await spool?.close();
  } catch (err) {
    await report?.close();
    report = undefined;
    await rm(reportPath, { force: true });
    await spool?.discard();
    throw err;
  } finally {
    await report?.close();
  }
  options.onProgress?.({ phase: 'validating', bytes, totalBytes: file.size, rows });
  return {
    rows,
    errors,
    sha256: hash.digest('hex'),
    ...(errors > 0 ? { report: reportPath, first } : {}),
    ...(spool ? { spool: spool.path } : {}),
  };
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

  let txn: TransportTransaction | undefined;
  let inFlight: Promise<void> | undefined;
  let batch: OutboundRecord[] = [];
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
  const flush = async () => {
    txn ??= await producer.transaction();
    const records = batch;
    batch = [];
    if (inFlight) await inFlight;
    inFlight = txn.send(records);
    inFlight.catch(() => {}); // awaited before the next send or the commit
  };
  const commit = async (done: boolean) => {
    const progress = entry(done);
    batch.push(ledger.recordOf(progress));
    await flush();
    await inFlight;
    inFlight = undefined;
    await txn?.commit();
    txn = undefined;
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
          batch.push({ topic, key: row.key, value: row.value });
          published++;
          inTxn++;
          lastLine = row.line;
          if (inTxn >= rowsPerTransaction) {
            await commit(false);
            progress();
            if (options.shouldStop?.()) return 'stopped';
          } else if (batch.length >= SEND_BATCH) {
            await flush();
          }
        }
      }
    }
    await commit(true);
  } catch (err) {
    await inFlight?.catch(() => {});
    await txn?.abort().catch(() => {});
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
