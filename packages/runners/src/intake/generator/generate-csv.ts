import type { Writable } from 'node:stream';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { format } from '@fast-csv/format';
import {
  CSV_COLUMNS,
  type CsvDialect,
  type CsvRowError,
  columnLayout,
  DEFAULT_CSV_DIALECT,
} from '@tm/contracts';
import { BREAKAGES, type Breakage } from './breakages.js';
import { realisticRow } from './realistic-row.js';
import { SeededRandom } from './seeded-random.js';

/** What to generate: how many rows, from which seed, how many broken, in which dialect. */
export interface GenerateCsvOptions {
  /** Data rows (a header row, when the dialect has one, comes on top). */
  readonly rows: number;
  /** Seed of the random choices (an integer, 0 to 2^32−1); the same seed gives the same file. Default 1. */
  readonly seed?: number;
  /** Share of rows to break, 0 to 1: exactly round(rate × rows) rows are broken. Default 0. */
  readonly invalidRate?: number;
  /** The stream's dialect; the defaults of Appendix A when absent. */
  readonly dialect?: Partial<CsvDialect>;
}

/** Most rows one file may have: keeps `index × broken` (see {@link breakageOf}) exact in a double. */
export const MAX_GENERATED_ROWS = 90_000_000;

interface Plan {
  readonly rows: number;
  readonly seed: number;
  readonly broken: number;
  readonly dialect: CsvDialect;
  readonly width: number;
}

function plan(options: GenerateCsvOptions): Plan {
  const { rows, seed = 1, invalidRate = 0 } = options;
  if (!Number.isInteger(rows) || rows < 0 || rows > MAX_GENERATED_ROWS) {
    throw new RangeError(`rows must be an integer from 0 to ${MAX_GENERATED_ROWS}, not ${rows}`);
  }
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffff_ffff) {
    throw new RangeError(`seed must be an integer from 0 to 4294967295, not ${seed}`);
  }
  if (!(invalidRate >= 0 && invalidRate <= 1)) {
    throw new RangeError(`invalid rate must be from 0 to 1, not ${invalidRate}`);
  }
  const dialect = { ...DEFAULT_CSV_DIALECT, ...options.dialect };
  const width = columnLayout(dialect.extraColumns).width;
  return { rows, seed, broken: Math.round(invalidRate * rows), dialect, width };
}

/**
 * The application number of row `index` (0-based) of a file generated from `seed`: the seed's digits, then the
 * index in ten digits. Unique within a file and across seeds.
 */
export function applicationNumberFor(seed: number, index: number): string {
  return `${seed}${String(index).padStart(10, '0')}`;
}

/**
 * The breakage of row `index` (0-based), or null for a valid row. The `broken` broken rows are spread evenly over
 * the file (row i is broken when ⌊(i+1)·broken/rows⌋ > ⌊i·broken/rows⌋), and the j-th of them gets
 * `BREAKAGES[j mod BREAKAGES.length]`: which rows break, and how, depends on the counts only, not on the seed.
 */
export function breakageOf(index: number, rows: number, broken: number): Breakage | null {
  const before = Math.floor((index * broken) / rows);
  if (Math.floor(((index + 1) * broken) / rows) === before) return null;
  return BREAKAGES[before % BREAKAGES.length]!;
}

/** The header row written when the dialect has one: Appendix A column names, `extra1`… for extra columns. */
function headerRow(p: Plan): string[] {
  const names = CSV_COLUMNS.map((c) => c.name);
  for (const [i, position] of p.dialect.extraColumns.entries())
    names.splice(position - 1, 0, `extra${i + 1}`);
  return names;
}

/** Puts the dialect's extra columns (`101`, then empty ones, as in the slides' sample row) among the cells. */
function withExtraColumns(cells: string[], extraColumns: readonly number[]): string[] {
  for (const [i, position] of extraColumns.entries()) cells.splice(position - 1, 0, i === 0 ? '101' : '');
  return cells;
}

/**
 * The rows of a generated intake file, as cell arrays in file order (a header row first when the dialect has one).
 * Lazy: a million rows never sit in memory. Identical for identical options.
 */
export function* generateCsvRows(options: GenerateCsvOptions): Generator<string[]> {
  const p = plan(options);
  const random = new SeededRandom(p.seed);
  if (p.dialect.header) yield headerRow(p);
  for (let i = 0; i < p.rows; i++) {
    const cells = realisticRow(random, applicationNumberFor(p.seed, i));
    const breakage = p.broken > 0 ? breakageOf(i, p.rows, p.broken) : null;
    breakage?.cells?.(cells);
    const row = withExtraColumns(cells, p.dialect.extraColumns);
    if (breakage?.widthChange === -1) row.pop();
    else if (breakage?.widthChange === 1) row.push('');
    yield row;
  }
}

/**
 * The errors format control must report for the file {@link generateCsvRows} makes with the same options, in file
 * order, without generating it: one per broken row.
 */
export function* expectedCsvErrors(
  options: GenerateCsvOptions,
): Generator<CsvRowError & { breakage: string }> {
  const p = plan(options);
  if (p.broken === 0) return;
  const firstLine = p.dialect.header ? 2 : 1;
  for (let i = 0; i < p.rows; i++) {
    const breakage = breakageOf(i, p.rows, p.broken);
    if (breakage) yield { line: firstLine + i, ...breakage.error(p.width), breakage: breakage.name };
  }
}

/**
 * Writes a generated file to `out` as CSV in the dialect (LF line ends, quotes only where a cell needs them),
 * with backpressure. `end: false` leaves `out` open (for stdout).
 */
export async function writeGeneratedCsv(
  options: GenerateCsvOptions,
  out: Writable,
  { end = true }: { end?: boolean } = {},
): Promise<void> {
  const dialect = { ...DEFAULT_CSV_DIALECT, ...options.dialect };
  const formatter = format<string[], string[]>({
    delimiter: dialect.delimiter,
    quote: dialect.quote,
    escape: dialect.quote,
    rowDelimiter: '\n',
    includeEndRowDelimiter: true,
  });
  await pipeline(Readable.from(generateCsvRows(options)), formatter, out, { end });
}
