import type { Knex } from 'knex';
import { MIGRATIONS, type NamedMigration } from './migrations/index.js';

/**
 * A knex migration source over {@link MIGRATIONS}: the list is compiled in, so migrations run the same from tsx
 * sources and from dist/, whatever the working directory.
 */
export const campaignMigrationSource: Knex.MigrationSource<NamedMigration> = {
  getMigrations: async () => [...MIGRATIONS],
  getMigrationName: (m) => m.name,
  getMigration: async (m) => m.migration,
};

const MIGRATOR_CONFIG: Knex.MigratorConfig = {
  migrationSource: campaignMigrationSource,
  tableName: 'knex_migrations',
};

/**
 * Applies every pending migration of the campaign database (knex's `migrate.latest`, with its lock table, so
 * concurrent callers wait for each other). Returns the names applied now; empty when the database was current.
 */
export async function migrateToLatest(db: Knex): Promise<string[]> {
  const [, applied] = (await db.migrate.latest(MIGRATOR_CONFIG)) as [number, string[]];
  return applied;
}

/** Rolls back every applied migration of the campaign database (tests and development only). */
export async function rollbackAll(db: Knex): Promise<string[]> {
  const [, rolledBack] = (await db.migrate.rollback(MIGRATOR_CONFIG, true)) as [number, string[]];
  return rolledBack;
}

/** Names of the applied and the pending migrations. */
export async function migrationStatus(db: Knex): Promise<{ applied: string[]; pending: string[] }> {
  const [completed, pending] = (await db.migrate.list(MIGRATOR_CONFIG)) as [
    { name: string }[],
    NamedMigration[],
  ];
  return { applied: completed.map((c) => c.name), pending: pending.map((p) => p.name) };
}
