import type { Candidate } from '@tm/contracts';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../../embedded/pglite.js';
import { upsertCampaigns } from './campaigns.js';
import { claimDueTasks } from './claim.js';
import type { OutboxDialTask } from './dial-task-row.js';
import { ingestCandidates } from './ingest.js';
import { migrateToLatest } from './migrate.js';
import { fetchUnpublishedDialTasks, publishOutboxBatch, publishOutboxBatchDetached } from './outbox.js';

const candidate = (n: number): Candidate =>
  ({
    candidateId: `${n}:1`,
    campaignId: 1,
    phone: `7900000000${n}`,
    application: { applicationNumber: `${n}` },
    casperProfile: null,
    products: [],
    filtersPassed: [],
    decidedAt: 0,
  }) as unknown as Candidate;

/** A publish callback that stays pending (Kafka not answering) until `open()`. */
function heldPublish(): {
  publish: (tasks: readonly OutboxDialTask[]) => Promise<void>;
  entered: Promise<readonly OutboxDialTask[]>;
  open: () => void;
} {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  let enter!: (tasks: readonly OutboxDialTask[]) => void;
  const entered = new Promise<readonly OutboxDialTask[]>((resolve) => {
    enter = resolve;
  });
  return {
    publish: async (tasks) => {
      enter(tasks);
      await gate;
    },
    entered,
    open,
  };
}

/** Whether a query on `db` answers within `ms` (false: it is queued behind a held connection). */
async function answersWithin(db: Knex, ms: number): Promise<{ answered: boolean; query: Promise<unknown> }> {
  const query = db.raw('SELECT count(*) FROM TM$CAMPAIGN_TASKS');
  const answered = await Promise.race([
    query.then(() => true),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms)),
  ]);
  return { answered, query };
}

describe('outbox publishing on the single-connection embedded database (ADR 0037)', function () {
  this.timeout(60_000);
  let pg: EmbeddedPostgres;

  before(async () => {
    pg = await startEmbeddedPostgres();
    await migrateToLatest(pg.knex);
    await upsertCampaigns(pg.knex, [{ id: 1, name: 'embedded', domain: 'LOANS', description: null }]);
  });
  after(async () => {
    await pg?.close();
  });
  beforeEach(async () => {
    await pg.knex.raw('TRUNCATE TM$DIAL_TASK_OUTBOX, TM$CAMPAIGN_TASKS RESTART IDENTITY CASCADE');
    // Noon in Moscow, inside the calling hours whatever the clock says: at 23:59 local time (20:59 UTC) the
    // hours 00:00-23:59 claim nothing, no publish is entered, and the tests waited for it until their timeout.
    const now = new Date('2026-12-03T09:00:00Z');
    await ingestCandidates(pg.knex, [candidate(1), candidate(2)], now);
    await claimDueTasks(pg.knex, {
      now,
      limit: 10,
      campaigns: [{ campaignId: 1, callingHours: { from: '00:00', to: '23:59' } }],
    });
  });

  it('publishOutboxBatch holds the only connection while Kafka has not answered: other queries wait', async () => {
    const held = heldPublish();
    const publishing = publishOutboxBatch(pg.knex, 10, held.publish);
    await held.entered;
    const { answered, query } = await answersWithin(pg.knex, 500);
    expect(answered, 'a query while the transactional publisher waits for Kafka').to.equal(false);
    held.open();
    expect(await publishing).to.deep.equal({ acquired: true, published: 2 });
    await query;
  });

  it('publishOutboxBatchDetached leaves the connection free while Kafka has not answered, then marks', async () => {
    const held = heldPublish();
    const publishing = publishOutboxBatchDetached(pg.knex, 10, held.publish);
    const tasks = await held.entered;
    expect(tasks.map((t) => t.dialTask.dialTaskId)).to.deep.equal(['ADD:1:1', 'ADD:2:1']);
    const { answered } = await answersWithin(pg.knex, 2000);
    expect(answered, 'a query while the detached publisher waits for Kafka').to.equal(true);
    expect(
      await fetchUnpublishedDialTasks(pg.knex, 10),
      'nothing marked before Kafka answered',
    ).to.have.length(2);
    held.open();
    expect(await publishing).to.deep.equal({ acquired: true, published: 2 });
    expect(await fetchUnpublishedDialTasks(pg.knex, 10)).to.deep.equal([]);
  });

  it('publishOutboxBatchDetached marks nothing when publishing fails, so the same dial tasks go out again', async () => {
    const failure = new Error('broker unavailable');
    const failed = await publishOutboxBatchDetached(pg.knex, 10, async () => {
      throw failure;
    }).catch((e: unknown) => e);
    expect(failed).to.equal(failure);
    const again: string[] = [];
    expect(
      await publishOutboxBatchDetached(pg.knex, 10, async (tasks) => {
        again.push(...tasks.map((t) => t.dialTask.dialTaskId));
      }),
    ).to.deep.equal({ acquired: true, published: 2 });
    expect(again).to.deep.equal(['ADD:1:1', 'ADD:2:1']);
  });
});
