import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { testServices } from '@tm/infra';
import { expect } from 'chai';
import { connectCampaignDb } from '../campaign/db/connect.js';
import { MIGRATIONS } from '../campaign/db/migrations/index.js';
import { buildProgram } from '../cli.js';
import { runMigrate } from './migrate.js';

const repo = join(import.meta.dirname, '..', '..', '..', '..');

describe('tm migrate (PostgreSQL)', () => {
  const schema = `mig_${randomBytes(4).toString('hex')}`;
  let url = '';

  before(async () => {
    const admin = connectCampaignDb(testServices().databaseUrl, { poolMax: 1 });
    await admin.raw(`CREATE SCHEMA ${schema}`);
    await admin.destroy();
    const u = new URL(testServices().databaseUrl);
    u.searchParams.set('options', `-c search_path=${schema}`);
    url = u.toString();
  });

  after(async () => {
    const admin = connectCampaignDb(testServices().databaseUrl, { poolMax: 1 });
    await admin.raw(`DROP SCHEMA ${schema} CASCADE`);
    await admin.destroy();
  });

  it('applies every migration and upserts the campaigns of the config, then finds the database current', async () => {
    const config = join(repo, 'config', 'pipeline.yaml');
    const first = await runMigrate({ config, databaseUrl: url });
    expect(first[0]).to.contain(`applied ${MIGRATIONS.length} migration(s)`);
    expect(first[0]).not.to.contain('postgres@');
    expect(first[1]).to.equal('campaigns upserted: 1, 2');

    const lines: string[] = [];
    const log = console.log;
    console.log = (line: string) => lines.push(line);
    try {
      await (await buildProgram()).parseAsync(['migrate', '--config', config, '--database-url', url], {
        from: 'user',
      });
    } finally {
      console.log = log;
    }
    expect(lines[0]).to.match(/already current$/);

    const db = connectCampaignDb(url, { poolMax: 1 });
    try {
      const { rows } = await db.raw<{ rows: { id: string; name: string; domain: string }[] }>(
        'SELECT ID, NAME, DOMAIN FROM TM$CAMPAIGNS ORDER BY ID',
      );
      expect(rows).to.deep.equal([
        { id: '1', name: 'campaign-1', domain: 'LOANS' },
        { id: '2', name: 'pos-reject-winback', domain: 'LOANS' },
      ]);
      const { rows: where } = await db.raw<{ rows: { table_schema: string }[] }>(
        `SELECT table_schema FROM information_schema.tables WHERE table_name = 'tm$campaigns'`,
      );
      expect(where.map((w) => w.table_schema))
        .to.include(schema)
        .and.not.include('public');
    } finally {
      await db.destroy();
    }
  });
});
