import type { CampaignEngineRules, CommunicationResult } from '@tm/contracts';
import type { Knex } from 'knex';
import { recordConsumedEvent } from './consumed-events.js';
import { discardableTransaction } from './discardable-transaction.js';
import { withDbContext } from './errors.js';
import { jsonbText } from './jsonb.js';

/** Arguments of {@link applyCommunicationResult} besides the result. */
export interface ResultOptions {
  /** The re-call block time counts from here. */
  now: Date;
  /** Re-call rules per campaign; a campaign missing here never re-calls. */
  campaigns: readonly Pick<
    CampaignEngineRules,
    'campaignId' | 'recallBlockMinutes' | 'attemptLimit' | 'callAgainResults'
  >[];
}

/** What {@link applyCommunicationResult} did. */
export type ResultOutcome =
  /** Stored as DRAFT or FIXED; the task is unchanged (no re-call asked, or a DRAFT). */
  | { kind: 'stored'; state: 'DRAFT' | 'FIXED' }
  /** FIXED with a "call again" result: the task is NEW again, due at `taskTime`. */
  | { kind: 'recall-scheduled'; taskTime: Date; nextAttempt: number }
  /** FIXED with a "call again" result, but the task had its last attempt: it stays DONE. */
  | { kind: 'attempt-limit-reached'; attempts: number }
  /** FIXED with a "call again" result, but a newer task of the client in the campaign is open: it calls instead. */
  | { kind: 'superseded' }
  /** The event id was applied before, or the communication is already FIXED: nothing changed. */
  | { kind: 'repeat' }
  /**
   * No communication with this id for this task: nothing changed, and the event id is not recorded, so the same
   * event applies when it is replayed (from the dead-letter topic the caller sends it to) once the call exists.
   */
  | { kind: 'unknown-communication' };

interface CommunicationRow {
  state: 'NEW' | 'DRAFT' | 'FIXED';
  attempt: number;
  task_state: 'NEW' | 'IN_PROGRESS' | 'DONE' | 'CANCELED';
  task_attempt: number;
  campaign_id: string;
}

/**
 * Stores what the operator saved for a communication (thesis §2.6.3 and §2.6.5), in one transaction:
 * RESULT_DETAILS gets `{reason, result, comment, savedAt, eventId}` (NUL characters, which jsonb refuses, dropped)
 * and STATE becomes DRAFT or FIXED. A FIXED communication is final: later drafts or results for it change nothing.
 *
 * A FIXED result whose `result` is one of the campaign's `callAgainResults` puts the task back to NEW with
 * TASK_TIME = `now` + the campaign's block time, while its attempts are below the campaign's limit; at the limit
 * the task stays DONE, and so it does when a newer task of the same client in the campaign is open (that one will
 * call). Only a result for the task's current attempt re-schedules it, and only from DONE or
 * IN_PROGRESS (a result can overtake its CALL_ENDED, which then finds the task NEW and leaves it alone). A
 * CANCELED task stays cancelled.
 *
 * A repeated event id changes nothing. A result for an unknown communication changes nothing either, and leaves its
 * id unrecorded.
 *
 * @throws {@link CampaignDbError} when the database fails; nothing is applied then.
 */
export async function applyCommunicationResult(
  db: Knex,
  result: CommunicationResult,
  options: ResultOptions,
): Promise<ResultOutcome> {
  const context = { eventId: result.eventId, communicationId: result.communicationId, state: result.state };
  return withDbContext('applyCommunicationResult', context, () =>
    discardableTransaction(
      db,
      (trx) => storeCommunicationResult(trx, result, options),
      (outcome) => outcome.kind === 'unknown-communication',
    ),
  );
}

/**
 * The work of {@link applyCommunicationResult} inside a transaction the caller holds: the engine also stores the
 * system's result of an unanswered call in the transaction that applies its CALL_ENDED.
 */
export async function storeCommunicationResult(
  trx: Knex.Transaction,
  result: CommunicationResult,
  options: ResultOptions,
): Promise<ResultOutcome> {
  if (!(await recordConsumedEvent(trx, result.eventId, 'communication-result'))) return { kind: 'repeat' };
  const { rows } = await trx.raw<{ rows: CommunicationRow[] }>(
    `SELECT c.STATE, c.ATTEMPT, t.TASK_STATE, t.ATTEMPT AS TASK_ATTEMPT, t.CAMPAIGN_ID
       FROM TM$COMMUNICATIONS c JOIN TM$CAMPAIGN_TASKS t ON t.ID = c.CAMPAIGN_TASK_ID
      WHERE c.ID = ? AND c.CAMPAIGN_TASK_ID = ?
        FOR UPDATE`,
    [result.communicationId, result.taskId],
  );
  const row = rows[0];
  if (!row) return { kind: 'unknown-communication' };
  if (row.state === 'FIXED') return { kind: 'repeat' };

  const details = {
    reason: result.reason,
    result: result.result,
    comment: result.comment,
    savedAt: result.savedAt,
    eventId: result.eventId,
  };
  await trx.raw(
    'UPDATE TM$COMMUNICATIONS SET STATE = ?::communication_states, RESULT_DETAILS = ? WHERE ID = ?',
    [result.state, jsonbText(details), result.communicationId],
  );
  if (result.state === 'DRAFT') return { kind: 'stored', state: 'DRAFT' };

  const rules = options.campaigns.find((c) => c.campaignId === Number(row.campaign_id));
  const callAgain =
    rules !== undefined && result.result !== null && rules.callAgainResults.includes(result.result);
  const current =
    row.attempt === row.task_attempt && (row.task_state === 'DONE' || row.task_state === 'IN_PROGRESS');
  if (!callAgain || !current) return { kind: 'stored', state: 'FIXED' };

  if (row.task_attempt >= rules.attemptLimit) {
    await trx.raw(
      `UPDATE TM$CAMPAIGN_TASKS SET TASK_STATE = 'DONE' WHERE ID = ? AND TASK_STATE = 'IN_PROGRESS'`,
      [result.taskId],
    );
    return { kind: 'attempt-limit-reached', attempts: row.task_attempt };
  }
  const taskTime = new Date(options.now.getTime() + rules.recallBlockMinutes * 60_000);
  const { rowCount } = await trx.raw<{ rowCount: number }>(
    `UPDATE TM$CAMPAIGN_TASKS t SET TASK_STATE = 'NEW', TASK_TIME = ?::timestamptz
      WHERE t.ID = ?
        AND NOT EXISTS (SELECT 1 FROM TM$CAMPAIGN_TASKS o
                         WHERE o.CAMPAIGN_ID = t.CAMPAIGN_ID AND o.PHONE = t.PHONE AND o.ID <> t.ID
                           AND o.TASK_STATE IN ('NEW', 'IN_PROGRESS'))`,
    [taskTime, result.taskId],
  );
  if (rowCount === 0) {
    await trx.raw(
      `UPDATE TM$CAMPAIGN_TASKS SET TASK_STATE = 'DONE' WHERE ID = ? AND TASK_STATE = 'IN_PROGRESS'`,
      [result.taskId],
    );
    return { kind: 'superseded' };
  }
  return { kind: 'recall-scheduled', taskTime, nextAttempt: row.task_attempt + 1 };
}
