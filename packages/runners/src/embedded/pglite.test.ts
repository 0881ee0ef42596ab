import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Candidate } from '@tm/contracts';
import { expect } from 'chai';
import pg from 'pg';
import { upsertCampaigns } from '../campaign/db/campaigns.js';
import { claimDueTasks } from '../campaign/db/claim.js';
import { ingestCandidates } from '../campaign/db/ingest.js';
import { findInvariantViolations } from '../campaign/db/invariants.js';
import { migrateToLatest } from '../campaign/db/migrate.js';
import { taskCountsByState } from '../campaign/db/summary.js';
import { startEmbeddedPostgres } from './pglite.js';

const candidate = (n: number, timeZone: string): Candidate =>
  ({
    candidateId: `${n}:1`,
    campaignId: 1,
    phone: `7900000000${n}`,
    application: { applicationNumber: `${n}` },
    casperProfile: { timeZone },
    products: [],
    filtersPassed: [],
    decidedAt: 0,
  }) as unknown as Candidate;

describe('embedded PostgreSQL (PGlite over the wire protocol)', function () {
  // PGlite compiles its WebAssembly module on start: seconds on a small machine.
  this.timeout(60_000);

  it('runs the migrations and an ingest → claim cycle through knex', async () => {
    const pg = await startEmbeddedPostgres();
    try {
      expect(pg.url).to.match(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
      expect(await migrateToLatest(pg.knex)).to.have.length.greaterThan(0);
      await upsertCampaigns(pg.knex, [{ id: 1, name: 'embedded', domain: 'LOANS', description: null }]);
      const now = new Date(Date.UTC(2024, 0, 10, 4)); // 07:00 in Moscow, 14:00 in Vladivostok
      const ingested = await ingestCandidates(
        pg.knex,
        [candidate(1, 'Europe/Moscow'), candidate(2, 'Asia/Vladivostok')],
        now,
      );
      expect(ingested.created).to.equal(2);
      const claimed = await claimDueTasks(pg.knex, {
        now,
        limit: 10,
        campaigns: [{ campaignId: 1, callingHours: { from: '09:00', to: '21:00' } }],
      });
      expect(claimed.map((c) => c.dialTask.dialTaskId)).to.deep.equal(['ADD:2:1']);
      expect(await taskCountsByState(pg.knex)).to.deep.equal({
        NEW: 1,
        IN_PROGRESS: 1,
        DONE: 0,
        CANCELED: 0,
      });
      expect(await findInvariantViolations(pg.knex)).to.deep.equal([]);
    } finally {
      await pg.close();
    }
  });

  it('refuses a second connection while knex holds the one (pglite-socket does not queue it; ADR 0037)', async () => {
    const embedded = await startEmbeddedPostgres();
    const second = new pg.Client({ connectionString: embedded.url });
    try {
      await embedded.knex.raw('SELECT 1');
      const refused = await second.connect().then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(refused).to.be.instanceOf(Error).with.property('message', 'Connection terminated unexpectedly');
      expect((await embedded.knex.raw<{ rows: unknown[] }>('SELECT 2 AS two')).rows).to.deep.equal([
        { two: 2 },
      ]);
    } finally {
      await second.end().catch(() => undefined);
      await embedded.close();
    }
  });

  it('keeps the database in a directory across restarts', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tm-pglite-'));
    try {
      const first = await startEmbeddedPostgres({ dataDir });
      await migrateToLatest(first.knex);
      await upsertCampaigns(first.knex, [{ id: 3, name: 'kept', domain: 'LOANS', description: null }]);
      await first.close();
      const second = await startEmbeddedPostgres({ dataDir });
      try {
        expect(await migrateToLatest(second.knex)).to.deep.equal([]);
        const { rows } = await second.knex.raw<{ rows: { name: string }[] }>('SELECT NAME FROM TM$CAMPAIGNS');
        expect(rows).to.deep.equal([{ name: 'kept' }]);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
