import { z } from 'zod';
import { commaList } from './common.js';

/** `infra`: where the services are. Values usually come from `${ENV:default}` placeholders. */
export const InfraSchema = z
  .object({
    transport: z.enum(['kafka', 'memory']).default('kafka'),
    kafka: z
      .object({
        brokers: commaList.pipe(z.array(z.string()).min(1)),
        'client-id': z.string().default('tm'),
        /**
         * How long the group waits for a silent consumer before giving its partitions to others: after a crash, a
         * restarted runner waits this long for its partitions. 6,000 is the broker's usual minimum.
         */
        'session-timeout-ms': z.number().int().min(1000).default(30_000),
      })
      .strict(),
    'schema-registry': z.object({ url: z.url().optional() }).strict().prefault({}),
    database: z.object({ url: z.string().min(1) }).strict(),
    redis: z.object({ url: z.string().min(1) }).strict(),
  })
  .strict()
  .transform((i) => ({
    transport: i.transport,
    kafka: {
      brokers: i.kafka.brokers,
      clientId: i.kafka['client-id'],
      sessionTimeoutMs: i.kafka['session-timeout-ms'],
    },
    schemaRegistryUrl: i['schema-registry'].url,
    databaseUrl: i.database.url,
    redisUrl: i.redis.url,
  }));

export type InfraConfig = z.output<typeof InfraSchema>;
