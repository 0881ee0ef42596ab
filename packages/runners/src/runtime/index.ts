export { createLogger, type Logger, REDACTED_PATHS } from './logger.js';
export { type RunRunnerOptions, runRunner } from './run-runner.js';
export {
  type ContractSerdes,
  contractSerdes,
  type SerdeConfig,
  schemaRegistryUrlOf,
  topicsByValueType,
} from './serdes.js';
export { deadLetterTopicOf, ensurePipelineTopics, pipelineTopics } from './topics.js';
export { transportFor } from './transport.js';
