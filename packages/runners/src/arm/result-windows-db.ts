import type { Knex } from 'knex';
import { withDbContext } from '../campaign/db/errors.js';

/**
 * Opens the 60-second window of an answered call (thesis §2.6.5): the operator's save must come before `dueAt`.
 * A repeated CALL_ENDED changes nothing.
 */
export async function openResultWindow(
  db: Knex,
  window: { communicationId: number; operatorId: number; dueAt: Date },
): Promise<void> {
  await withDbContext('openResultWindow', { communicationId: window.communicationId }, () =>
    db.raw(
      `INSERT INTO TM$RESULT_WINDOWS (COMMUNICATION_ID, OPERATOR_ID, DUE_AT) VALUES (?, ?, ?)
       ON CONFLICT (COMMUNICATION_ID) DO NOTHING`,
      [window.communicationId, window.operatorId, window.dueAt],
    ),
  );
}

/** Closes a communication's window because its operator saved; resolves true when it was open. */
export async function closeResultWindow(db: Knex, communicationId: number): Promise<boolean> {
  return withDbContext('closeResultWindow', { communicationId }, async () => {
    const { rowCount } = await db.raw<{ rowCount: number }>(
      `UPDATE TM$RESULT_WINDOWS SET CLOSED_AT = now(), CLOSED_BY = 'OPERATOR'
        WHERE COMMUNICATION_ID = ? AND CLOSED_AT IS NULL`,
      [communicationId],
    );
    return rowCount === 1;
  });
}

/** A window that ran out with nothing saved, as {@link draftOverdueWindows} hands it to `publish`. */
export interface OverdueWindow {
  communicationId: number;
  operatorId: number;
  taskId: number;
  phone: string;
}

/**
 * The server side of the 60-second rule: takes up to `limit` open windows due by `now` — locked with SKIP LOCKED,
 * so ARM replicas share them — hands those whose communication is still NEW (nothing saved reached the engine) to
 * `publish`, which saves the server's DRAFT, and closes them all, in one transaction. A window is closed only after
 * its DRAFT was published: a failure leaves it open for the next sweep (a DRAFT may then go out twice; the engine
 * stores the same thing twice). Resolves with the windows drafted.
 */
export async function draftOverdueWindows(
  db: Knex,
  now: Date,
  limit: number,
  publish: (windows: readonly OverdueWindow[]) => Promise<void>,
): Promise<OverdueWindow[]> {
  return withDbContext('draftOverdueWindows', { limit }, () =>
    db.transaction(async (trx) => {
      const { rows } = await trx.raw<{
        rows: {
          communication_id: string;
          operator_id: string;
          task_id: string;
          phone: string;
          state: string;
        }[];
      }>(
        `SELECT w.COMMUNICATION_ID, w.OPERATOR_ID, c.CAMPAIGN_TASK_ID AS TASK_ID, t.PHONE, c.STATE
           FROM TM$RESULT_WINDOWS w
           JOIN TM$COMMUNICATIONS c ON c.ID = w.COMMUNICATION_ID
           JOIN TM$CAMPAIGN_TASKS t ON t.ID = c.CAMPAIGN_TASK_ID
          WHERE w.CLOSED_AT IS NULL AND w.DUE_AT <= ?
          ORDER BY w.DUE_AT
          LIMIT ?
            FOR UPDATE OF w SKIP LOCKED`,
        [now, limit],
      );
      if (rows.length === 0) return [];
      const overdue = rows
        .filter((r) => r.state === 'NEW')
        .map((r) => ({
          communicationId: Number(r.communication_id),
          operatorId: Number(r.operator_id),
          taskId: Number(r.task_id),
          phone: r.phone,
        }));
      if (overdue.length > 0) await publish(overdue);
      await trx.raw(
        `UPDATE TM$RESULT_WINDOWS SET CLOSED_AT = now(), CLOSED_BY = 'SERVER'
          WHERE COMMUNICATION_ID = ANY(?::bigint[]) AND CLOSED_AT IS NULL`,
        [rows.map((r) => r.communication_id)],
      );
      return overdue;
    }),
  );
}
