import { csvColumn, ROW_COLUMN, ROW_FIELD } from '@tm/contracts';

/** What format control says about a broken row: column, field and reason of its one error. */
export interface ExpectedError {
  readonly column: string;
  readonly field: string;
  readonly reason: string;
}

/**
 * One known way to break a valid row so that format control reports exactly one error. Either it rewrites
 * Appendix A cells (`cells`), or it changes the row's width by `widthChange` columns.
 */
export interface Breakage {
  /** Short name, used in manifests and docs (`bad-phone`). */
  readonly name: string;
  /** Rewrites some of the 31 Appendix A cells of a valid row, in place. */
  readonly cells?: (cells: string[]) => void;
  /** Columns to drop (−1) or add (+1) at the end of the written row. */
  readonly widthChange?: -1 | 1;
  /** The error this breakage causes in a file whose rows have `width` columns. */
  readonly error: (width: number) => ExpectedError;
}

function at(number: string, reason: string): () => ExpectedError {
  const column = csvColumn(number);
  return () => ({ column: column.number, field: column.name, reason });
}

function set(number: string, value: string): (cells: string[]) => void {
  const { index } = csvColumn(number);
  return (cells) => {
    cells[index] = value;
  };
}

const DATE = 'must be a calendar date DD.MM.YYYY';
const TIME = 'must be a time hh:mm:ss from 00:00:00 to 23:59:59';

/**
 * The broken rows of a generated file cycle through this list, in this order. Each entry breaks one rule of
 * DESIGN.md §4 and nothing else.
 */
export const BREAKAGES: readonly Breakage[] = [
  {
    name: 'bad-phone',
    cells: set('2.2', '89161234567'),
    error: at('2.2', 'must be 11 digits starting with 7'),
  },
  {
    name: 'day-31-february',
    cells: set('1.2', '31.02.2024'),
    error: at('1.2', `${DATE} (got "31.02.2024")`),
  },
  { name: 'hour-24', cells: set('1.3', '24:00:00'), error: at('1.3', `${TIME} (got "24:00:00")`) },
  {
    name: 'scoring-without-scored',
    cells: (cells) => {
      set('1.6', 'registered')(cells);
      set('1.10', 'approved')(cells);
    },
    error: at('1.10', 'is only allowed when applicationStatus (1.6) is scored'),
  },
  {
    name: 'loan-date-without-time',
    cells: (cells) => {
      set('1.7', '01.06.2024')(cells);
      set('1.8', '')(cells);
    },
    error: at('1.8', 'is required when loanChangedDate (1.7) is given'),
  },
  {
    name: 'missing-column',
    widthChange: -1,
    error: (width) => ({
      column: ROW_COLUMN,
      field: ROW_FIELD,
      reason: `has ${width - 1} columns, expected ${width}`,
    }),
  },
  {
    name: 'extra-column',
    widthChange: 1,
    error: (width) => ({
      column: ROW_COLUMN,
      field: ROW_FIELD,
      reason: `has ${width + 1} columns, expected ${width}`,
    }),
  },
  {
    name: 'negative-amount',
    cells: set('4.1', '-5000'),
    error: at('4.1', 'must be a non-negative integer (got "-5000")'),
  },
  {
    name: 'unknown-application-status',
    cells: set('1.6', 'approved'),
    error: at('1.6', 'must be one of created, registered, scored, canceled (got "approved")'),
  },
  {
    name: 'day-29-february-2023',
    cells: set('1.4', '29.02.2023'),
    error: at('1.4', `${DATE} (got "29.02.2023")`),
  },
  {
    name: 'birth-date-in-future',
    cells: set('2.10', '01.01.2100'),
    error: at('2.10', 'must not be in the future'),
  },
  { name: 'missing-application-number', cells: set('1.1', ''), error: at('1.1', 'is required') },
  {
    name: 'unknown-term-unit',
    cells: set('4.5', 'week'),
    error: at('4.5', 'must be one of day, month (got "week")'),
  },
  {
    name: 'lower-case-citizenship',
    cells: set('2.4', 'kgz'),
    error: at('2.4', 'must be a 3-letter country code in capitals (KGZ) (got "kgz")'),
  },
];
