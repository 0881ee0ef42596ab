import type { Knex } from 'knex';

/**
 * What the task lifecycle of thesis §2.6.3 needs to be correct under redelivery, concurrency and re-calls:
 *
 * - CANDIDATE_ID, unique: a redelivered candidate inserts nothing (ADR 0033).
 * - At most one open (NEW or IN_PROGRESS) task per client and campaign, enforced by a partial unique index
 *   (ADR 0031).
 * - ATTEMPT: how many times the task has been dispatched; re-calls stop at the campaign's limit (ADR 0035).
 * - CLIENT_TIME_ZONE: the zone the calling hours are checked in, resolved once at ingest (ADR 0036).
 * - The dispatch index: due NEW tasks in TASK_TIME order (ADR 0036).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE TM$CAMPAIGN_TASKS
      ADD COLUMN CANDIDATE_ID VARCHAR(128) NOT NULL,
      ADD COLUMN ATTEMPT INTEGER NOT NULL DEFAULT 0 CHECK (ATTEMPT >= 0),
      ADD COLUMN CLIENT_TIME_ZONE VARCHAR(64) NOT NULL,
      ADD CONSTRAINT TM$CAMPAIGN_TASKS_CANDIDATE_UQ UNIQUE (CANDIDATE_ID)`);
  await knex.raw(`
    CREATE UNIQUE INDEX TM$CAMPAIGN_TASKS_OPEN_UQ ON TM$CAMPAIGN_TASKS (CAMPAIGN_ID, PHONE)
      WHERE TASK_STATE IN ('NEW', 'IN_PROGRESS')`);
  await knex.raw(`
    CREATE INDEX TM$CAMPAIGN_TASKS_DUE_IDX ON TM$CAMPAIGN_TASKS (TASK_TIME, ID)
      WHERE TASK_STATE = 'NEW'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX TM$CAMPAIGN_TASKS_DUE_IDX');
  await knex.raw('DROP INDEX TM$CAMPAIGN_TASKS_OPEN_UQ');
  await knex.raw(`
    ALTER TABLE TM$CAMPAIGN_TASKS
      DROP COLUMN CLIENT_TIME_ZONE, DROP COLUMN ATTEMPT, DROP COLUMN CANDIDATE_ID`);
}
