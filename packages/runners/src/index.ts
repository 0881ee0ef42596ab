/**
 * @tm/runners — one runner per pipeline stage, the `tm` CLI, HTTP servers, migrations, simulators and the demo.
 * @packageDocumentation
 */

/** The services' paths, for the analyser benchmark's bare client (its floor). */
export { ABRAM_ASSESS_PATH, BLACKLIST_SEARCH_PATH, CASPER_SEARCH_PATH } from '@tm/filters';
/** The analyser (tml-events-analyser, thesis §2.6.2): the stage factory and its parts. */
export * from './analyser/index.js';
/** The ARM (tm-arm, thesis §2.6.5): the operators' API, client cards, sessions, the 60-second rule. */
export { type Arm, type ArmOptions, buildArmApi, createArm } from './arm/arm.js';
export { HttpSecurity, inProcessSecurity, type SecurityPort } from './arm/security-client.js';
/** The campaign engine's database: migrations and repository functions (thesis §2.6.3, §2.7.3). */
export * from './campaign/db/index.js';
/** The campaign engine (tm-campaign-engine): ingest, scheduled dispatch through the outbox, call events, results. */
export * from './campaign/engine/index.js';
export { buildProgram } from './cli.js';
export { type GenCsvOptions, genCsv } from './commands/gen-csv.js';
export { describeOutcome, type IngestOptions, ingest } from './commands/ingest.js';
export { type MigrateOptions, runMigrate } from './commands/migrate.js';
export { type OpenApiService, openApiDocument } from './commands/openapi.js';
export { type RunArmOptions, runArm } from './commands/run-arm.js';
export { type RunCampaignOptions, runCampaignEngine } from './commands/run-campaign.js';
export {
  type RunDialerOptions,
  runDialer,
  TELEPHONY_URL_ENV,
  telephonyUrlOf,
} from './commands/run-dialer.js';
export { runIntake } from './commands/run-intake.js';
export { type RunKpiOptions, runKpi } from './commands/run-kpi.js';
export { type RunSecurityOptions, runSecurity } from './commands/run-security.js';
export { type CommandOutput, type ValidateCsvOptions, validateCsv } from './commands/validate-csv.js';
/** The dialer (tm-mightycall-adapter, thesis §2.6.6). */
export * from './dialer/index.js';
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
} from './intake/import-types.js';
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
/** The key-value store of the security service and the ARM: Redis, or memory when embedded (ADR 0092). */
export { type KeyValueStore, StoreUnavailableError } from './kv/key-value-store.js';
export { MemoryStore } from './kv/memory-store.js';
export { RedisStore, type RedisStoreOptions } from './kv/redis-store.js';
export * from './runtime/index.js';
/** The security service (tm-security-service, thesis §2.6.4). */
export { addOperator, listOperators, type OperatorRow, setOperatorLocked } from './security/operators-db.js';
export { DEFAULT_SCRYPT_COST, PasswordHasher, type ScryptCost } from './security/password.js';
export {
  buildSecurityApi,
  createSecurity,
  DEMO_OPERATOR,
  type Security,
  type SecurityOptions,
  type SeedOperator,
} from './security/security.js';
export type { AccessOutcome, LoginOutcome, SecurityService } from './security/security-service.js';
/** The Telephony port and its HTTP adapter (ADRs 0080, 0081). */
export * from './telephony/index.js';
export { exitTwoOnUsageError, UsageError } from './usage-errors.js';
