import type { Knex } from 'knex';
import { poolMaxOf } from './connect.js';
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
 * Key of the session-level advisory lock that serialises migrations across processes (ADR 0061): knex's own lock
 * table does not, while it does not exist yet — two engine replicas starting on a fresh database race to create it,
 * and one fails (or, when both insert its row, every later migration fails as "already locked").
 */
export const MIGRATION_LOCK = 0x746d_6d69_67; // "tmmig"

/**
 * Runs `body` holding {@link MIGRATION_LOCK} on a connection of its own, so concurrent callers in other processes
 * wait for it. A pool of one connection (the embedded profile: one process) runs `body` without the lock, which
 * would hold the connection `body` needs.
 */
async function withMigrationLock<T>(db: Knex, body: () => Promise<T>): Promise<T> {
  if (poolMaxOf(db) === 1) return body();
  // knex types connections as any; this one only carries the lock.
  const connection: unknown = await db.client.acquireConnection();
  try {
    await db.raw('SELECT pg_advisory_lock(?::bigint)', [MIGRATION_LOCK]).connection(connection);
    try {
      return await body();
    } finally {
      await db.raw('SELECT pg_advisory_unlock(?::bigint)', [MIGRATION_LOCK]).connection(connection);
    }
  } finally {
    await db.client.releaseConnection(connection);
  }
}

/**
 * Applies every pending migration of the campaign database (knex's `migrate.latest`), one process at a time: a
 * caller that finds another process migrating waits for it, then applies what is still pending. Returns the names
 * applied now; empty when the database was current.
 */
export async function migrateToLatest(db: Knex): Promise<string[]> {
  return withMigrationLock(db, async () => {
    const [, applied] = (await db.migrate.latest(MIGRATOR_CONFIG)) as [number, string[]];
    return applied;
  });
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
