import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type CsvRowError, formatCsvError } from '@tm/contracts';
import { type Command, InvalidArgumentError } from 'commander';
import { BREAKAGES } from '../intake/generator/breakages.js';
import { streamDialect } from '../intake/stream-dialect.js';
import { exitTwoOnUsageError, UsageError } from '../usage-errors.js';
import { configOption } from './config-option.js';
import type { CommandOutput } from './validate-csv.js';

/** Options of `tm gen-csv`. */
export interface GenCsvOptions {
  readonly rows: number;
  readonly stream: string;
  readonly seed: number;
  readonly invalidRate: number;
  /** File to write; stdout when absent. */
  readonly out?: string;
  /** File to write the expected error lines to (`LINE:COLUMN: field reason`, as `tm validate-csv` prints them). */
  readonly manifest?: string;
  readonly config?: string;
}

/**
 * `tm gen-csv`: writes a realistic intake file for a data stream, in the stream's CSV dialect, with exactly
 * round(rate × rows) rows broken in known ways, and optionally the manifest of the errors they cause.
 *
 * @return The exit code: 0 written, 2 the call is wrong (unknown stream, bad numbers).
 */
export async function genCsv(options: GenCsvOptions, out: CommandOutput = process): Promise<number> {
  try {
    const { dialect } = streamDialect(options.stream, options.config);
    // Loaded here, not with the CLI: the name lists are memory other commands need not pay for.
    const { expectedCsvErrors, writeGeneratedCsv } = await import('../intake/generator/generate-csv.js');
    const generate = { rows: options.rows, seed: options.seed, invalidRate: options.invalidRate, dialect };
    if (options.out === undefined) {
      await writeGeneratedCsv(generate, out.stdout, { end: false });
    } else {
      await writeGeneratedCsv(generate, createWriteStream(options.out));
    }
    if (options.manifest !== undefined) {
      const lines = Readable.from(expectedCsvErrors(generate)).map(
        (e: CsvRowError) => `${formatCsvError(e)}\n`,
      );
      await pipeline(lines, createWriteStream(options.manifest));
    }
    const broken = Math.round(options.rows * options.invalidRate);
    out.stderr.write(
      `tm gen-csv: ${options.rows} rows for ${options.stream} (seed ${options.seed}, ${broken} broken) to ${options.out ?? 'stdout'}\n`,
    );
    return 0;
  } catch (err) {
    if (err instanceof UsageError || err instanceof RangeError) {
      out.stderr.write(`tm gen-csv: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

function integer(name: string, min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max) {
      throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}`);
    }
    return n;
  };
}

function rate(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !(n >= 0 && n <= 1))
    throw new InvalidArgumentError('must be a number from 0 to 1');
  return n;
}

/** Adds `tm gen-csv` to the program. */
export function register(program: Command): void {
  const command = program
    .command('gen-csv')
    .description('Write a realistic intake CSV file for a data stream (test and benchmark data)')
    .requiredOption('--rows <n>', 'number of data rows', integer('rows', 0, 90_000_000))
    .requiredOption('--stream <name>', "data stream whose CSV dialect to write (its config's csv settings)")
    .option('--seed <s>', 'seed: the same seed gives the same file', integer('seed', 0, 0xffff_ffff), 1)
    .option('--invalid-rate <r>', 'share of rows to break, 0 to 1: exactly round(r × rows) rows', rate, 0)
    .option('--out <file>', 'file to write (default: stdout)')
    .option('--manifest <file>', 'also write the error lines tm validate-csv will print for the broken rows')
    .addOption(configOption())
    .addHelpText(
      'after',
      `
Broken rows are spread evenly and cycle through: ${BREAKAGES.map((b) => b.name).join(', ')}.
Application numbers are the seed's digits followed by the row index in ten digits.

Exit status: 0 written, 2 the arguments are wrong.`,
    )
    .action(async (options: GenCsvOptions) => {
      process.exitCode = await genCsv(options);
    });
  exitTwoOnUsageError(command);
}
