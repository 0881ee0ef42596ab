import { CSV_COLUMN_COUNT } from './columns.js';

/**
 * Where the 31 Appendix A columns sit in a file's rows: the column mapping of a data stream whose files carry
 * extra columns (`extra-columns` in the stream's `csv` config).
 */
export interface CsvColumnLayout {
  /** Columns a row must have: 31 plus the extra ones. */
  readonly width: number;
  /** For each Appendix A column (0-based), its 0-based position in the row. */
  readonly positions: Readonly<Int32Array>;
}

/**
 * The layout of files whose extra columns sit at the given 1-based positions (ignored when reading).
 *
 * ## Example
 * ```ts
 * const layout = columnLayout([11, 12]); // the sample row of the thesis slides
 * layout.width;        // 33
 * layout.positions[9]; // 9: 1.10 is the tenth column
 * layout.positions[10]; // 12: 2.1 comes after the two extra columns
 * ```
 */
export function columnLayout(extraColumns: readonly number[] = []): CsvColumnLayout {
  const width = CSV_COLUMN_COUNT + extraColumns.length;
  const extra = new Set(extraColumns);
  if (extra.size !== extraColumns.length) throw new RangeError('extra columns must not repeat');
  for (const position of extraColumns) {
    if (!Number.isInteger(position) || position < 1 || position > width) {
      throw new RangeError(`extra column ${position} is not between 1 and ${width}`);
    }
  }
  const positions = new Int32Array(CSV_COLUMN_COUNT);
  let next = 0;
  for (let physical = 0; physical < width; physical++) {
    if (!extra.has(physical + 1)) positions[next++] = physical;
  }
  return Object.freeze({ width, positions });
}

/** The layout of Appendix A as it is: 31 columns, in order. */
export const STANDARD_LAYOUT: CsvColumnLayout = columnLayout();
