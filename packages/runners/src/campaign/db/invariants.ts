import type { Knex } from 'knex';

/** A task that breaks an invariant of the campaign database, by id (never phone). */
export interface InvariantViolation {
  invariant: string;
  taskId: number;
}

/**
 * Checks the invariants the engine promises (DESIGN.md §7), returning every violation (empty when all hold):
 *
 * - every IN_PROGRESS task has the ADD dial task of its current attempt in the outbox;
 * - no client has two open (NEW or IN_PROGRESS) tasks in one campaign (the partial unique index enforces it; checked
 *   here so a dropped index would show);
 * - a client's task in a campaign is CANCELED only if another task of the client there is not: a task is cancelled
 *   only when a newer candidate replaces it, so a client whose tasks are all CANCELED would never be called.
 *
 * Tests run it after each case; operators can run it against production.
 */
export async function findInvariantViolations(db: Knex): Promise<InvariantViolation[]> {
  const { rows } = await db.raw<{ rows: { invariant: string; task_id: string }[] }>(`
    SELECT 'IN_PROGRESS without its ADD dial task' AS invariant, t.ID AS task_id
      FROM TM$CAMPAIGN_TASKS t
     WHERE t.TASK_STATE = 'IN_PROGRESS'
       AND NOT EXISTS (SELECT 1 FROM TM$DIAL_TASK_OUTBOX o
                        WHERE o.CAMPAIGN_TASK_ID = t.ID AND o.ATTEMPT = t.ATTEMPT AND o.ACTION = 'ADD')
    UNION ALL
    SELECT 'two open tasks of one client in one campaign', max(t.ID)
      FROM TM$CAMPAIGN_TASKS t
     WHERE t.TASK_STATE IN ('NEW', 'IN_PROGRESS')
     GROUP BY t.CAMPAIGN_ID, t.PHONE
    HAVING count(*) > 1
    UNION ALL
    SELECT 'CANCELED and not replaced by a task of the client in the campaign', max(t.ID)
      FROM TM$CAMPAIGN_TASKS t
     GROUP BY t.CAMPAIGN_ID, t.PHONE
    HAVING bool_and(t.TASK_STATE = 'CANCELED')
     ORDER BY 2`);
  return rows.map((r) => ({ invariant: r.invariant, taskId: Number(r.task_id) }));
}
