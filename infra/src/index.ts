/**
 * @tm/infra: real services for tests and development. Tests import {@link testServices} and {@link uniqueName};
 * the provisioning functions serve the mocha global fixture, `pnpm infra:*` and `pnpm bench`.
 */
export { TestServiceUnavailableError } from './attempts.js';
export {
  artifactDir,
  type BrowserSession,
  CHROMIUM_FLAGS,
  expectText,
  launchBrowser,
  openBrowserSession,
  provideChromium,
} from './browser.js';
export { type ProvidedKafka, probeKafka, provideKafka } from './kafka.js';
export {
  ensureKafkaJars,
  JvmKafkaBroker,
  type JvmKafkaBrokerOptions,
  javaExecutable,
  type KafkaBrokerInfo,
  type KafkaJarSet,
  pinnedKafkaVersion,
} from './kafka-broker.js';
export { locatePostgres, type PostgresServer, type ProvidedPostgres, providePostgres } from './postgres.js';
export { type RestartableServer, startPrivatePostgres, startPrivateRedis } from './private-servers.js';
export { locateRedis, type ProvidedRedis, provideRedis, type RedisServer } from './redis.js';
export { newRunId } from './run-id.js';
export {
  ApicurioRegistry,
  type ApicurioRegistryOptions,
  ensureApicurioDistribution,
  findApicurioJava,
  pinnedApicurioVersion,
  provideSchemaRegistry,
  releaseSchemaRegistry,
  schemaRegistryOrSkip,
} from './schema-registry.js';
export { type ProvidedServices, provideServices } from './services.js';
export { type TestServices, testServices, uniqueName } from './test-env.js';
export { ensureWebBuild } from './web-build.js';
