/**
 * What the integration-test setup provides, as seen from a test. The global setup (mocha-global.ts) publishes the
 * services through TM_TEST_* environment variables, which child processes started by tests inherit too.
 */
export interface TestServices {
  runId: string;
  kafkaBrokers: string[];
  kafkaVersion: string;
  databaseUrl: string;
  database: string;
  redisUrl: string;
  redisKeyPrefix: string;
}

export const TEST_ENV = {
  runId: 'TM_TEST_RUN_ID',
  kafkaBrokers: 'TM_TEST_KAFKA_BROKERS',
  kafkaVersion: 'TM_TEST_KAFKA_VERSION',
  databaseUrl: 'TM_TEST_DATABASE_URL',
  database: 'TM_TEST_DATABASE',
  redisUrl: 'TM_TEST_REDIS_URL',
  redisKeyPrefix: 'TM_TEST_REDIS_PREFIX',
} as const;

/** The services of this test run. Throws when called outside `pnpm test:integration`. */
export function testServices(): TestServices {
  const get = (name: string): string => {
    const value = process.env[name];
    if (!value) {
      throw new Error(
        `${name} is not set: integration tests run through \`pnpm test:integration\`, whose setup provides the services`,
      );
    }
    return value;
  };
  return {
    runId: get(TEST_ENV.runId),
    kafkaBrokers: get(TEST_ENV.kafkaBrokers).split(','),
    kafkaVersion: get(TEST_ENV.kafkaVersion),
    databaseUrl: get(TEST_ENV.databaseUrl),
    database: get(TEST_ENV.database),
    redisUrl: get(TEST_ENV.redisUrl),
    redisKeyPrefix: get(TEST_ENV.redisKeyPrefix),
  };
}

let counter = 0;

/** A name unique to this run and call, for topics, consumer groups and transactional ids: `base-<runId>-<n>`. */
export function uniqueName(base: string): string {
  counter += 1;
  return `${base}-${process.env[TEST_ENV.runId] ?? 'local'}-${counter}`;
}
