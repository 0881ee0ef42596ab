/**
 * The COLUMN token of an error that concerns the whole row rather than one Appendix A column: a wrong number of
 * columns, text that is not valid UTF-8, or a quoted field that never closes. Its field is {@link ROW_FIELD}.
 */
export const ROW_COLUMN = '*';
/** The field name of a row-level error. */
export const ROW_FIELD = 'row';

/** One format-control failure of one CSV row. */
export interface CsvRowError {
  /** 1-based line of the file where the row starts (blank lines and line breaks inside quoted fields count). */
  readonly line: number;
  /** Appendix A number of the column (`'2.2'`), or {@link ROW_COLUMN} for a row-level error. */
  readonly column: string;
  /** Name of the column (`'phone'`, `'createdDate'`), or {@link ROW_FIELD}. */
  readonly field: string;
  /** What is wrong, in words that follow the field name: `must be 11 digits starting with 7`. */
  readonly reason: string;
}

/**
 * One error as a report line, `LINE:COLUMN: field reason`:
 *
 * ```
 * 12:2.2: phone must be 11 digits starting with 7
 * 13:*: row has 30 columns, expected 31
 * ```
 */
export function formatCsvError(error: CsvRowError): string {
  return `${error.line}:${error.column}: ${error.field} ${error.reason}`;
}

/** A CSV source that cannot be read at all (missing file, a directory, no permission, a failing stream). */
export class CsvReadError extends Error {
  constructor(
    /** The file (or source name) that could not be read. */
    readonly source: string,
    options: { cause: unknown },
  ) {
    super(`cannot read ${source}: ${(options.cause as Error)?.message ?? String(options.cause)}`, options);
    this.name = 'CsvReadError';
  }
}
