import type { Knex } from 'knex';

/**
 * What the security service and the ARM need (ADRs 0090–0093):
 *
 * - TM$OPERATOR_AUTHS.TOKEN holds the SHA-256 of the token (64 hex digits), never the token itself: a CHECK refuses
 *   anything else, so a leaked table authorises nobody. An index on EXP_DATE serves the purge of expired tokens.
 * - TM$RESULT_WINDOWS: the 60-second rule (thesis §2.6.5). One row per answered call, written when the ARM sees its
 *   CALL_ENDED, due `result-window-seconds` later; closed by the operator's save or by the server's DRAFT. Kept in
 *   the database, not in Redis, so a Redis restart cannot forget a call nobody saved.
 * - TM$CAMPAIGN_TASKS (PHONE): the card's history of the client across campaigns.
 * - TM$COMMUNICATIONS (OPERATOR_ID, STATE, ENDED_AT): the operator's rework list, newest first; it replaces the
 *   (OPERATOR_ID, STATE) index of 0001, its prefix.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('DELETE FROM TM$OPERATOR_AUTHS');
  await knex.raw(`
    ALTER TABLE TM$OPERATOR_AUTHS
      ADD CONSTRAINT TM$OPERATOR_AUTHS_TOKEN_HASH_CK CHECK (TOKEN ~ '^[0-9a-f]{64}$')`);
  await knex.raw(`COMMENT ON COLUMN TM$OPERATOR_AUTHS.TOKEN IS 'SHA-256 of the bearer token, hex'`);
  await knex.raw('CREATE INDEX TM$OPERATOR_AUTHS_EXP_IDX ON TM$OPERATOR_AUTHS (EXP_DATE)');
  await knex.raw(`
    CREATE TABLE TM$RESULT_WINDOWS (
      COMMUNICATION_ID BIGINT PRIMARY KEY REFERENCES TM$COMMUNICATIONS (ID),
      OPERATOR_ID BIGINT NOT NULL,
      DUE_AT TIMESTAMPTZ NOT NULL,
      CLOSED_AT TIMESTAMPTZ,
      CLOSED_BY VARCHAR(16) CHECK (CLOSED_BY IN ('OPERATOR', 'SERVER')),
      WTIME TIMESTAMPTZ NOT NULL DEFAULT now(),
      UTIME TIMESTAMPTZ NOT NULL DEFAULT now()
    )`);
  await knex.raw(
    'CREATE TRIGGER TM$RESULT_WINDOWS_UTIME BEFORE UPDATE ON TM$RESULT_WINDOWS FOR EACH ROW EXECUTE FUNCTION TM$SET_UTIME()',
  );
  await knex.raw(
    'CREATE INDEX TM$RESULT_WINDOWS_OPEN_IDX ON TM$RESULT_WINDOWS (DUE_AT) WHERE CLOSED_AT IS NULL',
  );
  await knex.raw('CREATE INDEX TM$CAMPAIGN_TASKS_PHONE_IDX ON TM$CAMPAIGN_TASKS (PHONE)');
  await knex.raw(
    'CREATE INDEX TM$COMMUNICATIONS_REWORK_IDX ON TM$COMMUNICATIONS (OPERATOR_ID, STATE, ENDED_AT DESC)',
  );
  await knex.raw('DROP INDEX TM$COMMUNICATIONS_OPERATOR_IDX');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX TM$COMMUNICATIONS_OPERATOR_IDX ON TM$COMMUNICATIONS (OPERATOR_ID, STATE)');
  await knex.raw('DROP INDEX TM$COMMUNICATIONS_REWORK_IDX');
  await knex.raw('DROP INDEX TM$CAMPAIGN_TASKS_PHONE_IDX');
  await knex.raw('DROP TABLE TM$RESULT_WINDOWS');
  await knex.raw('DROP INDEX TM$OPERATOR_AUTHS_EXP_IDX');
  await knex.raw('ALTER TABLE TM$OPERATOR_AUTHS DROP CONSTRAINT TM$OPERATOR_AUTHS_TOKEN_HASH_CK');
}
