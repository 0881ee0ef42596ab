import type { CampaignEngineRules } from '@tm/contracts';
import type { Knex } from 'knex';
import { sqlArray } from './bindings.js';
import { withDbContext } from './errors.js';

/** What one {@link timeOutUnstartedCalls} did. */
export interface CallStartTimeouts {
  /** Tasks back in the queue (NEW, due now): their next dispatch is a new attempt. */
  requeued: number;
  /** Tasks closed (DONE): the attempt was their campaign's last. */
  closed: number;
}

/**
 * The tasks whose call never started (ADR 0087): IN_PROGRESS, their attempt's ADD written to the outbox more than
 * the timeout ago (both times on the database's clock, as WTIME is), and no communication for that attempt (no CALL_STARTED, nor a CALL_ENDED, reached the engine or
 * the ARM). Locked, oldest first, skipping rows others hold.
 */
const TIME_OUT_UNSTARTED = `
  WITH rules AS (
    SELECT * FROM unnest(?::bigint[], ?::int[]) AS r(CAMPAIGN_ID, ATTEMPT_LIMIT)
  ), stale AS (
    SELECT t.ID, t.ATTEMPT, t.CAMPAIGN_ID, t.PHONE, t.CLIENT_TIME_ZONE
      FROM TM$CAMPAIGN_TASKS t
      JOIN TM$DIAL_TASK_OUTBOX o ON o.DIAL_TASK_ID = 'ADD:' || t.ID || ':' || t.ATTEMPT
     WHERE t.TASK_STATE = 'IN_PROGRESS'
       AND o.WTIME <= now() - ?::int * interval '1 millisecond'
       AND NOT EXISTS (SELECT 1 FROM TM$COMMUNICATIONS c WHERE c.CAMPAIGN_TASK_ID = t.ID AND c.ATTEMPT = t.ATTEMPT)
     ORDER BY t.ID
     LIMIT ?
       FOR UPDATE OF t SKIP LOCKED
  ), moved AS (
    UPDATE TM$CAMPAIGN_TASKS t
       SET TASK_STATE = CASE WHEN s.ATTEMPT >= COALESCE(r.ATTEMPT_LIMIT, 1) THEN 'DONE' ELSE 'NEW' END::CAMPAIGN_TASK_STATES,
           TASK_TIME = CASE WHEN s.ATTEMPT >= COALESCE(r.ATTEMPT_LIMIT, 1) THEN t.TASK_TIME ELSE ?::timestamptz END
      FROM stale s LEFT JOIN rules r ON r.CAMPAIGN_ID = s.CAMPAIGN_ID
     WHERE t.ID = s.ID
    RETURNING t.TASK_STATE
  ), deletes AS (
    INSERT INTO TM$DIAL_TASK_OUTBOX
      (DIAL_TASK_ID, ACTION, CAMPAIGN_TASK_ID, CAMPAIGN_ID, PHONE, ATTEMPT, CLIENT_TIME_ZONE)
    SELECT 'DELETE:' || s.ID || ':' || s.ATTEMPT, 'DELETE', s.ID, s.CAMPAIGN_ID, s.PHONE, s.ATTEMPT, s.CLIENT_TIME_ZONE
      FROM stale s ORDER BY s.ID
    ON CONFLICT (DIAL_TASK_ID) DO NOTHING
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM moved WHERE TASK_STATE = 'NEW')::int AS requeued,
         (SELECT count(*) FROM moved WHERE TASK_STATE = 'DONE')::int AS closed,
         (SELECT count(*) FROM deletes)::int AS deletes`;

/**
 * Handles up to `limit` tasks IN_PROGRESS whose call has not started `timeoutMs` after their dispatch (the
 * telephony lost the task, or no operator was ready), in one statement (ADR 0087): a DELETE for the attempt goes
 * into the outbox — ahead of any later ADD of the task, so the dialer takes the telephony's copy back first — and
 * the task goes back to the queue (NEW, due `now`) while it has attempts left under its campaign's
 * `attemptLimit`, or is closed (DONE) at the limit. A call of the old attempt that starts after all is told apart by
 * its attempt (ADR 0035): its end does not close the task's next attempt.
 */
export async function timeOutUnstartedCalls(
  db: Knex,
  options: {
    now: Date;
    timeoutMs: number;
    limit: number;
    campaigns: readonly Pick<CampaignEngineRules, 'campaignId' | 'attemptLimit'>[];
  },
): Promise<CallStartTimeouts> {
  return withDbContext('timeOutUnstartedCalls', { limit: options.limit }, async () => {
    const { rows } = await db.raw<{ rows: { requeued: number; closed: number }[] }>(TIME_OUT_UNSTARTED, [
      sqlArray(options.campaigns.map((c) => c.campaignId)),
      sqlArray(options.campaigns.map((c) => c.attemptLimit)),
      options.timeoutMs,
      options.limit,
      options.now,
    ]);
    const row = rows[0];
    return { requeued: row?.requeued ?? 0, closed: row?.closed ?? 0 };
  });
}
