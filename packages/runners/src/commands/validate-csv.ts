import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { CsvReadError, formatCsvError, validateCsvFile } from '@tm/contracts';
import type { Command } from 'commander';
import { streamDialect } from '../intake/stream-dialect.js';
import { exitTwoOnUsageError, UsageError } from '../usage-errors.js';
import { configOption } from './config-option.js';

/** Options of `tm validate-csv`. */
export interface ValidateCsvOptions {
  /** Data stream whose CSV dialect the file is written in. */
  readonly stream?: string;
  /** Pipeline config to find the stream in. */
  readonly config?: string;
}

/** Where `tm validate-csv` writes: error lines to `stdout`, the summary and problems to `stderr`. */
export interface CommandOutput {
  readonly stdout: Writable;
  readonly stderr: Writable;
}

/**
 * `tm validate-csv FILE`: format control of one intake file (thesis Appendix A). Streams the file (flat memory),
 * writes one line per error to stdout as `LINE:COLUMN: field reason` (COLUMN `*` for a row-level error), then a
 * summary line to stderr.
 *
 * @return The exit code: 0 the file passes, 1 it fails, 2 it cannot be read or the call is wrong.
 */
export async function validateCsv(
  file: string,
  options: ValidateCsvOptions,
  out: CommandOutput = process,
): Promise<number> {
  try {
    const { dataStream, dialect } = streamDialect(options.stream, options.config);
    const summary = await validateCsvFile(file, { dataStream, dialect }, (error) => {
      if (!out.stdout.write(`${formatCsvError(error)}\n`)) return once(out.stdout, 'drain').then(() => {});
    });
    if (summary.passed) {
      const empty =
        summary.rows === 0 ? ' (note: the file holds no rows: empty, or only a BOM or blank lines)' : '';
      out.stderr.write(`${file}: passed format control, ${summary.rows} rows${empty}\n`);
      return 0;
    }
    out.stderr.write(
      `${file}: failed format control, ${summary.errors} errors in ${summary.invalidRows} of ${summary.rows} rows\n`,
    );
    return 1;
  } catch (err) {
    if (err instanceof CsvReadError || err instanceof UsageError) {
      out.stderr.write(`tm validate-csv: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

/** Adds `tm validate-csv` to the program. */
export function register(program: Command): void {
  const command = program
    .command('validate-csv')
    .description('Format control of an intake CSV file (thesis Appendix A, DESIGN.md §4)')
    .argument('<file>', 'the CSV file to check')
    .option(
      '--stream <name>',
      "data stream whose CSV dialect to read the file in (default: Appendix A's own)",
    )
    .addOption(configOption())
    .addHelpText(
      'after',
      `
Prints one line per error to stdout, in file order:  LINE:COLUMN: field reason
  LINE    1-based line of the file where the row starts
  COLUMN  Appendix A number (2.2), or * for the whole row (wrong number of columns,
          text that is not UTF-8, a quoted field never closed)
then a summary line to stderr.

Exit status: 0 the file passes, 1 it fails, 2 it cannot be read or the arguments are wrong.`,
    )
    .action(async (file: string, options: ValidateCsvOptions) => {
      process.exitCode = await validateCsv(file, options);
    });
  exitTwoOnUsageError(command);
}
