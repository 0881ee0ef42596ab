import type { Knex } from 'knex';

/**
 * What the dialer (tm-mightycall-adapter, thesis §2.6.6, issue 12) keeps (ADRs 0082–0084):
 *
 * - TM$MIGHTYCALL_TASKS, one row per instruction to the telephony (an ADD or DELETE dial task, or a click-to-call
 *   request), unique by DIAL_TASK_ID (0004; the request id for a click-to-call), which is also the `reference` the
 *   telephony keeps. EXTERNAL_ID is the telephony's id of the task (set in the step that learns it); PHONE, ATTEMPT
 *   and OPERATOR_ID (click-to-call only) are what the call needs and what its events carry; TRIES, LAST_ERROR and
 *   NEXT_TRY_AT keep a send that failed pending with its error until its next try. TASK_STATE: NEW = not at the
 *   telephony yet; IN_PROGRESS = being sent (SENDING_SINCE set, EXTERNAL_ID null) or at the telephony (EXTERNAL_ID
 *   set); DONE = deleted, called, or closed locally.
 * - TM$MIGHTYCALL_ACTIVE_OPERATORS: the operator's READY/BREAK status, the persisted poll cursor (so a restart
 *   re-emits nothing) and the last telephony login error (reported, kept for retry).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE TM$MIGHTYCALL_TASKS
      ADD COLUMN EXTERNAL_ID VARCHAR(128),
      ADD COLUMN PHONE VARCHAR(15),
      ADD COLUMN ATTEMPT INTEGER,
      ADD COLUMN OPERATOR_ID BIGINT,
      ADD COLUMN TRIES INTEGER NOT NULL DEFAULT 0,
      ADD COLUMN LAST_ERROR VARCHAR(512),
      ADD COLUMN NEXT_TRY_AT TIMESTAMPTZ NOT NULL DEFAULT now(),
      ADD COLUMN SENDING_SINCE TIMESTAMPTZ`);
  await knex.raw(
    'CREATE UNIQUE INDEX TM$MIGHTYCALL_TASKS_EXTERNAL_UQ ON TM$MIGHTYCALL_TASKS (EXTERNAL_ID) WHERE EXTERNAL_ID IS NOT NULL',
  );
  await knex.raw(
    "CREATE INDEX TM$MIGHTYCALL_TASKS_PENDING_IDX ON TM$MIGHTYCALL_TASKS (NEXT_TRY_AT) WHERE TASK_STATE = 'NEW'",
  );
  await knex.raw(
    'CREATE INDEX TM$MIGHTYCALL_TASKS_ATTEMPT_IDX ON TM$MIGHTYCALL_TASKS (CAMPAIGN_TASK_ID, ATTEMPT)',
  );
  await knex.raw('DROP INDEX TM$MIGHTYCALL_TASKS_TASK_IDX');
  await knex.raw(`
    ALTER TABLE TM$MIGHTYCALL_ACTIVE_OPERATORS
      ADD COLUMN STATUS VARCHAR(8) NOT NULL DEFAULT 'READY' CHECK (STATUS IN ('READY', 'BREAK')),
      ADD COLUMN POLL_CURSOR VARCHAR(256),
      ADD COLUMN LOGIN_ERROR VARCHAR(512)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE TM$MIGHTYCALL_ACTIVE_OPERATORS
      DROP COLUMN STATUS, DROP COLUMN POLL_CURSOR, DROP COLUMN LOGIN_ERROR`);
  await knex.raw('CREATE INDEX TM$MIGHTYCALL_TASKS_TASK_IDX ON TM$MIGHTYCALL_TASKS (CAMPAIGN_TASK_ID)');
  await knex.raw('DROP INDEX TM$MIGHTYCALL_TASKS_ATTEMPT_IDX');
  await knex.raw('DROP INDEX TM$MIGHTYCALL_TASKS_PENDING_IDX');
  await knex.raw('DROP INDEX TM$MIGHTYCALL_TASKS_EXTERNAL_UQ');
  await knex.raw(`
    ALTER TABLE TM$MIGHTYCALL_TASKS
      DROP COLUMN EXTERNAL_ID, DROP COLUMN PHONE, DROP COLUMN ATTEMPT, DROP COLUMN OPERATOR_ID,
      DROP COLUMN TRIES, DROP COLUMN LAST_ERROR, DROP COLUMN NEXT_TRY_AT, DROP COLUMN SENDING_SINCE`);
}
