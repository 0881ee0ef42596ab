import { type ProvidedKafka, provideKafka } from './kafka.js';
import { type ProvidedPostgres, providePostgres } from './postgres.js';
import { type ProvidedRedis, provideRedis } from './redis.js';
import { TEST_ENV, type TestServices } from './test-env.js';

/** Everything an integration-test run uses, and how to let go of it. */
export interface ProvidedServices {
  runId: string;
  kafka: ProvidedKafka;
  postgres: ProvidedPostgres;
  redis: ProvidedRedis;
  release(options?: { keepLogs?: boolean }): Promise<void>;
}

/**
 * Provides Kafka, PostgreSQL and Redis concurrently. When any one cannot be had, releases the others and throws the
 * first failure (a {@link TestServiceUnavailableError} naming the service and what was tried).
 */
export async function provideServices(runId: string): Promise<ProvidedServices> {
  const [kafka, postgres, redis] = await Promise.allSettled([
    provideKafka(),
    providePostgres(runId),
    provideRedis(runId),
  ]);
  if (kafka.status === 'fulfilled' && postgres.status === 'fulfilled' && redis.status === 'fulfilled') {
    return {
      runId,
      kafka: kafka.value,
      postgres: postgres.value,
      redis: redis.value,
      release: async (options) => {
        await Promise.allSettled([
          kafka.value.stop(options),
          postgres.value.release(),
          redis.value.release(),
        ]);
      },
    };
  }
  await Promise.allSettled([
    kafka.status === 'fulfilled' ? kafka.value.stop() : undefined,
    postgres.status === 'fulfilled' ? postgres.value.release() : undefined,
    redis.status === 'fulfilled' ? redis.value.release() : undefined,
  ]);
  const failures = [kafka, postgres, redis].filter(
    (r): r is PromiseRejectedResult => r.status === 'rejected',
  );
  if (failures.length > 1) {
    throw new Error(
      failures.map((f) => (f.reason instanceof Error ? f.reason.message : String(f.reason))).join('\n'),
    );
  }
  throw failures[0]?.reason;
}

/** The provided services as test code sees them. */
export function asTestServices(s: ProvidedServices): TestServices {
  return {
    runId: s.runId,
    kafkaBrokers: s.kafka.brokers,
    kafkaVersion: s.kafka.version,
    databaseUrl: s.postgres.url,
    database: s.postgres.database,
    redisUrl: s.redis.url,
    redisKeyPrefix: s.redis.keyPrefix,
  };
}

/** Publishes the services through TM_TEST_* variables, for tests and the processes they start. */
export function exportToEnv(t: TestServices): void {
  process.env[TEST_ENV.runId] = t.runId;
  process.env[TEST_ENV.kafkaBrokers] = t.kafkaBrokers.join(',');
  process.env[TEST_ENV.kafkaVersion] = t.kafkaVersion;
  process.env[TEST_ENV.databaseUrl] = t.databaseUrl;
  process.env[TEST_ENV.database] = t.database;
  process.env[TEST_ENV.redisUrl] = t.redisUrl;
  process.env[TEST_ENV.redisKeyPrefix] = t.redisKeyPrefix;
}
