import type { Knex } from 'knex';

/**
 * CANCELED, a fourth campaign task state (ADR 0031): the state of a task replaced by a newer candidate of the same
 * client in the same campaign. The thesis cancels such tasks but has no state to say so. Its own migration because
 * a new enum value cannot be used in the transaction that adds it.
 */
/**
 * Outside a transaction: a value added to an enum inside one cannot be used before it commits, and knex would
 * otherwise run every pending migration in one transaction.
 */
export const config = { transaction: false };

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`ALTER TYPE CAMPAIGN_TASK_STATES ADD VALUE 'CANCELED'`);
}

/** PostgreSQL cannot drop an enum value; the type is rebuilt without it (no task may be CANCELED). */
export async function down(knex: Knex): Promise<void> {
  await knex.raw(`ALTER TYPE CAMPAIGN_TASK_STATES RENAME TO CAMPAIGN_TASK_STATES_OLD`);
  await knex.raw(`CREATE TYPE CAMPAIGN_TASK_STATES AS ENUM ('NEW', 'IN_PROGRESS', 'DONE')`);
  await knex.raw(
    `ALTER TABLE TM$CAMPAIGN_TASKS ALTER COLUMN TASK_STATE TYPE CAMPAIGN_TASK_STATES
       USING TASK_STATE::text::CAMPAIGN_TASK_STATES`,
  );
  await knex.raw('DROP TYPE CAMPAIGN_TASK_STATES_OLD');
}
