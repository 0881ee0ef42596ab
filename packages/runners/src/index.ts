/**
 * @tm/runners — one runner per pipeline stage, the `tm` CLI, HTTP servers, migrations, simulators and the demo.
 * @packageDocumentation
 */

/** The analyser (tml-events-analyser, thesis §2.6.2): the stage factory and its parts. */
export * from './analyser/index.js';
/** The campaign engine's database: migrations and repository functions (thesis §2.6.3, §2.7.3). */
export * from './campaign/db/index.js';
/** The campaign engine (tm-campaign-engine): ingest, scheduled dispatch through the outbox, call events, results. */
export * from './campaign/engine/index.js';
export { buildProgram } from './cli.js';
export { type GenCsvOptions, genCsv } from './commands/gen-csv.js';
export { describeOutcome, type IngestOptions, ingest } from './commands/ingest.js';
export { type MigrateOptions, runMigrate } from './commands/migrate.js';
export { type RunCampaignOptions, runCampaignEngine } from './commands/run-campaign.js';
export { runIntake } from './commands/run-intake.js';
export { type RunKpiOptions, runKpi } from './commands/run-kpi.js';
export { type CommandOutput, type ValidateCsvOptions, validateCsv } from './commands/validate-csv.js';
/** The data-path runners as separate `tm run` processes on one config: the end-to-end test and benchmark. */
export {
  PipelineProcesses,
  type PipelineProcessesOptions,
  type PipelineProcessName,
  type RunnerRuntime,
  writePipelineConfig,
} from './e2e/pipeline-processes.js';
export {
  type EmbeddedPostgres,
  type EmbeddedPostgresOptions,
  startEmbeddedPostgres,
} from './embedded/pglite.js';
export {
  candidateNames,
  freeName,
  isInProgressName,
  reportNameOf,
} from './intake/file-naming.js';
export { type IncomingFile, incomingFile, oldestFirst, scanStreamFolder } from './intake/folder-scan.js';
export * from './intake/generator/index.js';
export type {
  FileOutcome,
  ImportProgress,
} from './intake/import-file.js';
export { createIntake, type Intake, type IntakeOptions, UnknownStreamError } from './intake/intake.js';
export { IntakeMetrics } from './intake/intake-metrics.js';
export {
  FileLedger,
  type LedgerEntry,
  LedgerReadError,
  ledgerKey,
  type ResumeDecision,
  resumeDecision,
} from './intake/ledger.js';
export { type FileSighting, StabilityTracker } from './intake/stability.js';
export { type StreamDialect, streamDialect } from './intake/stream-dialect.js';
/** The live KPIs (issue 14): the stage factory, its view, API and metrics. */
export * from './kpi/index.js';
export * from './runtime/index.js';
export { exitTwoOnUsageError, UsageError } from './usage-errors.js';
