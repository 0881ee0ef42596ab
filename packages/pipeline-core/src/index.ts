/**
 * @tm/pipeline-core — stream stages over Kafka or an in-memory transport, composed with RxJS.
 *
 * A stage is `source → operators → sink`: records arrive as {@link Committable}s carrying their offsets, flow
 * through plain RxJS and this package's operators, and end as the records they produce. The runtime commits each
 * partition's offsets only up to its highest contiguous settled record, bounds the records in flight (pausing
 * partitions), dead-letters records that cannot be decoded or keep failing, and shuts down gracefully.
 * @packageDocumentation
 */
export {
  attemptsOf,
  DecodeError,
  DependencyUnavailableError,
  isFencedError,
  RetriesExhaustedError,
  SchemaRegistryError,
  StageFailedError,
} from './errors.js';
export { defaultLogger, type Logger } from './log.js';
export { type ApplyRecordsOptions, applyRecords } from './operators/apply-records.js';
export { type BufferRecordsOptions, bufferRecords } from './operators/buffer-records.js';
export { type ConcurrentMapByKeyOptions, concurrentMapByKey } from './operators/concurrent-map-by-key.js';
export { filterRecords } from './operators/filter-records.js';
export { inLanes } from './operators/in-lanes.js';
export { mapValue } from './operators/map-value.js';
export { retryBackoff } from './operators/retry-backoff.js';
export { routeToDlq } from './operators/route-to-dlq.js';
export { type ToTopicOptions, toOutputs, toTopic } from './operators/to-topic.js';
export {
  type Contribution,
  type WindowAggregateOptions,
  type WindowedValue,
  windowAggregate,
} from './operators/window-aggregate.js';
export { type WriteBatchesOptions, writeBatches } from './operators/write-batches.js';
export {
  Committable,
  type Emission,
  type Headers,
  type OutboundRecord,
  type RawRecord,
  type RecordOrigin,
} from './record.js';
export {
  backoffDelay,
  longestWait,
  RECONNECT_BACKOFF,
  type RetryPolicy,
  retryWithBackoff,
  ridingOut,
} from './retry/backoff.js';
export { type OnceUntilFailed, onceUntilFailed } from './retry/once-until-failed.js';
export { type ConfluentAvroOptions, confluentAvroSerde, REGISTRY_RETRY } from './serdes/avro-confluent.js';
export { type AvroSerde, avroFramingOf, framedAvroEncoder } from './serdes/avro-framing.js';
export { AvroSchemaStore, canonicalForm, fingerprintBytes } from './serdes/avro-schema-store.js';
export { type AvroSerdeOptions, avroSerde } from './serdes/avro-serde.js';
export {
  avroSingleObjectSerde,
  SINGLE_OBJECT_MARKER,
  singleObjectHeader,
} from './serdes/avro-single-object.js';
export { crc64Avro } from './serdes/crc64-avro.js';
export {
  HISTORY_FOLDER,
  readSchemaDirectory,
  readSchemaHistory,
  type SchemaFile,
} from './serdes/schema-directory.js';
export {
  archiveSchemas,
  checkSchemaEvolution,
  describeDecodeFailure,
  describeResolutionFailure,
  historyFileOf,
  type SchemaEvolutionProblem,
} from './serdes/schema-evolution.js';
export { SchemaRegistryClient, type SchemaRegistryClientOptions } from './serdes/schema-registry-client.js';
export { namedTypeDefinitions, selfContainedSchema } from './serdes/self-contained-schema.js';
export { bufferSerde, jsonSerde, type Serde, stringSerde } from './serdes/serde.js';
export { DeadLetterHeaders, deadLetterRecord, defaultDeadLetterTopic } from './stage/dead-letter.js';
export { StageMetrics } from './stage/metrics.js';
export { type OpsServer, serveOps } from './stage/ops-server.js';
export { type Periodic, runEvery } from './stage/periodic.js';
export { type RunStagesOptions, runStages } from './stage/run-stages.js';
export type { Runnable } from './stage/runnable.js';
export {
  createStage,
  type DeliveryGuarantee,
  Stage,
  type StageHealth,
  type StageOptions,
  type StageState,
} from './stage/stage.js';
export { TransactionSender, type TransactionSenderOptions } from './stage/transaction-sender.js';
export {
  type ChangelogStateOptions,
  type KeyValueStore,
  type StateSnapshot,
  StateStoreError,
  StateStores,
  type StoreSpec,
} from './state/state-stores.js';
export { type KafkaTransportOptions, kafkaTransport } from './transport/kafka/kafka-transport.js';
export { MemoryBroker, ProducerFencedError } from './transport/memory/broker.js';
export { memoryTransport } from './transport/memory/memory-transport.js';
export {
  type RdkafkaTransportOptions,
  RdkafkaUnavailableError,
  rdkafkaAvailability,
  rdkafkaTransport,
} from './transport/rdkafka/rdkafka-transport.js';
export { type ReadTopicUntilOptions, readTopicUntil } from './transport/read-topic-until.js';
export type {
  ConsumerHandlers,
  ConsumerOptions,
  ProducerOptions,
  RecordBatch,
  TopicPartition,
  TopicPartitionOffset,
  TopicSpec,
  Transport,
  TransportConsumer,
  TransportProducer,
  TransportTransaction,
} from './transport/types.js';
export {
  combineWindows,
  TimeWindows,
  type TimeWindowsOptions,
  type Window,
  type WindowAssigner,
} from './windows/time-windows.js';
