/**
 * @tm/pipeline-core — generic RxJS stream stages over Kafka or an in-memory transport.
 * @packageDocumentation
 */
export { readSchemaDirectory, type SchemaFile } from './serdes/schema-directory.js';
