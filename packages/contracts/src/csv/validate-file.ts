import type { CsvRowError } from './errors.js';
import { type CsvReadOptions, readCsvFile } from './read-csv.js';

/** The outcome of format control of one file. */
export interface CsvValidationSummary {
  /** Rows read (blank lines and a header row not counted). */
  readonly rows: number;
  /** Rows with at least one error. */
  readonly invalidRows: number;
  /** Errors over all rows. */
  readonly errors: number;
  /** Whether the file passes format control: no row has an error (an empty file passes). */
  readonly passed: boolean;
}

/**
 * Format control of a whole file (DESIGN.md §4): reads it through {@link readCsvFile}, hands every error to
 * `onError` in file order (awaited when it returns a promise, so a slow writer slows the reading) and keeps only
 * counts. The intake runner calls this first and publishes the rows in a second pass only when the file passed.
 *
 * @throws {CsvReadError} when the file cannot be read.
 */
export async function validateCsvFile(
  path: string,
  options: CsvReadOptions,
  onError: (error: CsvRowError) => void | Promise<void> = () => {},
): Promise<CsvValidationSummary> {
  let rows = 0;
  let invalidRows = 0;
  let errors = 0;
  for await (const row of readCsvFile(path, options)) {
    rows++;
    if (row.ok) continue;
    invalidRows++;
    for (const error of row.errors) {
      errors++;
      const pending = onError(error);
      if (pending) await pending;
    }
  }
  return { rows, invalidRows, errors, passed: invalidRows === 0 };
}
