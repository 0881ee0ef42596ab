import type { DialTask } from '@tm/contracts';
import { expect } from 'chai';
import { claimDueTasks } from './claim.js';
import { CampaignDbError } from './errors.js';
import { ingestCandidates } from './ingest.js';
import { findInvariantViolations } from './invariants.js';
import {
  fetchUnpublishedDialTasks,
  markDialTasksPublished,
  prunePublishedDialTasks,
  publishOutboxBatch,
} from './outbox.js';
import { at, candidate, outbox, rules, tasks, useCampaignDb } from './test-support.js';

const phone = (i: number) => `7900${String(i).padStart(7, '0')}`;

describe('dial-task outbox (PostgreSQL)', () => {
  const { db } = useCampaignDb({ poolMax: 4 });

  /** Three tasks claimed (ADD 1..3), then task 2 replaced (DELETE 2). */
  async function fourDialTasks(): Promise<void> {
    await ingestCandidates(
      db(),
      [1, 2, 3].map((i) => candidate(`${i}`, phone(i))),
      at(8),
    );
    await claimDueTasks(db(), { now: at(9), limit: 10, campaigns: rules() });
    await ingestCandidates(db(), [candidate('2b', phone(2))], at(9, 30));
  }

  it('publishes in outbox order, a batch at a time, and marks what was acknowledged', async () => {
    await fourDialTasks();
    const sent: DialTask[][] = [];
    const publish = async (batch: readonly { dialTask: DialTask }[]) => {
      sent.push(batch.map((t) => t.dialTask));
    };
    expect(await publishOutboxBatch(db(), 3, publish)).to.deep.equal({ acquired: true, published: 3 });
    expect(await publishOutboxBatch(db(), 3, publish)).to.deep.equal({ acquired: true, published: 1 });
    expect(await publishOutboxBatch(db(), 3, publish)).to.deep.equal({ acquired: true, published: 0 });
    expect(sent.map((b) => b.map((t) => t.dialTaskId))).to.deep.equal([
      ['ADD:1:1', 'ADD:2:1', 'ADD:3:1'],
      ['DELETE:2:1'],
    ]);
    expect(sent[1]?.[0]).to.include({ action: 'DELETE', taskId: 2, phone: phone(2), attempt: 1 });
    expect(await outbox(db())).to.deep.equal([
      'ADD:1:1 published',
      'ADD:2:1 published',
      'ADD:3:1 published',
      'DELETE:2:1 published',
    ]);
  });

  it('marks nothing when publishing fails, so the same dial tasks go out again', async () => {
    await fourDialTasks();
    const failure = new Error('broker unavailable');
    const attempt = publishOutboxBatch(db(), 10, async () => {
      throw failure;
    });
    await attempt.then(
      () => expect.fail('publish failure should propagate'),
      (err: unknown) => expect(err).to.equal(failure),
    );
    expect((await fetchUnpublishedDialTasks(db(), 10)).map((t) => t.dialTask.dialTaskId)).to.deep.equal([
      'ADD:1:1',
      'ADD:2:1',
      'ADD:3:1',
      'DELETE:2:1',
    ]);
  });

  it('lets one publisher work at a time; the other returns at once', async () => {
    await fourDialTasks();
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let entered: () => void = () => {};
    const inside = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const first = publishOutboxBatch(db(), 10, async () => {
      entered();
      await held;
    });
    await inside;
    expect(await publishOutboxBatch(db(), 10, async () => expect.fail('second publisher ran'))).to.deep.equal(
      {
        acquired: false,
        published: 0,
      },
    );
    release();
    expect(await first).to.deep.equal({ acquired: true, published: 4 });
  });

  it('marking twice keeps the first time and counts nothing the second time', async () => {
    await fourDialTasks();
    const ids = (await fetchUnpublishedDialTasks(db(), 2)).map((t) => t.outboxId);
    expect(await markDialTasksPublished(db(), ids, at(10))).to.equal(2);
    expect(await markDialTasksPublished(db(), ids, at(11))).to.equal(0);
    const { rows } = await db().raw<{ rows: { published_at: Date }[] }>(
      'SELECT PUBLISHED_AT FROM TM$DIAL_TASK_OUTBOX WHERE PUBLISHED_AT IS NOT NULL',
    );
    expect(rows.map((r) => r.published_at.toISOString())).to.deep.equal([
      at(10).toISOString(),
      at(10).toISOString(),
    ]);
  });

  it('prunes published rows but keeps the ADD of a task still IN_PROGRESS', async () => {
    await fourDialTasks();
    await publishOutboxBatch(
      db(),
      10,
      async () => {},
      () => at(10),
    );
    expect(await prunePublishedDialTasks(db(), at(11))).to.equal(2);
    expect(await outbox(db())).to.deep.equal(['ADD:1:1 published', 'ADD:3:1 published']);
  });

  it('a claim whose dial task cannot be written leaves the task NEW (one statement, all or nothing)', async () => {
    await ingestCandidates(db(), [candidate('1', phone(1))], at(8));
    // Occupy the dial-task id the claim will write, so its INSERT fails.
    await db().raw(
      `INSERT INTO TM$DIAL_TASK_OUTBOX (DIAL_TASK_ID, ACTION, CAMPAIGN_TASK_ID, CAMPAIGN_ID, PHONE, ATTEMPT, CLIENT_TIME_ZONE, PUBLISHED_AT)
       VALUES ('ADD:1:1', 'ADD', 1, 1, ?, 1, 'Europe/Moscow', now())`,
      [phone(1)],
    );
    const failed = await claimDueTasks(db(), { now: at(9), limit: 10, campaigns: rules() }).catch(
      (e: unknown) => e,
    );
    expect(failed).to.be.instanceOf(CampaignDbError);
    expect(failed).to.include({ operation: 'claimDueTasks', sqlState: '23505', retriable: false });
    expect((await tasks(db())).map((t) => [t.state, t.attempt])).to.deep.equal([['NEW', 0]]);
    await db().raw('DELETE FROM TM$DIAL_TASK_OUTBOX');
  });

  it('the invariant check finds an IN_PROGRESS task without its dial task', async () => {
    await ingestCandidates(db(), [candidate('1', phone(1))], at(8));
    await db().raw(`UPDATE TM$CAMPAIGN_TASKS SET TASK_STATE = 'IN_PROGRESS', ATTEMPT = 1`);
    expect(await findInvariantViolations(db())).to.deep.equal([
      { invariant: 'IN_PROGRESS without its ADD dial task', taskId: 1 },
    ]);
    await db().raw(`UPDATE TM$CAMPAIGN_TASKS SET TASK_STATE = 'DONE'`);
  });
});
