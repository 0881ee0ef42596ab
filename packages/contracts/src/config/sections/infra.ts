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
         * Consumer session timeout: how long a member that stopped heartbeating (a killed process) keeps its
         * partitions before the group moves them. The broker bounds it (6,000 ms minimum by default).
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
