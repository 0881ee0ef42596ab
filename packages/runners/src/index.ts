/**
 * @tm/runners — one runner per pipeline stage, the `tm` CLI, HTTP servers, migrations, simulators and the demo.
 * @packageDocumentation
 */
export { buildProgram } from './cli.js';
export { type GenCsvOptions, genCsv } from './commands/gen-csv.js';
export { type CommandOutput, type ValidateCsvOptions, validateCsv } from './commands/validate-csv.js';
export * from './intake/generator/index.js';
export { type StreamDialect, streamDialect } from './intake/stream-dialect.js';
export { exitTwoOnUsageError, UsageError } from './usage-errors.js';
