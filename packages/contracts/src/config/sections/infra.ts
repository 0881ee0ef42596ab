import { z } from 'zod';
import { commaList } from './common.js';

/**
 * Where each service is when the config does not say: the environment variable the README lists, else the local
 * address docker-compose.yml publishes. The thesis keeps these outside its YAML (Spring's application properties),
 * so a config without `infra`, or without one of its parts, is complete.
 */
export const INFRA_DEFAULTS = {
  kafkaBrokers: { env: 'KAFKA_BROKERS', fallback: 'localhost:9092' },
  schemaRegistryUrl: { env: 'SCHEMA_REGISTRY_URL', fallback: undefined },
  databaseUrl: { env: 'DATABASE_URL', fallback: 'postgres://tm:tm@localhost:5432/telemarketing' },
  redisUrl: { env: 'REDIS_URL', fallback: 'redis://localhost:6379' },
} as const;

type Raw = Record<string, unknown>;
const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Fills the parts of `infra` the config leaves out from the environment, then the local defaults
 * ({@link INFRA_DEFAULTS}); what the config gives is kept as it is (validation then says what is wrong with it).
 * Returns the keys that were filled, for notes.
 */
export function fillInfraDefaults(config: unknown, env: NodeJS.ProcessEnv): string[] {
  if (!isObject(config)) return [];
  if (config.infra === undefined || config.infra === null) config.infra = {};
  const infra = config.infra;
  if (!isObject(infra)) return [];
  const filled: string[] = [];
  const fill = (part: string, key: string, d: { env: string; fallback: string | undefined }) => {
    if (infra[part] === undefined || infra[part] === null) infra[part] = {};
    const section = infra[part];
    if (!isObject(section) || section[key] !== undefined) return;
    const value = env[d.env]?.trim() || d.fallback;
    if (value === undefined) return;
    section[key] = value;
    filled.push(`infra.${part}.${key} from ${env[d.env]?.trim() ? `$${d.env}` : `the default ${value}`}`);
  };
  fill('kafka', 'brokers', INFRA_DEFAULTS.kafkaBrokers);
  fill('schema-registry', 'url', INFRA_DEFAULTS.schemaRegistryUrl);
  fill('database', 'url', INFRA_DEFAULTS.databaseUrl);
  fill('redis', 'url', INFRA_DEFAULTS.redisUrl);
  return filled;
}

/** A broker address `host:port`, the port a number from 1 to 65535. */
const brokerAddress = z.string().refine(
  (address) => {
    const match = /^[^\s:]+:(\d+)$/.exec(address) ?? /^\[[^\]\s]+\]:(\d+)$/.exec(address);
    const port = Number(match?.[1]);
    return port >= 1 && port <= 65_535;
  },
  { message: 'expected host:port with a port from 1 to 65535' },
);

/**
 * `infra`: where the services are. Values usually come from `${ENV:default}` placeholders; parts left out are
 * filled by {@link fillInfraDefaults} before validation.
 */
export const InfraSchema = z
  .object({
    transport: z.enum(['kafka', 'memory']).default('kafka'),
    kafka: z
      .object({
        brokers: commaList.pipe(z.array(brokerAddress).min(1)),
        /**
         * The Kafka client library: kafkajs (pure JavaScript, the default) or librdkafka (@confluentinc/kafka-javascript,
         * an optional dependency built on install; where it cannot load, the runners say so and use kafkajs). ADR 0141.
         */
        client: z.enum(['kafkajs', 'librdkafka']).default('kafkajs'),
        'client-id': z.string().default('tm'),
        /**
         * How long the group waits for a silent consumer before giving its partitions to others: after a crash, a
         * restarted runner waits this long for its partitions. 6,000 is the broker's usual minimum.
         */
        'session-timeout-ms': z.number().int().min(1000).default(30_000),
        /**
         * How long a runner rides out the broker being away (at start, or while running) before it exits non-zero
         * for a supervisor to restart it; unready all the while.
         */
        'outage-limit-ms': z.number().int().min(0).default(300_000),
      })
      .strict(),
    'schema-registry': z
      .object({
        /** Empty (`${SCHEMA_REGISTRY_URL:}` with the variable unset) means no registry: single-object encoding. */
        url: z.union([z.literal('').transform(() => undefined), z.url()]).optional(),
      })
      .strict()
      .prefault({}),
    database: z.object({ url: z.string().min(1) }).strict(),
    redis: z.object({ url: z.string().min(1) }).strict(),
  })
  .strict()
  .transform((i) => ({
    transport: i.transport,
    kafka: {
      brokers: i.kafka.brokers,
      client: i.kafka.client,
      clientId: i.kafka['client-id'],
      sessionTimeoutMs: i.kafka['session-timeout-ms'],
      outageLimitMs: i.kafka['outage-limit-ms'],
    },
    schemaRegistryUrl: i['schema-registry'].url,
    databaseUrl: i.database.url,
    redisUrl: i.redis.url,
  }));

export type InfraConfig = z.output<typeof InfraSchema>;
