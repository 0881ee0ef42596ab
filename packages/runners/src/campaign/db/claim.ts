import type { CampaignEngineRules } from '@tm/contracts';
import type { Knex } from 'knex';
import { OUTBOX_COLUMNS, type OutboxDialTask, type OutboxRow, outboxDialTaskOf } from './dial-task-row.js';
import { withDbContext } from './errors.js';

/** Arguments of {@link claimDueTasks}. */
export interface ClaimOptions {
  /** Tasks with TASK_TIME at or before this instant are due; calling hours are checked at this instant. */
  now: Date;
  /** Most tasks claimed by this call. */
  limit: number;
  /** The campaigns to dispatch and their calling hours; tasks of other campaigns are left NEW. */
  campaigns: readonly Pick<CampaignEngineRules, 'campaignId' | 'callingHours'>[];
}

/**
 * One statement: lock due NEW tasks of the given campaigns whose client is inside the campaign's calling hours
 * (local time of CLIENT_TIME_ZONE at `now`; a window whose end is before its start spans midnight), skipping rows
 * another claimer holds. The rules are checked per row in EXISTS, not joined, so the plan walks the due index in
 * TASK_TIME order and stops at `limit` instead of sorting the whole backlog; mark them IN_PROGRESS with the next attempt number; write one ADD dial task per task to the
 * outbox. Data-modifying CTEs run exactly once, so all of it commits or none of it does.
 */
const CLAIM_DUE_TASKS = `
  WITH rules AS (
    SELECT * FROM unnest(?::bigint[], ?::time[], ?::time[]) AS r(CAMPAIGN_ID, OPENS, CLOSES)
  ), due AS (
    SELECT t.ID
      FROM TM$CAMPAIGN_TASKS t
     WHERE t.TASK_STATE = 'NEW'
       AND t.TASK_TIME <= ?::timestamptz
       AND EXISTS (
             SELECT 1
               FROM rules r
              CROSS JOIN LATERAL (SELECT (?::timestamptz AT TIME ZONE t.CLIENT_TIME_ZONE)::time AS LOCAL_TIME) l
              WHERE r.CAMPAIGN_ID = t.CAMPAIGN_ID
                AND CASE WHEN r.OPENS < r.CLOSES THEN l.LOCAL_TIME >= r.OPENS AND l.LOCAL_TIME < r.CLOSES
                         ELSE l.LOCAL_TIME >= r.OPENS OR l.LOCAL_TIME < r.CLOSES END)
     ORDER BY t.TASK_TIME, t.ID
     LIMIT ?
       FOR UPDATE OF t SKIP LOCKED
  ), claimed AS (
    UPDATE TM$CAMPAIGN_TASKS t
       SET TASK_STATE = 'IN_PROGRESS', ATTEMPT = t.ATTEMPT + 1
      FROM due WHERE t.ID = due.ID
    RETURNING t.ID, t.CAMPAIGN_ID, t.PHONE, t.ATTEMPT, t.CLIENT_TIME_ZONE, t.TASK_TIME
  )
  INSERT INTO TM$DIAL_TASK_OUTBOX
    (DIAL_TASK_ID, ACTION, CAMPAIGN_TASK_ID, CAMPAIGN_ID, PHONE, ATTEMPT, CLIENT_TIME_ZONE)
  SELECT 'ADD:' || c.ID || ':' || c.ATTEMPT, 'ADD', c.ID, c.CAMPAIGN_ID, c.PHONE, c.ATTEMPT, c.CLIENT_TIME_ZONE
    FROM claimed c
   ORDER BY c.TASK_TIME, c.ID
  RETURNING ${OUTBOX_COLUMNS}`;

/**
 * The scheduled dispatch of thesis §2.6.3: claims up to `limit` due NEW tasks (TASK_TIME ≤ `now`) of the given
 * campaigns whose clients are inside their campaign's calling hours, marks them IN_PROGRESS and writes an ADD dial
 * task for each to the outbox — in one statement, so a task is never IN_PROGRESS without its dial task. Rows are
 * locked with `FOR UPDATE SKIP LOCKED`: concurrent claimers (several engine instances) never claim the same task
 * and never wait for each other. Oldest TASK_TIME first.
 *
 * Returns the dial tasks written, in outbox order. The runner does not publish these itself: the outbox publisher
 * ({@link publishOutboxBatch}) does, so a crash between claim and publish loses nothing.
 *
 * @throws {@link CampaignDbError} when the statement fails; nothing is claimed then.
 */
export async function claimDueTasks(db: Knex, options: ClaimOptions): Promise<OutboxDialTask[]> {
  const { now, limit, campaigns } = options;
  if (limit <= 0 || campaigns.length === 0) return [];
  return withDbContext('claimDueTasks', { limit, campaigns: campaigns.length }, async () => {
    const { rows } = await db.raw<{ rows: OutboxRow[] }>(CLAIM_DUE_TASKS, [
      campaigns.map((c) => c.campaignId),
      campaigns.map((c) => c.callingHours.from),
      campaigns.map((c) => c.callingHours.to),
      now,
      now,
      limit,
    ]);
    return rows.map(outboxDialTaskOf).sort((a, b) => a.outboxId - b.outboxId);
  });
}

/**
 * Refreshes the planner statistics of TM$CAMPAIGN_TASKS (`ANALYZE`). The dispatch query walks the due index in
 * TASK_TIME order and stops at its limit only when the planner knows how many rows are due; right after a bulk
 * load, before autovacuum's next pass (a minute by default), it may instead sort the whole backlog on every claim.
 * The runner calls this after ingesting many rows (ADR 0036). Takes tens of milliseconds: ANALYZE samples.
 */
export async function analyzeCampaignTasks(db: Knex): Promise<void> {
  await withDbContext('analyzeCampaignTasks', {}, () => db.raw('ANALYZE TM$CAMPAIGN_TASKS'));
}
