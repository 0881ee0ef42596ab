import { z } from 'zod';

/** `topics`: topic names (DESIGN.md §4) and how they are created. */
export const TopicsSchema = z
  .object({
    'incoming-events': z.string().default('tml-incoming-events'),
    candidates: z.string().default('tml-candidates'),
    rejections: z.string().default('tml-rejections'),
    'dial-tasks': z.string().default('tm-dial-tasks'),
    'call-events': z.string().default('tm-call-events'),
    'operator-sessions': z.string().default('tm-operator-sessions'),
    'communication-results': z.string().default('tm-communication-results'),
    'callback-requests': z.string().default('tm-callback-requests'),
    /** Suffix of the dead-letter topic of each consumed topic. */
    'dlq-suffix': z.string().default('.dlq'),
    partitions: z.number().int().positive().default(6),
    'replication-factor': z.number().int().positive().default(1),
  })
  .strict()
  .transform((t) => ({
    incomingEvents: t['incoming-events'],
    candidates: t.candidates,
    rejections: t.rejections,
    dialTasks: t['dial-tasks'],
    callEvents: t['call-events'],
    operatorSessions: t['operator-sessions'],
    communicationResults: t['communication-results'],
    callbackRequests: t['callback-requests'],
    dlqSuffix: t['dlq-suffix'],
    partitions: t.partitions,
    replicationFactor: t['replication-factor'],
  }));

export type TopicsConfig = z.output<typeof TopicsSchema>;
