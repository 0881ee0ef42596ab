import type { Knex } from 'knex';
import { sqlArray } from '../campaign/db/bindings.js';
import { withDbContext } from '../campaign/db/errors.js';

/** One instruction to the telephony as the dialer stores it in TM$MIGHTYCALL_TASKS. */
export interface Instruction {
  /** DialTask.dialTaskId, or a click-to-call's requestId: unique, the dedup key and the telephony's `reference`. */
  readonly dialTaskId: string;
  readonly type: 'ADD' | 'DELETE';
  /** TM$CAMPAIGN_TASKS.ID. */
  readonly taskId: number;
  /** The dial task's attempt; a click-to-call may name none (null). */
  readonly attempt: number | null;
  readonly phone: string;
  /** Click-to-call: the operator to connect. */
  readonly operatorId: number | null;
}

/** An instruction the sender took to work on (TASK_STATE IN_PROGRESS, SENDING_SINCE set). */
export interface TakenInstruction extends Instruction {
  readonly id: number;
  /** Sends tried so far, this one included. */
  readonly tries: number;
  /** When the instruction was stored (a click-to-call older than its limit is dropped). */
  readonly storedAt: Date;
}

/** The state of an ADD as a DELETE needs it. */
export interface AddState {
  readonly id: number;
  readonly state: 'NEW' | 'IN_PROGRESS' | 'DONE';
  readonly externalId: string | null;
  /** Sends tried so far: a NEW ADD with tries may be at the telephony (a send whose answer never came). */
  readonly tries: number;
}

/** What the poller needs of the task a telephony task id belongs to. */
export interface SentTask {
  readonly taskId: number;
  readonly attempt: number | null;
  readonly phone: string;
}

/** The ADD a DELETE takes back: `DELETE:<task>:<attempt>` → `ADD:<task>:<attempt>`. */
export function addIdOf(deleteId: string): string {
  return deleteId.replace(/^DELETE:/, 'ADD:');
}

/**
 * Stores instructions; one whose DIAL_TASK_ID is stored already is dropped (a redelivered record, a replayed
 * request). Resolves with the number stored.
 */
export async function recordInstructions(db: Knex, list: readonly Instruction[]): Promise<number> {
  if (list.length === 0) return 0;
  return withDbContext('recordInstructions', { count: list.length }, async () => {
    const { rowCount } = await db.raw<{ rowCount: number }>(
      `INSERT INTO TM$MIGHTYCALL_TASKS
         (DIAL_TASK_ID, TASK_TYPE, TASK_STATE, CAMPAIGN_TASK_ID, ATTEMPT, PHONE, OPERATOR_ID)
       SELECT d, t::MIGHTYCALL_TASK_TYPES, 'NEW', c, a, p, o
         FROM unnest(?::text[], ?::text[], ?::bigint[], ?::int[], ?::text[], ?::bigint[]) AS x(d, t, c, a, p, o)
       ON CONFLICT (DIAL_TASK_ID) DO NOTHING`,
      [
        sqlArray(list.map((i) => i.dialTaskId)),
        sqlArray(list.map((i) => i.type)),
        sqlArray(list.map((i) => i.taskId)),
        sqlArray(list.map((i) => i.attempt)),
        sqlArray(list.map((i) => i.phone)),
        sqlArray(list.map((i) => i.operatorId)),
      ],
    );
    return rowCount;
  });
}

interface TakenRow {
  id: string;
  dial_task_id: string;
  task_type: 'ADD' | 'DELETE';
  campaign_task_id: string;
  attempt: number | null;
  phone: string;
  operator_id: string | null;
  tries: number;
  wtime: Date;
}

/**
 * Takes up to `limit` pending instructions (NEW, next try due), click-to-calls first, marking them IN_PROGRESS
 * with SENDING_SINCE = now and one more try — in one statement, rows other takers hold skipped. An ADD whose DELETE
 * is stored already is not taken: its DELETE closes it without a call to the telephony.
 */
export async function takePending(db: Knex, now: Date, limit: number): Promise<TakenInstruction[]> {
  return withDbContext('takePending', { limit }, async () => {
    const { rows } = await db.raw<{ rows: TakenRow[] }>(
      `WITH due AS (
         SELECT t.ID FROM TM$MIGHTYCALL_TASKS t
          WHERE t.TASK_STATE = 'NEW' AND t.NEXT_TRY_AT <= ?::timestamptz
            AND NOT (t.TASK_TYPE = 'ADD' AND EXISTS (
                  SELECT 1 FROM TM$MIGHTYCALL_TASKS d
                   WHERE d.DIAL_TASK_ID = 'DELETE:' || substr(t.DIAL_TASK_ID, 5) AND t.DIAL_TASK_ID LIKE 'ADD:%'))
          ORDER BY (t.OPERATOR_ID IS NULL), t.NEXT_TRY_AT, t.ID
          LIMIT ?
            FOR UPDATE OF t SKIP LOCKED)
       UPDATE TM$MIGHTYCALL_TASKS t
          SET TASK_STATE = 'IN_PROGRESS', SENDING_SINCE = ?::timestamptz, TRIES = t.TRIES + 1
         FROM due WHERE t.ID = due.ID
       RETURNING t.ID, t.DIAL_TASK_ID, t.TASK_TYPE, t.CAMPAIGN_TASK_ID, t.ATTEMPT, t.PHONE, t.OPERATOR_ID, t.TRIES, t.WTIME`,
      [now, limit, now],
    );
    return rows
      .map((r) => ({
        id: Number(r.id),
        dialTaskId: r.dial_task_id,
        type: r.task_type,
        taskId: Number(r.campaign_task_id),
        attempt: r.attempt,
        phone: r.phone,
        operatorId: r.operator_id === null ? null : Number(r.operator_id),
        tries: r.tries,
        storedAt: new Date(r.wtime),
      }))
      .sort((a, b) => a.id - b.id);
  });
}

/** The telephony took these ADDs: their ids are stored (the tasks stay IN_PROGRESS until their calls end). */
export async function markSent(db: Knex, sent: readonly { id: number; externalId: string }[]): Promise<void> {
  if (sent.length === 0) return;
  await withDbContext('markSent', { count: sent.length }, () =>
    db.raw(
      `UPDATE TM$MIGHTYCALL_TASKS t
          SET EXTERNAL_ID = s.EXTERNAL_ID, SENDING_SINCE = NULL, LAST_ERROR = NULL
         FROM unnest(?::bigint[], ?::text[]) AS s(ID, EXTERNAL_ID)
        WHERE t.ID = s.ID`,
      [sqlArray(sent.map((s) => s.id)), sqlArray(sent.map((s) => s.externalId))],
    ),
  );
}

/**
 * A pending ADD was found at the telephony (ADR 0169): it is sent, with the telephony's id, unless the sender took
 * it meanwhile (then the sender stores the same id). Resolves whether it was stored here.
 */
export async function adoptFound(db: Knex, addId: number, externalId: string): Promise<boolean> {
  return withDbContext('adoptFound', { id: addId }, async () => {
    const { rowCount } = await db.raw<{ rowCount: number }>(
      `UPDATE TM$MIGHTYCALL_TASKS
          SET TASK_STATE = 'IN_PROGRESS', EXTERNAL_ID = ?, SENDING_SINCE = NULL, LAST_ERROR = NULL
        WHERE ID = ? AND TASK_STATE = 'NEW'`,
      [externalId, addId],
    );
    return rowCount === 1;
  });
}

/** A send failed and may succeed later: the instruction is pending again, with its error, from `nextTryAt`. */
export async function markRetry(db: Knex, id: number, error: string, nextTryAt: Date): Promise<void> {
  await withDbContext('markRetry', { id }, () =>
    db.raw(
      `UPDATE TM$MIGHTYCALL_TASKS
          SET TASK_STATE = 'NEW', SENDING_SINCE = NULL, LAST_ERROR = ?, NEXT_TRY_AT = ?::timestamptz
        WHERE ID = ?`,
      [error.slice(0, 512), nextTryAt, id],
    ),
  );
}

/** The instructions are finished (deleted, called, closed locally); `note` says why when it is not plain success. */
export async function markDone(db: Knex, ids: readonly number[], note: string | null = null): Promise<void> {
  if (ids.length === 0) return;
  await withDbContext('markDone', { count: ids.length }, () =>
    db.raw(
      `UPDATE TM$MIGHTYCALL_TASKS
          SET TASK_STATE = 'DONE', SENDING_SINCE = NULL, LAST_ERROR = COALESCE(?, LAST_ERROR)
        WHERE ID = ANY(?::bigint[])`,
      [note === null ? null : note.slice(0, 512), sqlArray(ids)],
    ),
  );
}

/**
 * Closes an ADD that never reached the telephony (still NEW) because its DELETE came: resolves false when the
 * sender took it meanwhile (the DELETE then waits for the send to finish).
 */
export async function cancelUnsent(db: Knex, addId: number): Promise<boolean> {
  return withDbContext('cancelUnsent', { id: addId }, async () => {
    const { rowCount } = await db.raw<{ rowCount: number }>(
      `UPDATE TM$MIGHTYCALL_TASKS SET TASK_STATE = 'DONE', LAST_ERROR = 'DELETED before it was sent'
        WHERE ID = ? AND TASK_STATE = 'NEW'`,
      [addId],
    );
    return rowCount === 1;
  });
}

/** The ADD a DELETE takes back, or undefined when it was never stored. */
export async function addStateOf(db: Knex, deleteId: string): Promise<AddState | undefined> {
  return withDbContext('addStateOf', {}, async () => {
    const { rows } = await db.raw<{
      rows: { id: string; task_state: AddState['state']; external_id: string | null; tries: number }[];
    }>('SELECT ID, TASK_STATE, EXTERNAL_ID, TRIES FROM TM$MIGHTYCALL_TASKS WHERE DIAL_TASK_ID = ?', [
      addIdOf(deleteId),
    ]);
    const row = rows[0];
    return (
      row && { id: Number(row.id), state: row.task_state, externalId: row.external_id, tries: row.tries }
    );
  });
}

/**
 * After a restart: every send a stop interrupted (IN_PROGRESS, SENDING_SINCE set: DELETEs, and ADDs without the
 * telephony's id) is pending again at once. A second deleteTask is harmless (NOT_FOUND is an outcome); an ADD was
 * taken before, so the sender looks its reference up at the telephony before it sends it again (ADR 0169, which
 * supersedes 0083). Resolves with the number of each.
 */
export async function recoverInterrupted(db: Knex, now: Date): Promise<{ deletes: number; adds: number }> {
  return withDbContext('recoverInterrupted', {}, async () => {
    const { rows } = await db.raw<{ rows: { task_type: 'ADD' | 'DELETE'; n: string }[] }>(
      `WITH recovered AS (
         UPDATE TM$MIGHTYCALL_TASKS
            SET TASK_STATE = 'NEW', SENDING_SINCE = NULL, NEXT_TRY_AT = ?::timestamptz,
                LAST_ERROR = 'INTERRUPTED: the dialer stopped during the send'
          WHERE TASK_STATE = 'IN_PROGRESS' AND SENDING_SINCE IS NOT NULL
            AND (TASK_TYPE = 'DELETE' OR EXTERNAL_ID IS NULL)
         RETURNING TASK_TYPE)
       SELECT TASK_TYPE, count(*) AS n FROM recovered GROUP BY TASK_TYPE`,
      [now],
    );
    const count = (type: 'ADD' | 'DELETE') => Number(rows.find((r) => r.task_type === type)?.n ?? 0);
    return { deletes: count('DELETE'), adds: count('ADD') };
  });
}

/** The tasks the telephony's task ids belong to (ids the dialer never stored are missing from the map). */
export async function sentTasksOf(db: Knex, externalIds: readonly string[]): Promise<Map<string, SentTask>> {
  const found = new Map<string, SentTask>();
  if (externalIds.length === 0) return found;
  await withDbContext('sentTasksOf', { count: externalIds.length }, async () => {
    const { rows } = await db.raw<{
      rows: { external_id: string; campaign_task_id: string; attempt: number | null; phone: string }[];
    }>(
      `SELECT EXTERNAL_ID, CAMPAIGN_TASK_ID, ATTEMPT, PHONE FROM TM$MIGHTYCALL_TASKS
        WHERE EXTERNAL_ID = ANY(?::text[])`,
      [sqlArray(externalIds)],
    );
    for (const r of rows)
      found.set(r.external_id, { taskId: Number(r.campaign_task_id), attempt: r.attempt, phone: r.phone });
  });
  return found;
}

/** The calls of these telephony tasks ended: their ADDs are DONE. */
export async function markCalled(db: Knex, externalIds: readonly string[]): Promise<void> {
  if (externalIds.length === 0) return;
  await withDbContext('markCalled', { count: externalIds.length }, () =>
    db.raw(
      `UPDATE TM$MIGHTYCALL_TASKS SET TASK_STATE = 'DONE'
        WHERE EXTERNAL_ID = ANY(?::text[]) AND TASK_STATE <> 'DONE'`,
      [sqlArray(externalIds)],
    ),
  );
}
