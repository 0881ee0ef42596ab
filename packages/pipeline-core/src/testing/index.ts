/**
 * @tm/pipeline-core/testing — helpers for testing stages and operators: a topology test driver over the memory
 * transport, standalone committable records for marble tests, a Schema Registry test double, and small utilities
 * for reading topics and waiting on commits.
 * @packageDocumentation
 */
export { type SchemaRegistryDouble, startSchemaRegistryDouble } from './schema-registry-double.js';
export { StageTestDriver } from './stage-test-driver.js';
export { outcomeOf, type TestOutcome, testRecord } from './test-record.js';
export { testScheduler } from './test-scheduler.js';
export { committedTotal, eventually, gatedTransport, produce, readTopic } from './transport-helpers.js';
