/**
 * The campaign engine runner (tm-campaign-engine, thesis §2.6.3): {@link createCampaignEngine} builds its stages,
 * dispatcher and schedules. The pieces are exported for engines composed differently: the dispatcher, the
 * stages' operators, the database-retry policy, the housekeeping.
 */
export { type ApplyToDatabaseOptions, applyToDatabase } from './apply-to-database.js';
export { DB_RETRY, isDatabaseUnavailable, isRetriableDbError, withDbRetry } from './db-retry.js';
export {
  Dispatcher,
  type DispatcherOptions,
  type DispatchRound,
  type OutboxPublisherMode,
} from './dispatcher.js';
export { type CampaignEngine, type CampaignEngineOptions, createCampaignEngine } from './engine.js';
export { CampaignEngineMetrics } from './engine-metrics.js';
export { UnknownReferenceError } from './errors.js';
export { type Pruned, pruneOldRows, type Retention } from './housekeeping.js';
export { type IngestBatchesOptions, ingestBatches } from './ingest-batches.js';
