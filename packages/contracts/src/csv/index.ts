export { type CsvColumnLayout, columnLayout, STANDARD_LAYOUT } from './column-layout.js';
export {
  APPLICATION_STATUSES,
  CLIENT_TYPES,
  CSV_COLUMN_COUNT,
  CSV_COLUMNS,
  type CsvColumn,
  type CsvField,
  csvColumn,
  GENDERS,
  KNOWN_PRODUCT_TYPES,
  LOAN_STATUSES,
  PERIOD_UNITS,
  SCORING_RESULTS,
} from './columns.js';
export { CsvReadError, type CsvRowError, formatCsvError, ROW_COLUMN, ROW_FIELD } from './errors.js';
export {
  daysInMonth,
  MOSCOW_OFFSET_MS,
  MS_PER_DAY,
  moscowDay,
  moscowToEpochMillis,
  parseDate,
  parseTime,
} from './moscow-time.js';
export {
  type CsvReadOptions,
  DEFAULT_CSV_DIALECT,
  readCsv,
  readCsvBatches,
  readCsvFile,
} from './read-csv.js';
export { type CsvValidationSummary, validateCsvFile } from './validate-file.js';
export { type RowMeta, type RowResult, rowError, validateRow } from './validate-row.js';
