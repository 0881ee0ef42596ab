/**
 * The campaign engine's database (thesis §2.6.3 and §2.7.3): migrations, and plain repository functions over a knex
 * instance or transaction that the campaign-engine runner calls. SQL goes through bound parameters only.
 */
export {
  applyCallEvent,
  type CallCommunication,
  type CallEventOutcome,
  communicationOfCall,
} from './call-events.js';
export { type CampaignRow, campaignRowsOf, upsertCampaigns } from './campaigns.js';
export { analyzeCampaignTasks, type ClaimOptions, claimDueTasks } from './claim.js';
export { type ClientInfo, clientInfoOf, clientTimeZoneOf } from './client-info.js';
export {
  applyCommunicationResult,
  type ResultOptions,
  type ResultOutcome,
} from './communication-results.js';
export { type ConnectOptions, connectCampaignDb, poolMaxOf } from './connect.js';
export { type ConsumedEventType, pruneConsumedEvents } from './consumed-events.js';
export type { OutboxDialTask } from './dial-task-row.js';
export { CampaignDbError, isRetriablePgError } from './errors.js';
export { type IngestOptions, type IngestResult, ingestCandidates } from './ingest.js';
export { findInvariantViolations, type InvariantViolation } from './invariants.js';
export {
  campaignMigrationSource,
  MIGRATION_LOCK,
  migrateToLatest,
  migrationStatus,
  rollbackAll,
} from './migrate.js';
export {
  fetchUnpublishedDialTasks,
  markDialTasksPublished,
  OUTBOX_PUBLISHER_LOCK,
  type OutboxPublishResult,
  prunePublishedDialTasks,
  publishOutboxBatch,
  publishOutboxBatchDetached,
} from './outbox.js';
export {
  type CampaignDbSummary,
  type CampaignSummary,
  COMMUNICATION_STATES,
  type CommunicationState,
  campaignDbSummary,
  TASK_STATES,
  type TaskState,
  taskCountsByState,
} from './summary.js';
