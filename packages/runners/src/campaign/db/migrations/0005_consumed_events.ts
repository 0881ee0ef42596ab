import type { Knex } from 'knex';

/**
 * Redelivery of call events and communication results changes nothing (ADR 0033):
 *
 * - TM$CONSUMED_EVENTS holds the id of every call event and result event applied, written in the transaction
 *   that applies it; a repeated id is skipped.
 * - TM$COMMUNICATIONS gets CALL_ID (the telephony's id of the call, unique: one communication per call, and the
 *   key the ARM finds it by), ATTEMPT (the task attempt the call belongs to, so a late event of an old attempt
 *   cannot close a newer one), and the call's start, end and duration.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE TM$CONSUMED_EVENTS (
      EVENT_ID VARCHAR(128) PRIMARY KEY,
      EVENT_TYPE VARCHAR(32) NOT NULL,
      WTIME TIMESTAMPTZ NOT NULL DEFAULT now(),
      UTIME TIMESTAMPTZ NOT NULL DEFAULT now()
    )`);
  await knex.raw(
    'CREATE TRIGGER TM$CONSUMED_EVENTS_UTIME BEFORE UPDATE ON TM$CONSUMED_EVENTS FOR EACH ROW EXECUTE FUNCTION TM$SET_UTIME()',
  );
  await knex.raw('CREATE INDEX TM$CONSUMED_EVENTS_WTIME_IDX ON TM$CONSUMED_EVENTS (WTIME)');
  await knex.raw(`
    ALTER TABLE TM$COMMUNICATIONS
      ADD COLUMN CALL_ID VARCHAR(128) NOT NULL,
      ADD COLUMN ATTEMPT INTEGER NOT NULL,
      ADD COLUMN STARTED_AT TIMESTAMPTZ,
      ADD COLUMN ENDED_AT TIMESTAMPTZ,
      ADD COLUMN DURATION_SECONDS INTEGER,
      ADD CONSTRAINT TM$COMMUNICATIONS_CALL_UQ UNIQUE (CALL_ID)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE TM$COMMUNICATIONS
      DROP COLUMN DURATION_SECONDS, DROP COLUMN ENDED_AT, DROP COLUMN STARTED_AT, DROP COLUMN ATTEMPT,
      DROP COLUMN CALL_ID`);
  await knex.raw('DROP TABLE TM$CONSUMED_EVENTS');
}
