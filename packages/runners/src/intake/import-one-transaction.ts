import { errorReportOf } from './error-report.js';
import { accept, refuse } from './file-moves.js';
import type { IncomingFile } from './folder-scan.js';
import { type CheckSummary, checkFile, unpack } from './format-pass.js';
import { checkOptions, eachBatch, senderOf } from './import-common.js';
import { importInChunks } from './import-in-chunks.js';
import type { FileOutcome, ImportOptions, StreamContext } from './import-types.js';
import { type LedgerEntry, resumeDecision } from './ledger.js';

/** The single-transaction mode of `importFile`: one pass, one transaction (ADR 0068). */
export async function importInOneTransaction(
  file: IncomingFile,
  ctx: StreamContext,
  options: ImportOptions,
): Promise<FileOutcome | 'stopped'> {
  const startedAt = performance.now();
  const { ledger } = ctx;
  const { name: stream, topic } = ctx.stream;
  const report = errorReportOf(file, ctx);
  const sender = senderOf(ctx);
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
