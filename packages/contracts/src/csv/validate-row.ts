import type {
  TmApplication as Application,
  TmApplicationStatus as ApplicationStatus,
  TmClientType as ClientType,
  TmGender as Gender,
  TmLoanStatus as LoanStatus,
  TmPeriodUnit as PeriodUnit,
  TmScoringResult as ScoringResult,
} from '../generated/application.js';
import { type CsvColumnLayout, STANDARD_LAYOUT } from './column-layout.js';
import {
  APPLICATION_STATUSES,
  CLIENT_TYPES,
  CSV_COLUMNS,
  GENDERS,
  LOAN_STATUSES,
  PERIOD_UNITS,
  SCORING_RESULTS,
} from './columns.js';
import { type CsvRowError, ROW_COLUMN, ROW_FIELD } from './errors.js';
import { isDigits, moscowDay, moscowToEpochMillis, parseDate, parseTime } from './moscow-time.js';

/** Where a row came from: copied into the {@link Application} and into every error. */
export interface RowMeta {
  /** Data stream of the file (`MOBILE_LOANS`). */
  readonly dataStream: string;
  /** Name of the file. */
  readonly sourceFile: string;
  /** 1-based line of the file where the row starts. */
  readonly lineNumber: number;
  /** When intake read the row, UTC epoch milliseconds; also "today" for the birth-date rule. */
  readonly receivedAt: number;
}

/** A row that passed format control, or every reason it did not; `line` is where the row starts in its file. */
export type RowResult =
  | { readonly ok: true; readonly line: number; readonly application: Application }
  | { readonly ok: false; readonly line: number; readonly errors: CsvRowError[] };

/** A row-level error (wrong width, undecodable text): column {@link ROW_COLUMN}, field {@link ROW_FIELD}. */
export function rowError(line: number, reason: string): CsvRowError {
  return { line, column: ROW_COLUMN, field: ROW_FIELD, reason };
}

const MAX_INT = 2_147_483_647;

function enumMap<T extends string>(
  values: readonly T[],
  aliases: Record<string, T> = {},
): ReadonlyMap<string, T> {
  return new Map<string, T>([...values.map((v) => [v, v] as const), ...Object.entries(aliases)]);
}

const applicationStatuses = enumMap<ApplicationStatus>(APPLICATION_STATUSES);
const loanStatuses = enumMap<LoanStatus>(LOAN_STATUSES, { recieved: 'received' });
const scoringResults = enumMap<ScoringResult>(SCORING_RESULTS);
const clientTypes = enumMap<ClientType>(CLIENT_TYPES);
const genders = enumMap<Gender>(GENDERS);
const periodUnits = enumMap<PeriodUnit>(PERIOD_UNITS);

/** The reason for a value outside an enum, precomputed per enum. */
const oneOfReasons = new Map<ReadonlyMap<string, string>, string>(
  [applicationStatuses, loanStatuses, scoringResults, clientTypes, genders, periodUnits].map((m) => [
    m,
    `must be one of ${[...new Set(m.values())].join(', ')}`,
  ]),
);

/** The checks of one row: reads trimmed cells through the layout and collects errors (allocated on the first). */
class RowCheck {
  errors: CsvRowError[] | null = null;

  constructor(
    private readonly cells: readonly string[],
    private readonly positions: Readonly<Int32Array>,
    private readonly line: number,
  ) {}

  /** The trimmed cell of Appendix A column `i` (0-based); empty means absent. */
  cell(i: number): string {
    // The width was checked before any cell is read, so every position is inside the row.
    return (this.cells[this.positions[i]!] as string).trim();
  }

  fail(i: number, reason: string, value?: string): undefined {
    const column = CSV_COLUMNS[i]!;
    const quoted = value !== undefined && !column.personal ? ` (got ${quote(value)})` : '';
    const error = { line: this.line, column: column.number, field: column.name, reason: reason + quoted };
    if (this.errors === null) this.errors = [error];
    else this.errors.push(error);
    return undefined;
  }

  /**
   * The cell, or null when absent; undefined (and an error) when absent and required, or longer than the column's
   * `maxLength`.
   */
  text(i: number, required: boolean): string | null | undefined {
    const v = this.cell(i);
    if (v !== '') {
      const max = (CSV_COLUMNS[i] as { maxLength: number }).maxLength;
      return v.length <= max ? v : this.fail(i, `must be at most ${max} characters, has ${v.length}`);
    }
    return required ? this.fail(i, 'is required') : null;
  }

  date(i: number, required: boolean): number | null | undefined {
    const v = this.text(i, required);
    if (v == null) return v;
    const days = parseDate(v);
    return Number.isNaN(days) ? this.fail(i, 'must be a calendar date DD.MM.YYYY', v) : days;
  }

  time(i: number, required: boolean): number | null | undefined {
    const v = this.text(i, required);
    if (v == null) return v;
    const seconds = parseTime(v);
    return seconds < 0 ? this.fail(i, 'must be a time hh:mm:ss from 00:00:00 to 23:59:59', v) : seconds;
  }

  oneOf<T extends string>(
    i: number,
    values: ReadonlyMap<string, T>,
    required: boolean,
  ): T | null | undefined {
    const v = this.text(i, required);
    if (v == null) return v;
    return values.get(v) ?? this.fail(i, oneOfReasons.get(values)!, v);
  }

  count(i: number, max: number): number | null | undefined {
    const v = this.text(i, false);
    if (v == null) return v;
    if (!isDigits(v)) return this.fail(i, 'must be a non-negative integer', v);
    const n = Number(v);
    return n > max ? this.fail(i, `must be at most ${max}`, v) : n;
  }
}

function quote(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
}

function isPhone(v: string): boolean {
  return v.length === 11 && v.charCodeAt(0) === 55 && isDigits(v);
}

function isCountryCode(v: string): boolean {
  if (v.length !== 3) return false;
  for (let i = 0; i < 3; i++) {
    const c = v.charCodeAt(i);
    if (c < 65 || c > 90) return false;
  }
  return true;
}

/**
 * Format control of one CSV row (thesis Appendix A, DESIGN.md §4): checks every column and maps the row to an
 * {@link Application}, or returns every error of the row (not just the first).
 *
 * Rules: required columns present; 1.1 digits; dates `DD.MM.YYYY` that exist on the calendar and times
 * 00:00:00–23:59:59, Moscow time (UTC+3), converted to UTC epoch milliseconds; 1.7 and 1.8 both or neither;
 * enums exact (1.9 also takes the thesis's `recieved`); 1.10 only with 1.6 = scored; 2.2 eleven digits starting
 * with 7; 2.4 three capital letters; 2.10 a calendar date not after the Moscow date of `receivedAt` (days since
 * epoch); 4.1/4.2 non-negative integers up to 2^53−1, 4.4/4.6 up to 2^31−1; 4.3 any name; no cell longer than its
 * column's `maxLength` (names 100, ids and versions 64–128, the rest 32 or less). Cells are trimmed;
 * an empty cell is absent (null). A row whose width differs from the layout's gets one row-level error.
 *
 * Error reasons quote the offending value only for columns that are not personal data (see `CsvColumn.personal`).
 *
 * ## Example
 * ```ts
 * const result = validateRow(cells, { dataStream: 'MOBILE_LOANS', sourceFile: 'a.csv', lineNumber: 3, receivedAt: Date.now() });
 * if (!result.ok) console.log(result.errors.map(formatCsvError).join('\n'));
 * // 3:2.2: phone must be 11 digits starting with 7
 * // 3:1.10: scoringResult is only allowed when applicationStatus (1.6) is scored
 * ```
 *
 * @param cells The row as read from the file: one string per column, untrimmed.
 * @param meta Where the row came from.
 * @param layout Where the Appendix A columns sit in the row (default: the 31 columns in order).
 */
export function validateRow(
  cells: readonly string[],
  meta: RowMeta,
  layout: CsvColumnLayout = STANDARD_LAYOUT,
): RowResult {
  const line = meta.lineNumber;
  if (cells.length !== layout.width) {
    return {
      ok: false,
      line,
      errors: [rowError(line, `has ${cells.length} columns, expected ${layout.width}`)],
    };
  }
  const ck = new RowCheck(cells, layout.positions, line);

  const applicationNumber = ck.text(0, true);
  if (applicationNumber != null && !isDigits(applicationNumber))
    ck.fail(0, 'must be digits', applicationNumber);
  const createdDate = ck.date(1, true);
  const createdTime = ck.time(2, true);
  const changedDate = ck.date(3, true);
  const changedTime = ck.time(4, true);
  const applicationStatus = ck.oneOf(5, applicationStatuses, true);
  const loanChangedDate = ck.date(6, false);
  const loanChangedTime = ck.time(7, false);
  if (loanChangedDate === null && loanChangedTime !== null) {
    ck.fail(6, 'is required when loanChangedTime (1.8) is given');
  } else if (loanChangedTime === null && loanChangedDate !== null) {
    ck.fail(7, 'is required when loanChangedDate (1.7) is given');
  }
  const loanStatus = ck.oneOf(8, loanStatuses, false);
  const scoringResult = ck.oneOf(9, scoringResults, false);
  if (scoringResult != null && applicationStatus != null && applicationStatus !== 'scored') {
    ck.fail(9, 'is only allowed when applicationStatus (1.6) is scored');
  }

  const clientType = ck.oneOf(10, clientTypes, true);
  const phone = ck.text(11, true);
  if (phone != null && !isPhone(phone)) ck.fail(11, 'must be 11 digits starting with 7');
  const faceId = ck.text(12, false);
  const citizenship = ck.text(13, false);
  if (citizenship != null && !isCountryCode(citizenship)) {
    ck.fail(13, 'must be a 3-letter country code in capitals (KGZ)', citizenship);
  }
  const passportSeries = ck.text(14, false);
  const passportNumber = ck.text(15, false);
  const lastName = ck.text(16, false);
  const firstName = ck.text(17, false);
  const middleName = ck.text(18, false);
  const birthDate = ck.date(19, false);
  if (birthDate != null && birthDate > moscowDay(meta.receivedAt)) ck.fail(19, 'must not be in the future');
  const gender = ck.oneOf(20, genders, false);

  const os = ck.text(21, false);
  const appVersion = ck.text(22, false);
  const deviceId = ck.text(23, false);

  const requestedAmount = ck.count(24, Number.MAX_SAFE_INTEGER);
  const approvedAmount = ck.count(25, Number.MAX_SAFE_INTEGER);
  const productType = ck.text(26, false);
  const term = ck.count(27, MAX_INT);
  const termUnit = ck.oneOf(28, periodUnits, false);
  const grace = ck.count(29, MAX_INT);
  const graceUnit = ck.oneOf(30, periodUnits, false);

  if (ck.errors !== null) return { ok: false, line, errors: ck.errors };
  // No error was recorded, so every required value is present (hence the `!`) and no optional one is undefined.
  return {
    ok: true,
    line,
    application: {
      applicationNumber: applicationNumber!,
      createdAt: moscowToEpochMillis(createdDate!, createdTime!),
      changedAt: moscowToEpochMillis(changedDate!, changedTime!),
      applicationStatus: applicationStatus!,
      loanChangedAt: loanChangedDate == null ? null : moscowToEpochMillis(loanChangedDate, loanChangedTime!),
      loanStatus: loanStatus ?? null,
      scoringResult: scoringResult ?? null,
      clientType: clientType!,
      phone: phone!,
      faceId: faceId ?? null,
      citizenship: citizenship ?? null,
      passportSeries: passportSeries ?? null,
      passportNumber: passportNumber ?? null,
      lastName: lastName ?? null,
      firstName: firstName ?? null,
      middleName: middleName ?? null,
      birthDate: birthDate ?? null,
      gender: gender ?? null,
      os: os ?? null,
      appVersion: appVersion ?? null,
      deviceId: deviceId ?? null,
      requestedAmount: requestedAmount ?? null,
      approvedAmount: approvedAmount ?? null,
      productType: productType ?? null,
      term: term ?? null,
      termUnit: termUnit ?? null,
      grace: grace ?? null,
      graceUnit: graceUnit ?? null,
      dataStream: meta.dataStream,
      sourceFile: meta.sourceFile,
      lineNumber: line,
      receivedAt: meta.receivedAt,
    },
  };
}
