import type { TmApplication as Application } from '../generated/application.js';

/** The fields of an {@link Application} that come from a CSV column (everything but the intake metadata). */
export type CsvField = Exclude<keyof Application, 'dataStream' | 'sourceFile' | 'lineNumber' | 'receivedAt'>;

/** One column of thesis Appendix A, as it appears in error reports. */
export interface CsvColumn {
  /** Position among the 31 Appendix A columns, 0-based. */
  readonly index: number;
  /** The Appendix A number, `'2.2'`. */
  readonly number: string;
  /** Name of the column: the Application field it feeds, or the date/time half of one (`createdDate`). */
  readonly name: string;
  readonly required: boolean;
  /**
   * Whether the value is personal data (phone, document, names, date of birth, device and face ids): error
   * reasons never quote it.
   */
  readonly personal: boolean;
  /**
   * Most characters a value may have. Appendix A gives no lengths; these bound each text column well above any
   * real value (the ARM's DTOs cap names at 32 and application numbers at 32), so a runaway cell of hundreds of
   * kilobytes fails format control instead of a Kafka send (issue 15, defect 2).
   */
  readonly maxLength: number;
}

const table: ReadonlyArray<
  readonly [number: string, name: string, required: boolean, personal: boolean, maxLength?: number]
> = [
  ['1.1', 'applicationNumber', true, false, 32],
  ['1.2', 'createdDate', true, false],
  ['1.3', 'createdTime', true, false],
  ['1.4', 'changedDate', true, false],
  ['1.5', 'changedTime', true, false],
  ['1.6', 'applicationStatus', true, false],
  ['1.7', 'loanChangedDate', false, false],
  ['1.8', 'loanChangedTime', false, false],
  ['1.9', 'loanStatus', false, false],
  ['1.10', 'scoringResult', false, false],
  ['2.1', 'clientType', true, false],
  ['2.2', 'phone', true, true],
  ['2.3', 'faceId', false, true, 128],
  ['2.4', 'citizenship', false, false],
  ['2.5', 'passportSeries', false, true, 16],
  ['2.6', 'passportNumber', false, true, 32],
  ['2.7', 'lastName', false, true, 100],
  ['2.8', 'firstName', false, true, 100],
  ['2.9', 'middleName', false, true, 100],
  ['2.10', 'birthDate', false, true],
  ['2.11', 'gender', false, false],
  ['3.1', 'os', false, false, 64],
  ['3.2', 'appVersion', false, false, 64],
  ['3.3', 'deviceId', false, true, 128],
  ['4.1', 'requestedAmount', false, false, 16],
  ['4.2', 'approvedAmount', false, false, 16],
  ['4.3', 'productType', false, false, 64],
  ['4.4', 'term', false, false, 10],
  ['4.5', 'termUnit', false, false],
  ['4.6', 'grace', false, false, 10],
  ['4.7', 'graceUnit', false, false],
];

/** The 31 positional columns of thesis Appendix A, in file order (DESIGN.md §4). */
export const CSV_COLUMNS: readonly CsvColumn[] = table.map(
  ([number, name, required, personal, maxLength], index) =>
    Object.freeze({ index, number, name, required, personal, maxLength: maxLength ?? 32 }),
);

/** How many columns Appendix A defines: a row of a file without extra columns has exactly this many. */
export const CSV_COLUMN_COUNT = 31;

/** The column with Appendix A number `number` (`'2.2'`). Throws on an unknown number. */
export function csvColumn(number: string): CsvColumn {
  const column = CSV_COLUMNS.find((c) => c.number === number);
  if (!column) throw new RangeError(`no column ${number} in Appendix A`);
  return column;
}

/** Application statuses (1.6). */
export const APPLICATION_STATUSES = ['created', 'registered', 'scored', 'canceled'] as const;
/** Loan statuses (1.9) as written in files: the thesis's own example spells `received` as `recieved`. */
export const LOAN_STATUSES = ['transferred', 'received', 'canceled', 'repaid'] as const;
/** Scoring results (1.10). */
export const SCORING_RESULTS = ['approved', 'rejected'] as const;
/** Client types (2.1). */
export const CLIENT_TYPES = ['pioneer', 'repeater'] as const;
/** Genders (2.11). */
export const GENDERS = ['M', 'F'] as const;
/** Units of term and grace (4.5, 4.7). */
export const PERIOD_UNITS = ['day', 'month'] as const;
/** The product types Appendix A names (4.3); the set is open, so other names are accepted as they are. */
export const KNOWN_PRODUCT_TYPES = [
  'express',
  'consumer',
  'overdraft',
  'securedByCar',
  'onlineCreditTransfer',
  'webExpress',
] as const;
