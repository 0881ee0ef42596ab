import type { CallEvent } from '@tm/contracts';
import type { Knex } from 'knex';
import { type ResultOptions, type ResultOutcome, storeCommunicationResult } from './communication-results.js';
import { recordConsumedEvent } from './consumed-events.js';
import { discardableTransaction } from './discardable-transaction.js';
import { withDbContext } from './errors.js';

/** What {@link applyCallEvent} did. */
export type CallEventOutcome =
  /** CALL_STARTED: a NEW communication now records the call. */
  | { kind: 'communication-started'; communicationId: number }
  /**
   * CALL_ENDED: the communication records the end, and the task is DONE. For a call nobody answered, `closed` says
   * what the system's FIXED result (the call's outcome) did under the campaign's re-call rules.
   */
  | { kind: 'task-done'; communicationId: number; closed?: ResultOutcome['kind'] }
  /**
   * CALL_ENDED for a task that is not IN_PROGRESS in the call's attempt (cancelled meanwhile, or re-dispatched):
   * the communication records the end, the task is left as it is.
   */
  | { kind: 'call-ended'; communicationId: number }
  /** The event id was applied before, or the call already has this start or end: nothing changed. */
  | { kind: 'repeat' }
  /**
   * No task with the event's taskId: nothing changed, and the event id is not recorded, so the same event applies
   * when it is replayed (from the dead-letter topic the caller sends it to) once the task exists.
   */
  | { kind: 'unknown-task' };

interface CommunicationRow {
  id: string;
  attempt: number;
}

/**
 * Applies a call event from the dialer (thesis §2.6.3: "as soon as the call takes place ... its task becomes
 * DONE"), in one transaction:
 *
 * - CALL_STARTED creates a NEW communication for the task and operator, keyed by the call id, recording the attempt
 *   the call belongs to: the event's `attempt` (the dial task's), or the task's current attempt when the event
 *   names none.
 * - CALL_ENDED records the end and duration on the call's communication (creating it, with the attempt as above, if
 *   the start never came) and moves the task from IN_PROGRESS to DONE — only if the task is still in the attempt
 *   the call belongs to, so a late event of an earlier attempt cannot close a re-call (ADR 0035). An end that comes
 *   without its start and names no attempt is taken for the current attempt's.
 *
 * - A CALL_ENDED whose outcome says nobody answered (NO_ANSWER, BUSY, FAILED) gets no result from an operator: with
 *   `results` given, the system stores one in the same transaction, FIXED with the outcome as the result (reason
 *   `NOT_ANSWERED`), so the campaign's re-call rules apply to it as to an operator's (NO_ANSWER and BUSY call again
 *   by default).
 *
 * A repeated event id, or a second start or end of the same call, changes nothing. An event for an unknown task
 * changes nothing either, and leaves its id unrecorded.
 *
 * @throws {@link CampaignDbError} when the database fails; nothing is applied then.
 */
export async function applyCallEvent(
  db: Knex,
  event: CallEvent,
  results?: ResultOptions,
): Promise<CallEventOutcome> {
  const context = { eventId: event.eventId, type: event.type, taskId: event.taskId };
  return withDbContext('applyCallEvent', context, () =>
    discardableTransaction(
      db,
      async (trx): Promise<CallEventOutcome> => {
        if (!(await recordConsumedEvent(trx, event.eventId, 'call-event'))) return { kind: 'repeat' };
        const occurredAt = new Date(event.occurredAt);
        // Events of dialers that do not name the attempt belong to the task's attempt when applied.
        const attempt = event.attempt ?? null;

        if (event.type === 'CALL_STARTED') {
          const { rows } = await trx.raw<{ rows: CommunicationRow[] }>(
            `WITH task AS (SELECT ID, ATTEMPT FROM TM$CAMPAIGN_TASKS WHERE ID = ?)
           INSERT INTO TM$COMMUNICATIONS (CAMPAIGN_TASK_ID, OPERATOR_ID, STATE, CALL_ID, ATTEMPT, STARTED_AT)
           SELECT task.ID, ?, 'NEW', ?, COALESCE(?::int, task.ATTEMPT), ?::timestamptz FROM task
           ON CONFLICT (CALL_ID) DO UPDATE SET STARTED_AT = EXCLUDED.STARTED_AT
             WHERE TM$COMMUNICATIONS.STARTED_AT IS NULL
           RETURNING ID, ATTEMPT`,
            [event.taskId, event.operatorId, event.callId, attempt, occurredAt],
          );
          const row = rows[0];
          if (row) return { kind: 'communication-started', communicationId: Number(row.id) };
          return (await taskExists(trx, event.taskId)) ? { kind: 'repeat' } : { kind: 'unknown-task' };
        }

        const { rows } = await trx.raw<{ rows: CommunicationRow[] }>(
          `WITH task AS (SELECT ID, ATTEMPT FROM TM$CAMPAIGN_TASKS WHERE ID = ?)
         INSERT INTO TM$COMMUNICATIONS
           (CAMPAIGN_TASK_ID, OPERATOR_ID, STATE, CALL_ID, ATTEMPT, ENDED_AT, DURATION_SECONDS)
         SELECT task.ID, ?, 'NEW', ?, COALESCE(?::int, task.ATTEMPT), ?::timestamptz, ? FROM task
         ON CONFLICT (CALL_ID) DO UPDATE
           SET ENDED_AT = EXCLUDED.ENDED_AT, DURATION_SECONDS = EXCLUDED.DURATION_SECONDS
           WHERE TM$COMMUNICATIONS.ENDED_AT IS NULL
         RETURNING ID, ATTEMPT`,
          [event.taskId, event.operatorId, event.callId, attempt, occurredAt, event.durationSeconds],
        );
        const row = rows[0];
        if (!row)
          return (await taskExists(trx, event.taskId)) ? { kind: 'repeat' } : { kind: 'unknown-task' };
        const { rowCount } = await trx.raw<{ rowCount: number }>(
          `UPDATE TM$CAMPAIGN_TASKS SET TASK_STATE = 'DONE'
          WHERE ID = ? AND TASK_STATE = 'IN_PROGRESS' AND ATTEMPT = ?`,
          [event.taskId, row.attempt],
        );
        if (rowCount !== 1) return { kind: 'call-ended', communicationId: Number(row.id) };
        const communicationId = Number(row.id);
        if (!results || !event.outcome || event.outcome === 'ANSWERED')
          return { kind: 'task-done', communicationId };
        const closed = await storeCommunicationResult(
          trx,
          {
            eventId: `${event.eventId}:${event.outcome}`,
            communicationId,
            taskId: event.taskId,
            operatorId: event.operatorId,
            clientPhone: event.phone,
            state: 'FIXED',
            reason: 'NOT_ANSWERED',
            result: event.outcome,
            comment: null,
            savedAt: event.occurredAt,
          },
          results,
        );
        return { kind: 'task-done', communicationId, closed: closed.kind };
      },
      (outcome) => outcome.kind === 'unknown-task',
    ),
  );
}

async function taskExists(trx: Knex.Transaction, taskId: number): Promise<boolean> {
  const { rows } = await trx.raw<{ rows: unknown[] }>('SELECT 1 FROM TM$CAMPAIGN_TASKS WHERE ID = ?', [
    taskId,
  ]);
  return rows.length > 0;
}

/** The communication of a call, as {@link communicationOfCall} finds or creates it. */
export interface CallCommunication {
  communicationId: number;
  taskId: number;
  operatorId: number;
}

/**
 * The communication of the call an event is about, created if the engine has not applied the call's events yet
 * (ADR 0094): the same row {@link applyCallEvent} would create — keyed by CALL_ID, NEW, the event's task, operator
 * and attempt — but with neither start nor end recorded, so the engine's own application of the event still
 * records them, moves the task and reports its outcome as if it had come first. Whoever comes first creates the row;
 * both get the same id, because CALL_ID is unique.
 *
 * Resolves undefined when the task does not exist. Rejects with a {@link CampaignDbError} when the database fails,
 * or when the call id already belongs to another task or operator (the event contradicts the stored call).
 */
export async function communicationOfCall(
  db: Knex,
  event: Pick<CallEvent, 'eventId' | 'taskId' | 'operatorId' | 'callId' | 'attempt'>,
): Promise<CallCommunication | undefined> {
  const context = { eventId: event.eventId, taskId: event.taskId };
  return withDbContext('communicationOfCall', context, async () => {
    const { rows } = await db.raw<{ rows: { id: string; campaign_task_id: string; operator_id: string }[] }>(
      `WITH task AS (SELECT ID, ATTEMPT FROM TM$CAMPAIGN_TASKS WHERE ID = ?)
       INSERT INTO TM$COMMUNICATIONS (CAMPAIGN_TASK_ID, OPERATOR_ID, STATE, CALL_ID, ATTEMPT)
       SELECT task.ID, ?, 'NEW', ?, COALESCE(?::int, task.ATTEMPT) FROM task
       ON CONFLICT (CALL_ID) DO UPDATE SET CALL_ID = EXCLUDED.CALL_ID
       RETURNING ID, CAMPAIGN_TASK_ID, OPERATOR_ID`,
      [event.taskId, event.operatorId, event.callId, event.attempt ?? null],
    );
    const row = rows[0];
    if (!row) return undefined;
    const found = {
      communicationId: Number(row.id),
      taskId: Number(row.campaign_task_id),
      operatorId: Number(row.operator_id),
    };
    if (found.taskId !== event.taskId || found.operatorId !== event.operatorId) {
      throw new Error(
        `call of communication ${found.communicationId} belongs to task ${found.taskId} and operator ${found.operatorId}`,
      );
    }
    return found;
  });
}
