import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import type { CsvDialect } from '../config/sections/events.js';
import { columnLayout } from './column-layout.js';
import { CsvReadError } from './errors.js';
import { isUnsplittable, type SplitBatch, splitRows } from './split-rows.js';
import { type RowResult, rowError, validateRow } from './validate-row.js';

/** How to read one file: its data stream, its dialect, and what to record as its name. */
export interface CsvReadOptions {
  /** Data stream of the file (`MOBILE_LOANS`), copied into every Application. */
  readonly dataStream: string;
  /** Name recorded as `sourceFile` and in read errors (default for files: the file's base name). */
  readonly sourceFile?: string;
  /** The stream's CSV dialect (config `events.data-streams[].csv`); missing keys take the config defaults. */
  readonly dialect?: Partial<CsvDialect>;
  /** Clock for `receivedAt` (default `Date.now`), read once per row. */
  readonly clock?: () => number;
}

/** The dialect of a stream that configures none: `;`, `"`, no header row, no extra columns. */
export const DEFAULT_CSV_DIALECT: CsvDialect = Object.freeze({
  delimiter: ';',
  quote: '"',
  header: false,
  extraColumns: [],
});

/**
 * Reads a CSV file row by row and yields each row's format-control result in file order: an Application, or every
 * error of the row. Streams with backpressure: memory stays flat whatever the file's size, as long as the consumer
 * does not keep what it is given.
 *
 * Reading: the dialect's encoding (UTF-8 by default, with or without BOM; e.g. windows-1251), LF, CRLF or CR line ends, blank lines skipped (but counted), quoted fields
 * may hold the delimiter, doubled quotes and line breaks. `line` is the 1-based line of the file where the row
 * starts. Row-level problems come as one error with column `*`: a row of the wrong width, text that is not valid
 * UTF-8 (any U+FFFD, which is what invalid bytes decode to), and a quoted field never closed or text after a
 * closing quote (the last item: the rest of the file cannot be split into rows).
 *
 * ## Example
 * ```ts
 * for await (const row of readCsvFile('in/apps.csv', { dataStream: 'MOBILE_LOANS' })) {
 *   if (!row.ok) for (const e of row.errors) console.log(formatCsvError(e)); // 7:1.3: createdTime must be ...
 * }
 * ```
 *
 * @throws {CsvReadError} when the file cannot be read (missing, a directory, unreadable, I/O failure).
 */
export function readCsvFile(path: string, options: CsvReadOptions): AsyncGenerator<RowResult> {
  const sourceFile = options.sourceFile ?? basename(path);
  return readCsv(createReadStream(path), { ...options, sourceFile });
}

/**
 * {@link readCsvFile} over any byte stream (a socket, a decompressor, a test's `Readable.from`). The stream is
 * destroyed when iteration ends or stops early.
 */
export async function* readCsv(
  input: Readable,
  options: CsvReadOptions & { readonly sourceFile: string },
): AsyncGenerator<RowResult> {
  try {
    for await (const rows of readCsvBatches(input, options)) yield* rows;
  } finally {
    input.destroy();
  }
}

/**
 * {@link readCsv} a batch at a time (the rows completed by each chunk of input, in file order): the same results,
 * for readers that handle rows by the thousand and would rather not pay an `await` per row. Reads the next chunk
 * only when the next batch is asked for.
 *
 * @throws {CsvReadError} when `input` fails.
 */
export async function* readCsvBatches(
  input: AsyncIterable<Buffer | string>,
  options: CsvReadOptions & { readonly sourceFile: string },
): AsyncGenerator<RowResult[]> {
  const dialect = { ...DEFAULT_CSV_DIALECT, ...options.dialect };
  const layout = columnLayout(dialect.extraColumns);
  const clock = options.clock ?? Date.now;
  const { dataStream, sourceFile } = options;
  const batches = splitRows(input, dialect);

  let nextLine = 1;
  let skipHeader = dialect.header;
  try {
    for (;;) {
      let next: IteratorResult<SplitBatch>;
      try {
        next = await batches.next();
      } catch (cause) {
        throw new CsvReadError(sourceFile, { cause });
      }
      if (next.done) return;
      const { rows, mayHoldLineBreaks, mayHoldReplacementChars, looksLikeWindows1251 } = next.value;
      const results: RowResult[] = [];
      for (const row of rows) {
        const line = nextLine;
        if (isUnsplittable(row)) {
          results.push({ ok: false, line, errors: [rowError(line, row.reason)] });
          yield results;
          return;
        }
        nextLine += mayHoldLineBreaks ? 1 + lineBreaksIn(row) : 1;
        if (row.length === 0) continue; // a blank line
        if (skipHeader) {
          skipHeader = false;
          continue;
        }
        if (mayHoldReplacementChars && hasReplacementChar(row)) {
          results.push({
            ok: false,
            line,
            errors: [
              rowError(line, notValidText(dialect.encoding ?? 'utf-8', looksLikeWindows1251 === true)),
            ],
          });
          continue;
        }
        results.push(
          validateRow(row, { dataStream, sourceFile, lineNumber: line, receivedAt: clock() }, layout),
        );
      }
      if (results.length > 0) yield results;
    }
  } finally {
    await batches.return(undefined);
  }
}

/** The reason of a row whose bytes are not valid text in the stream's encoding, with a hint when one is likely. */
function notValidText(encoding: string, looksLikeWindows1251: boolean): string {
  if (encoding !== 'utf-8') return `is not valid ${encoding} text`;
  return looksLikeWindows1251
    ? 'is not valid UTF-8 text: the file looks like Windows-1251 (set csv.encoding: windows-1251 on its data stream)'
    : 'is not valid UTF-8 text';
}

/** Line breaks inside the row's (quoted) cells: CRLF, LF and lone CR count one each. */
function lineBreaksIn(row: readonly string[]): number {
  let breaks = 0;
  for (let c = 0; c < row.length; c++) {
    const cell = row[c]!;
    if (cell.indexOf('\n') === -1 && cell.indexOf('\r') === -1) continue;
    for (let i = 0; i < cell.length; i++) {
      const ch = cell.charCodeAt(i);
      if (ch === 10 || (ch === 13 && cell.charCodeAt(i + 1) !== 10)) breaks++;
    }
  }
  return breaks;
}

function hasReplacementChar(row: readonly string[]): boolean {
  for (let c = 0; c < row.length; c++) {
    if (row[c]!.indexOf('\uFFFD') !== -1) return true;
  }
  return false;
}
