import type { Knex } from 'knex';

/**
 * TM$DIAL_TASK_OUTBOX (ADR 0034): every dial task (ADD when a task is claimed, DELETE when an IN_PROGRESS task is
 * cancelled) is written here in the transaction that changes the task, and published to tm-dial-tasks from here.
 * No crash can leave a task IN_PROGRESS without its ADD. DIAL_TASK_ID is the DialTask's id: `ADD:<task>:<attempt>`
 * or `DELETE:<task>:<attempt>`, unique, so a task attempt has at most one of each and the dialer drops repeats.
 * TM$MIGHTYCALL_TASKS gets the same id, unique, so the dialer stores each dial task once (ADR 0033).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE TM$DIAL_TASK_OUTBOX (
      ID BIGSERIAL PRIMARY KEY,
      DIAL_TASK_ID VARCHAR(64) NOT NULL UNIQUE,
      ACTION MIGHTYCALL_TASK_TYPES NOT NULL,
      CAMPAIGN_ID BIGINT NOT NULL,
      PHONE VARCHAR(15) NOT NULL,
      ATTEMPT INTEGER NOT NULL,
      CLIENT_TIME_ZONE VARCHAR(64) NOT NULL,
      PUBLISHED_AT TIMESTAMPTZ,
      WTIME TIMESTAMPTZ NOT NULL DEFAULT now(),
      UTIME TIMESTAMPTZ NOT NULL DEFAULT now(),
      CAMPAIGN_TASK_ID BIGINT NOT NULL REFERENCES TM$CAMPAIGN_TASKS (ID)
    )`);
  await knex.raw(
    'CREATE TRIGGER TM$DIAL_TASK_OUTBOX_UTIME BEFORE UPDATE ON TM$DIAL_TASK_OUTBOX FOR EACH ROW EXECUTE FUNCTION TM$SET_UTIME()',
  );
  await knex.raw(
    'CREATE INDEX TM$DIAL_TASK_OUTBOX_UNPUBLISHED_IDX ON TM$DIAL_TASK_OUTBOX (ID) WHERE PUBLISHED_AT IS NULL',
  );
  await knex.raw(
    'CREATE INDEX TM$DIAL_TASK_OUTBOX_TASK_IDX ON TM$DIAL_TASK_OUTBOX (CAMPAIGN_TASK_ID, ATTEMPT)',
  );
  await knex.raw(`
    ALTER TABLE TM$MIGHTYCALL_TASKS
      ADD COLUMN DIAL_TASK_ID VARCHAR(64) NOT NULL,
      ADD CONSTRAINT TM$MIGHTYCALL_TASKS_DIAL_TASK_UQ UNIQUE (DIAL_TASK_ID)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE TM$MIGHTYCALL_TASKS DROP COLUMN DIAL_TASK_ID');
  await knex.raw('DROP TABLE TM$DIAL_TASK_OUTBOX');
}
