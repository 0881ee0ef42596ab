import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type ErrorReport, errorReportOf } from './error-report.js';
import { accept, refuse } from './file-moves.js';
import type { IncomingFile } from './folder-scan.js';
import { type CheckSummary, checkFile, unpack } from './format-pass.js';
import { checkOptions, eachBatch, senderOf } from './import-common.js';
import type { FileOutcome, ImportOptions, StreamContext } from './import-types.js';
import { type LedgerEntry, resumeDecision } from './ledger.js';
import { readSpool, SpoolWriter } from './spool.js';

/** The chunked mode of `importFile`: format control into a spool, then transactions of rows (ADRs 0041, 0044). */
export async function importInChunks(
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
  const { ledger, rowsPerTransaction } = ctx;
  const { name: stream, topic } = ctx.stream;
  const afterLine = decision.kind === 'resume' ? decision.afterLine : 0;
  const earlierRows = decision.kind === 'resume' ? decision.rows : 0;
  const total = checked.rows;

  const sender = senderOf(ctx);
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
