import { randomBytes } from 'node:crypto';
import { testServices } from '@tm/infra';
import { expect } from 'chai';
import { connectCampaignDb } from './connect.js';
import { migrateToLatest, migrationStatus, rollbackAll } from './migrate.js';
import { THESIS_ENUM_TYPES, THESIS_TABLES } from './migrations/0001_thesis_schema.js';
import { MIGRATIONS } from './migrations/index.js';
import { useCampaignDb } from './test-support.js';

describe('campaign database migrations (PostgreSQL)', () => {
  const { db, schema } = useCampaignDb();

  it('creates the thesis’s eight tables and seven enum types, plus the outbox and consumed events', async () => {
    const { rows: tables } = await db().raw<{ rows: { table_name: string }[] }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = ? ORDER BY table_name`,
      [schema],
    );
    const names = tables.map((t) => t.table_name);
    for (const table of THESIS_TABLES) expect(names).to.include(table.toLowerCase());
    expect(names).to.include.members(['tm$dial_task_outbox', 'tm$consumed_events']);

    const { rows: enums } = await db().raw<{ rows: { typname: string; labels: string[] }[] }>(
      `SELECT t.typname, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels
         FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE n.nspname = ? GROUP BY t.typname`,
      [schema],
    );
    const byName = Object.fromEntries(enums.map((e) => [e.typname, e.labels]));
    for (const [name, values] of Object.entries(THESIS_ENUM_TYPES)) {
      const expected = name === 'CAMPAIGN_TASK_STATES' ? [...values, 'CANCELED'] : values;
      expect(byName[name.toLowerCase()], name).to.deep.equal(expected);
    }
  });

  it('gives every table WTIME and UTIME, and a trigger keeps UTIME current on update', async () => {
    const { rows } = await db().raw<{ rows: { table_name: string; n: number }[] }>(
      `SELECT table_name, count(*)::int AS n FROM information_schema.columns
        WHERE table_schema = ? AND column_name IN ('wtime', 'utime') AND table_name LIKE 'tm$%'
        GROUP BY table_name`,
      [schema],
    );
    // The thesis's tables, the dial-task outbox, the consumed event ids and the ARM's result windows.
    expect(rows).to.have.length(THESIS_TABLES.length + 3);
    for (const r of rows) expect(r.n, r.table_name).to.equal(2);

    await db().raw(
      `UPDATE TM$CAMPAIGNS SET WTIME = now() - interval '1 day', UTIME = now() - interval '1 day'`,
    );
    const { rows: before } = await db().raw<{ rows: { wtime: Date; utime: Date }[] }>(
      'SELECT WTIME, UTIME FROM TM$CAMPAIGNS WHERE ID = 1',
    );
    expect(Date.now() - before[0]!.utime.getTime()).to.be.lessThan(60_000);
    await db().raw(`UPDATE TM$CAMPAIGNS SET NAME = 'renamed' WHERE ID = 1`);
    const { rows: after } = await db().raw<{ rows: { wtime: Date; utime: Date }[] }>(
      'SELECT WTIME, UTIME FROM TM$CAMPAIGNS WHERE ID = 1',
    );
    expect(Date.now() - after[0]!.wtime.getTime()).to.be.greaterThan(23 * 3600_000);
    expect(Date.now() - after[0]!.utime.getTime()).to.be.lessThan(60_000);
  });

  it('answers to the thesis’s spelling: unquoted upper-case names', async () => {
    const { rows } = await db().raw<{ rows: { n: number }[] }>(
      'SELECT count(*)::int AS n FROM TM$CAMPAIGNS WHERE DOMAIN = ?::DOMAINS',
      ['LOANS'],
    );
    expect(rows[0]?.n).to.equal(2);
  });

  it('is current after a second run, and rolls back and forward again', async () => {
    expect(await migrateToLatest(db())).to.deep.equal([]);
    expect(await migrationStatus(db())).to.deep.equal({
      applied: MIGRATIONS.map((m) => m.name),
      pending: [],
    });
    await db().raw('TRUNCATE TM$CAMPAIGNS CASCADE');
    expect(await rollbackAll(db())).to.deep.equal(MIGRATIONS.map((m) => m.name).reverse());
    const { rows } = await db().raw<{ rows: unknown[] }>(
      `SELECT 1 FROM information_schema.tables WHERE table_schema = ? AND table_name LIKE 'tm$%'`,
      [schema],
    );
    expect(rows).to.deep.equal([]);
    expect(await migrateToLatest(db())).to.deep.equal(MIGRATIONS.map((m) => m.name));
  });
});

describe('campaign database migrations from several processes at once (PostgreSQL)', () => {
  it('lets concurrent callers on a fresh database wait for each other: one applies, the others find it current', async function () {
    this.timeout(60_000);
    const { databaseUrl } = testServices();
    const admin = connectCampaignDb(databaseUrl, { poolMax: 1 });
    // knex's lock table alone lost this race in most rounds (a caller failed creating a table or the lock).
    for (let round = 0; round < 4; round += 1) {
      const schema = `mig_${randomBytes(4).toString('hex')}`;
      await admin.raw(`CREATE SCHEMA ${schema}`);
      const engines = [1, 2, 3].map(() =>
        connectCampaignDb(databaseUrl, { poolMax: 3, searchPath: [schema] }),
      );
      try {
        const applied = await Promise.all(engines.map((e) => migrateToLatest(e)));
        expect(applied.map((names) => names.length).sort(), `round ${round}`).to.deep.equal([
          0,
          0,
          MIGRATIONS.length,
        ]);
        const { rows } = await admin.raw<{ rows: { is_locked: number }[] }>(
          `SELECT is_locked FROM ${schema}.knex_migrations_lock`,
        );
        expect(rows).to.deep.equal([{ is_locked: 0 }]);
      } finally {
        await Promise.all(engines.map((e) => e.destroy()));
        await admin.raw(`DROP SCHEMA ${schema} CASCADE`);
      }
    }
    await admin.destroy();
  });
});
