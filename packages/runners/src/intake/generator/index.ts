export { BREAKAGES, type Breakage, type ExpectedError } from './breakages.js';
export {
  applicationNumberFor,
  breakageOf,
  expectedCsvErrors,
  type GenerateCsvOptions,
  generateCsvRows,
  MAX_GENERATED_ROWS,
  writeGeneratedCsv,
} from './generate-csv.js';
export { realisticRow, UNKNOWN_PRODUCT_TYPE } from './realistic-row.js';
export { SeededRandom } from './seeded-random.js';
