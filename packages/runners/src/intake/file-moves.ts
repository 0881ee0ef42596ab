import { mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { ErrorReport } from './error-report.js';
import { freeName, reportNameOf } from './file-naming.js';
import type { IncomingFile } from './folder-scan.js';
import type { FileOutcome, StreamContext } from './import-types.js';

/** Moves a file that passed to success/, logs and describes it. */
export async function accept(
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
export async function refuse(
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
