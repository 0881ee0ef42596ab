/**
 * @tm/pipeline-core — generic RxJS stream stages over Kafka or an in-memory transport.
 *
 * The public API lands with the pipeline-core issue; this file is the package's single entry point.
 * @packageDocumentation
 */
export {};
