/** Helpers for the dialer's tests (not exported from the package): rows its tables need, and records for its topics. */
import type { CallbackRequest, DialTask, OperatorSession, PipelineConfig } from '@tm/contracts';
import type { OutboundRecord } from '@tm/pipeline-core';
import type { Knex } from 'knex';
import { contractSerdes } from '../runtime/serdes.js';

let seeded = 0;

/** Inserts campaign 1 (if missing) and `count` IN_PROGRESS tasks at attempt 1, each with a phone of its own; resolves with their ids. */
export async function seedTasks(db: Knex, count: number): Promise<number[]> {
  const first = seeded;
  seeded += count;
  await db.raw(
    `INSERT INTO TM$CAMPAIGNS (ID, NAME, DOMAIN) VALUES (1, 'test', 'LOANS') ON CONFLICT (ID) DO NOTHING`,
  );
  const { rows } = await db.raw<{ rows: { id: string }[] }>(
    `INSERT INTO TM$CAMPAIGN_TASKS
       (PHONE, CLIENT_INFO, TASK_TIME, TASK_TYPE, TASK_STATE, CAMPAIGN_ID, CANDIDATE_ID, ATTEMPT, CLIENT_TIME_ZONE)
     SELECT '7900' || lpad((g + ?)::text, 7, '0'), '{}'::jsonb, now(), 'PHONE_MIGHTYCALL', 'IN_PROGRESS', 1,
            'dialer-test-' || g || '-' || gen_random_uuid(), 1, 'Europe/Moscow'
       FROM generate_series(1, ?) g
     RETURNING ID`,
    [first, count],
  );
  return rows.map((r) => Number(r.id));
}

/** Inserts operators with these ids into TM$OPERATORS. */
export async function seedOperators(db: Knex, ids: readonly number[]): Promise<void> {
  for (const id of ids)
    await db.raw(
      `INSERT INTO TM$OPERATORS (ID, LOGIN, PASSWORD, ROLE, FIRST_NAME, LAST_NAME)
       VALUES (?, ?, 'x', 'OPERATOR', 'Test', 'Operator') ON CONFLICT (ID) DO NOTHING`,
      [id, `dialer-test-${id}`],
    );
}

/** A DialTask as the engine's outbox publishes it. */
export function dialTask(
  action: DialTask['action'],
  taskId: number,
  attempt = 1,
  phone = '79001234567',
): DialTask {
  return {
    dialTaskId: `${action}:${taskId}:${attempt}`,
    action,
    taskId,
    campaignId: 1,
    phone,
    attempt,
    clientTimeZone: 'Europe/Moscow',
    createdAt: Date.now(),
  };
}

/** Encoders of the dialer's input records, keyed as their producers key them. */
export function dialerRecords(config: PipelineConfig) {
  const serdes = contractSerdes(config);
  const { topics } = config;
  return {
    dialTask: (t: DialTask): OutboundRecord => ({
      topic: topics.dialTasks,
      key: t.phone,
      value: serdes.dialTask.encode(t),
    }),
    session: (
      operatorId: number,
      action: OperatorSession['action'],
      eventId = `${action}-${operatorId}-${Math.random()}`,
    ): OutboundRecord => ({
      topic: topics.operatorSessions,
      key: String(operatorId),
      value: serdes.operatorSession.encode({
        eventId,
        operatorId,
        action,
        reason: null,
        occurredAt: Date.now(),
      }),
    }),
    callback: (r: CallbackRequest): OutboundRecord => ({
      topic: topics.callbackRequests,
      key: String(r.operatorId),
      value: serdes.callbackRequest.encode(r),
    }),
  };
}

/** TM$MIGHTYCALL_TASKS as tests read it. */
export async function dialerRows(
  db: Knex,
): Promise<
  { dialTaskId: string; state: string; externalId: string | null; tries: number; lastError: string | null }[]
> {
  const { rows } = await db.raw<{
    rows: {
      dial_task_id: string;
      task_state: string;
      external_id: string | null;
      tries: number;
      last_error: string | null;
    }[];
  }>('SELECT DIAL_TASK_ID, TASK_STATE, EXTERNAL_ID, TRIES, LAST_ERROR FROM TM$MIGHTYCALL_TASKS ORDER BY ID');
  return rows.map((r) => ({
    dialTaskId: r.dial_task_id,
    state: r.task_state,
    externalId: r.external_id,
    tries: r.tries,
    lastError: r.last_error,
  }));
}
