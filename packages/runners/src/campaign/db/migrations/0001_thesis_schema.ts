import type { Knex } from 'knex';

/**
 * The thesis's schema, section 2.7.3: seven enum types and eight tables, each with WTIME (row written) and UTIME
 * (row last updated, kept by the trigger function tm$set_utime). Names are unquoted, so PostgreSQL folds them to
 * lower case and `select * from TM$CAMPAIGNS` works as the thesis writes it (ADR 0030). Times are TIMESTAMPTZ
 * where the thesis says TIMESTAMP (ADR 0030). Unique keys on logins, tokens and operator links are this project's.
 */

const ENUM_TYPES: Record<string, readonly string[]> = {
  DOMAINS: ['LOANS'],
  CAMPAIGN_TASK_TYPES: ['PHONE_MIGHTYCALL'],
  CAMPAIGN_TASK_STATES: ['NEW', 'IN_PROGRESS', 'DONE'],
  COMMUNICATION_STATES: ['NEW', 'DRAFT', 'FIXED'],
  ROLES: ['OPERATOR'],
  MIGHTYCALL_TASK_TYPES: ['ADD', 'DELETE'],
  MIGHTYCALL_TASK_STATES: ['NEW', 'IN_PROGRESS', 'DONE'],
};

/** WTIME/UTIME columns every table ends with. */
const TIMES = `
  WTIME TIMESTAMPTZ NOT NULL DEFAULT now(),
  UTIME TIMESTAMPTZ NOT NULL DEFAULT now()`;

const TABLES: Record<string, string> = {
  TM$CAMPAIGNS: `
  ID BIGSERIAL PRIMARY KEY,
  NAME VARCHAR(64) NOT NULL,
  DOMAIN DOMAINS NOT NULL,
  DESCRIPTION VARCHAR(256),${TIMES}`,
  TM$CAMPAIGN_TASKS: `
  ID BIGSERIAL PRIMARY KEY,
  PHONE VARCHAR(15) NOT NULL,
  CLIENT_INFO JSONB NOT NULL,
  TASK_TIME TIMESTAMPTZ NOT NULL,
  TASK_TYPE CAMPAIGN_TASK_TYPES NOT NULL,
  TASK_STATE CAMPAIGN_TASK_STATES NOT NULL,${TIMES},
  CAMPAIGN_ID BIGINT NOT NULL REFERENCES TM$CAMPAIGNS (ID)`,
  TM$OPERATORS: `
  ID BIGSERIAL PRIMARY KEY,
  LOGIN VARCHAR(64) NOT NULL UNIQUE,
  PASSWORD VARCHAR(256) NOT NULL,
  LOCKED BOOLEAN NOT NULL DEFAULT FALSE,
  ROLE ROLES NOT NULL,
  FIRST_NAME VARCHAR(32) NOT NULL,
  LAST_NAME VARCHAR(32) NOT NULL,${TIMES}`,
  TM$COMMUNICATIONS: `
  ID BIGSERIAL PRIMARY KEY,
  STATE COMMUNICATION_STATES NOT NULL,
  RESULT_DETAILS JSONB NOT NULL DEFAULT '{}'::jsonb,${TIMES},
  CAMPAIGN_TASK_ID BIGINT NOT NULL REFERENCES TM$CAMPAIGN_TASKS (ID),
  OPERATOR_ID BIGINT NOT NULL`,
  TM$OPERATOR_AUTHS: `
  ID BIGSERIAL PRIMARY KEY,
  EXP_DATE TIMESTAMPTZ NOT NULL,
  TOKEN VARCHAR(512) NOT NULL UNIQUE,${TIMES},
  OPERATOR_ID BIGINT NOT NULL REFERENCES TM$OPERATORS (ID)`,
  TM$MIGHTYCALL_OPERATORS: `
  ID BIGSERIAL PRIMARY KEY,
  LOGIN VARCHAR(64) NOT NULL,
  PASSWORD VARCHAR(256) NOT NULL,${TIMES},
  OPERATOR_ID BIGINT NOT NULL UNIQUE REFERENCES TM$OPERATORS (ID)`,
  TM$MIGHTYCALL_ACTIVE_OPERATORS: `
  ID BIGSERIAL PRIMARY KEY,${TIMES},
  OPERATOR_ID BIGINT NOT NULL UNIQUE REFERENCES TM$OPERATORS (ID)`,
  TM$MIGHTYCALL_TASKS: `
  ID BIGSERIAL PRIMARY KEY,
  TASK_TYPE MIGHTYCALL_TASK_TYPES NOT NULL,
  TASK_STATE MIGHTYCALL_TASK_STATES NOT NULL,${TIMES},
  CAMPAIGN_TASK_ID BIGINT NOT NULL REFERENCES TM$CAMPAIGN_TASKS (ID)`,
};

const INDEXES = [
  'CREATE INDEX TM$COMMUNICATIONS_TASK_IDX ON TM$COMMUNICATIONS (CAMPAIGN_TASK_ID)',
  'CREATE INDEX TM$COMMUNICATIONS_OPERATOR_IDX ON TM$COMMUNICATIONS (OPERATOR_ID, STATE)',
  'CREATE INDEX TM$OPERATOR_AUTHS_OPERATOR_IDX ON TM$OPERATOR_AUTHS (OPERATOR_ID)',
  'CREATE INDEX TM$MIGHTYCALL_TASKS_TASK_IDX ON TM$MIGHTYCALL_TASKS (CAMPAIGN_TASK_ID)',
];

/** The enum-type values, for tests and for code that must agree with the schema. */
export const THESIS_ENUM_TYPES = ENUM_TYPES;
/** The table names, in creation order. */
export const THESIS_TABLES = Object.keys(TABLES);

export async function up(knex: Knex): Promise<void> {
  for (const [name, values] of Object.entries(ENUM_TYPES)) {
    await knex.raw(`CREATE TYPE ${name} AS ENUM (${values.map((v) => `'${v}'`).join(', ')})`);
  }
  await knex.raw(`
    CREATE FUNCTION TM$SET_UTIME() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      NEW.UTIME := now();
      RETURN NEW;
    END
    $$`);
  for (const [table, columns] of Object.entries(TABLES)) {
    await knex.raw(`CREATE TABLE ${table} (${columns}\n)`);
    await knex.raw(
      `CREATE TRIGGER ${table}_UTIME BEFORE UPDATE ON ${table} FOR EACH ROW EXECUTE FUNCTION TM$SET_UTIME()`,
    );
  }
  for (const index of INDEXES) await knex.raw(index);
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [...THESIS_TABLES].reverse()) await knex.raw(`DROP TABLE ${table}`);
  await knex.raw('DROP FUNCTION TM$SET_UTIME()');
  for (const name of Object.keys(ENUM_TYPES).reverse()) await knex.raw(`DROP TYPE ${name}`);
}
