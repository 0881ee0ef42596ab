import { expect } from 'chai';
import type { Knex } from 'knex';
import { claimDueTasks } from './claim.js';
import { ingestCandidates } from './ingest.js';
import { findInvariantViolations } from './invariants.js';
import { zonesPostgresKnows } from './known-zones.js';
import { at, candidate, outbox, rules, tasks, useCampaignDb } from './test-support.js';

/**
 * A knex whose transactions stop before their first statement matching `pattern` until `release()`: `reached`
 * resolves when one got there. Lets a test run another writer's whole transaction between two statements of one
 * ingest, deterministically.
 */
function pausingBefore(db: Knex, pattern: RegExp): { db: Knex; reached: Promise<void>; release: () => void } {
  let reach = (): void => {};
  let release = (): void => {};
  const reached = new Promise<void>((resolve) => {
    reach = resolve;
  });
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const pausing = (trx: Knex.Transaction): Knex.Transaction =>
    new Proxy(trx, {
      get(target, property, receiver) {
        if (property !== 'raw') return Reflect.get(target, property, receiver);
        return async (sql: string, bindings: readonly Knex.RawBinding[]) => {
          if (pattern.test(sql)) {
            reach();
            await released;
          }
          return target.raw(sql, bindings);
        };
      },
    });
  const wrapped = new Proxy(db, {
    get(target, property, receiver) {
      if (property !== 'transaction') return Reflect.get(target, property, receiver);
      return <T>(body: (trx: Knex.Transaction) => Promise<T>) =>
        target.transaction((trx) => body(pausing(trx)));
    },
  });
  return { db: wrapped, reached, release };
}

/** Pauses an ingest after its check for known candidate ids, before it cancels the clients' open tasks. */
const BEFORE_CANCEL = /TM\$DIAL_TASK_OUTBOX/;

describe('ingestCandidates (PostgreSQL)', () => {
  const { db } = useCampaignDb();

  it('stores a new candidate as a NEW task with CLIENT_INFO and the client’s time zone', async () => {
    const result = await ingestCandidates(
      db(),
      [candidate('100', '79001110001', { timeZone: 'Asia/Vladivostok' }), candidate('101', '79001110002')],
      at(9),
    );
    expect(result).to.deep.include({ created: 2, canceled: 0, deleteDialTasks: 0, redelivered: [] });
    const stored = await tasks(db());
    expect(stored.map((t) => [t.candidateId, t.state, t.attempt, t.timeZone])).to.deep.equal([
      ['100:1', 'NEW', 0, 'Asia/Vladivostok'],
      ['101:1', 'NEW', 0, 'Europe/Moscow'],
    ]);
    expect(stored[0]?.taskTime.toISOString()).to.equal(at(9).toISOString());
    const { rows } = await db().raw<{ rows: { client_info: Record<string, unknown>; task_type: string }[] }>(
      'SELECT CLIENT_INFO, TASK_TYPE FROM TM$CAMPAIGN_TASKS WHERE CANDIDATE_ID = ?',
      ['100:1'],
    );
    expect(rows[0]?.task_type).to.equal('PHONE_MIGHTYCALL');
    expect(rows[0]?.client_info).to.have.keys(
      'candidateId',
      'application',
      'casperProfile',
      'products',
      'filtersPassed',
      'decidedAt',
    );
    expect(rows[0]?.client_info.application).to.deep.include({
      applicationNumber: '100',
      lastName: 'БЕКИШОВ',
    });
    expect(rows[0]?.client_info.products).to.have.length(1);
  });

  it('uses the default time zone when Casper knows none, or an unknown one', async () => {
    await ingestCandidates(
      db(),
      [
        candidate('1', '79001110001', { timeZone: null }),
        candidate('2', '79001110002', { timeZone: 'Nowhere/X' }),
      ],
      at(9),
      { defaultTimeZone: 'Asia/Yekaterinburg' },
    );
    expect((await tasks(db())).map((t) => t.timeZone)).to.deep.equal([
      'Asia/Yekaterinburg',
      'Asia/Yekaterinburg',
    ]);
  });

  it('replaces a zone name PostgreSQL does not know, so no dispatch statement can fail on it', async () => {
    expect(
      await zonesPostgresKnows(db(), ['Asia/Omsk', 'Atlantis/Capital', 'Asia/Omsk'], 'Europe/Moscow'),
    ).to.deep.equal(['Asia/Omsk', 'Europe/Moscow', 'Asia/Omsk']);
  });

  it('stores a candidate whose values carry a NUL character, without it', async () => {
    const c = candidate('100', '79001110001');
    c.application.lastName = 'БЕК\u0000ИШОВ';
    expect((await ingestCandidates(db(), [c], at(9))).created).to.equal(1);
    const { rows } = await db().raw<{ rows: { last_name: string }[] }>(
      `SELECT CLIENT_INFO->'application'->>'lastName' AS last_name FROM TM$CAMPAIGN_TASKS`,
    );
    expect(rows).to.deep.equal([{ last_name: 'БЕКИШОВ' }]);
  });

  it('changes nothing for a redelivered candidate, alone or in a later batch', async () => {
    await ingestCandidates(db(), [candidate('100', '79001110001')], at(9));
    const before = await tasks(db());
    const again = await ingestCandidates(
      db(),
      [candidate('100', '79001110001'), candidate('100', '79001110001')],
      at(10),
    );
    expect(again).to.deep.include({ created: 0, canceled: 0, redelivered: ['100:1'] });
    expect(await tasks(db())).to.deep.equal(before);
  });

  it('cancels the client’s open NEW task in the same campaign and replaces it; no DELETE is needed', async () => {
    await ingestCandidates(
      db(),
      [candidate('100', '79001110001'), candidate('200', '79001110001', { campaignId: 2 })],
      at(9),
    );
    const result = await ingestCandidates(db(), [candidate('101', '79001110001')], at(10));
    expect(result).to.deep.include({ created: 1, canceled: 1, deleteDialTasks: 0 });
    expect((await tasks(db())).map((t) => [t.candidateId, t.state])).to.deep.equal([
      ['100:1', 'CANCELED'],
      ['200:2', 'NEW'],
      ['101:1', 'NEW'],
    ]);
    expect(await outbox(db())).to.deep.equal([]);
  });

  it('cancels an IN_PROGRESS task and puts its DELETE dial task in the outbox, in the same transaction', async () => {
    await ingestCandidates(db(), [candidate('100', '79001110001')], at(9));
    const [claimed] = await claimDueTasks(db(), { now: at(9, 5), limit: 10, campaigns: rules() });
    const taskId = claimed!.dialTask.taskId;
    const result = await ingestCandidates(db(), [candidate('101', '79001110001')], at(10));
    expect(result).to.deep.include({ created: 1, canceled: 1, deleteDialTasks: 1 });
    expect((await tasks(db())).map((t) => [t.candidateId, t.state])).to.deep.equal([
      ['100:1', 'CANCELED'],
      ['101:1', 'NEW'],
    ]);
    expect(await outbox(db())).to.deep.equal([`ADD:${taskId}:1 pending`, `DELETE:${taskId}:1 pending`]);
    // Redelivering the replacing candidate writes no second DELETE.
    await ingestCandidates(db(), [candidate('101', '79001110001')], at(11));
    expect(await outbox(db())).to.have.length(2);
  });

  /** A candidate whose application last changed `minutes` after the fixture's time. */
  const changedLater = (c: ReturnType<typeof candidate>, minutes: number) => ({
    ...c,
    application: { ...c.application, changedAt: c.application.changedAt + minutes * 60_000 },
  });

  it('keeps the open task when an older candidate of the client arrives after it (issue 15, defect 7)', async () => {
    // The analyser decided the client's newer application first: it arrives first.
    await ingestCandidates(db(), [changedLater(candidate('102', '79001110001'), 30)], at(9));
    const [claimed] = await claimDueTasks(db(), { now: at(9, 5), limit: 10, campaigns: rules() });
    const late = await ingestCandidates(db(), [changedLater(candidate('101', '79001110001'), 10)], at(10));
    expect(late).to.deep.include({ created: 0, canceled: 0, deleteDialTasks: 0, outdated: 1 });
    expect((await tasks(db())).map((t) => [t.candidateId, t.state])).to.deep.equal([
      ['102:1', 'IN_PROGRESS'],
      ['101:1', 'CANCELED'],
    ]);
    expect(await outbox(db())).to.deep.equal([`ADD:${claimed!.dialTask.taskId}:1 pending`]);
    // Its redelivery is recognised; a newer one still replaces the open task.
    expect(
      (await ingestCandidates(db(), [changedLater(candidate('101', '79001110001'), 10)], at(11))).redelivered,
    ).to.deep.equal(['101:1']);
    const newer = await ingestCandidates(db(), [changedLater(candidate('103', '79001110001'), 40)], at(12));
    expect(newer).to.deep.include({ created: 1, canceled: 1, deleteDialTasks: 1, outdated: 0 });
    expect(await findInvariantViolations(db())).to.deep.equal([]);
  });

  it('keeps the newest of several candidates of one client in a batch, whatever their order', async () => {
    const result = await ingestCandidates(
      db(),
      [
        changedLater(candidate('1', '79001110001'), 5),
        changedLater(candidate('2', '79001110001'), 20),
        changedLater(candidate('3', '79001110001'), 10),
      ],
      at(9),
    );
    expect(result).to.deep.include({ created: 1, supersededInBatch: 2, outdated: 0 });
    expect((await tasks(db())).map((t) => [t.candidateId, t.state])).to.deep.equal([
      ['1:1', 'CANCELED'],
      ['2:1', 'NEW'],
      ['3:1', 'CANCELED'],
    ]);
  });

  it('keeps the last of several candidates of one client in a batch; earlier ones are stored CANCELED', async () => {
    const result = await ingestCandidates(
      db(),
      [candidate('1', '79001110001'), candidate('2', '79001110001'), candidate('3', '79001110001')],
      at(9),
    );
    expect(result).to.deep.include({ created: 1, supersededInBatch: 2 });
    expect((await tasks(db())).map((t) => [t.candidateId, t.state])).to.deep.equal([
      ['1:1', 'CANCELED'],
      ['2:1', 'CANCELED'],
      ['3:1', 'NEW'],
    ]);
    const again = await ingestCandidates(db(), [candidate('2', '79001110001')], at(10));
    expect(again.redelivered).to.deep.equal(['2:1']);
    expect((await tasks(db())).filter((t) => t.state === 'NEW').map((t) => t.candidateId)).to.deep.equal([
      '3:1',
    ]);
  });

  it('reports candidates of unknown campaigns without storing them, and stores the rest', async () => {
    const result = await ingestCandidates(
      db(),
      [candidate('1', '79001110001', { campaignId: 99 }), candidate('2', '79001110002')],
      at(9),
    );
    expect(result).to.deep.include({ created: 1, unknownCampaign: ['1:99'] });
    expect((await tasks(db())).map((t) => t.candidateId)).to.deep.equal(['2:1']);
  });

  it('stores a batch of 2,000 in one call, cancelling the 500 clients who had a task', async () => {
    const first = Array.from({ length: 500 }, (_, i) =>
      candidate(`a${i}`, `7900${String(i).padStart(7, '0')}`),
    );
    await ingestCandidates(db(), first, at(9));
    const batch = Array.from({ length: 2000 }, (_, i) =>
      candidate(`b${i}`, `7900${String(i).padStart(7, '0')}`),
    );
    const result = await ingestCandidates(db(), batch, at(10));
    expect(result).to.deep.include({ created: 2000, canceled: 500 });
  });

  it('the invariant check finds a client whose tasks in a campaign are all CANCELED (nobody would call them)', async () => {
    await ingestCandidates(db(), [candidate('1', '79001110001'), candidate('2', '79001110001')], at(9));
    await db().raw(`UPDATE TM$CAMPAIGN_TASKS SET TASK_STATE = 'CANCELED'`);
    expect(await findInvariantViolations(db())).to.deep.equal([
      { invariant: 'CANCELED and not replaced by a task of the client in the campaign', taskId: 2 },
    ]);
    await db().raw(`UPDATE TM$CAMPAIGN_TASKS SET TASK_STATE = 'NEW' WHERE ID = 2`);
  });

  describe('two ingests of the same candidate at once (a rebalance zombie and the new owner, ADR 0033)', () => {
    it('stores it NEW exactly once when the other ingest commits it between this one’s check and its cancel', async () => {
      // The client was called before: task W is IN_PROGRESS.
      await ingestCandidates(db(), [candidate('100', '79001110001')], at(9));
      const [claimed] = await claimDueTasks(db(), { now: at(9), limit: 1, campaigns: rules() });
      const w = claimed!.dialTask.taskId;
      const late = pausingBefore(db(), BEFORE_CANCEL);
      const zombie = ingestCandidates(late.db, [candidate('101', '79001110001')], at(10));
      await late.reached; // it found 101:1 not stored yet
      const owner = await ingestCandidates(db(), [candidate('101', '79001110001')], at(10));
      expect(owner).to.deep.include({ created: 1, canceled: 1, deleteDialTasks: 1 });
      late.release();
      expect(await zombie).to.deep.include({
        created: 0,
        canceled: 0,
        deleteDialTasks: 0,
        redelivered: ['101:1'],
      });
      expect((await tasks(db())).map((t) => [t.candidateId, t.state])).to.deep.equal([
        ['100:1', 'CANCELED'],
        ['101:1', 'NEW'],
      ]);
      expect(await outbox(db())).to.deep.equal([`ADD:${w}:1 pending`, `DELETE:${w}:1 pending`]);
    });

    it('does not cancel the later candidate the other ingest stored with it in the same batch', async () => {
      const late = pausingBefore(db(), BEFORE_CANCEL);
      const zombie = ingestCandidates(late.db, [candidate('1', '79001110001')], at(10));
      await late.reached;
      await ingestCandidates(db(), [candidate('1', '79001110001'), candidate('2', '79001110001')], at(10));
      late.release();
      expect(await zombie).to.deep.include({ created: 0, canceled: 0, redelivered: ['1:1'] });
      expect((await tasks(db())).map((t) => [t.candidateId, t.state])).to.deep.equal([
        ['1:1', 'CANCELED'],
        ['2:1', 'NEW'],
      ]);
    });

    it('still lets a later candidate of the paused batch replace the one the other ingest stored', async () => {
      const late = pausingBefore(db(), BEFORE_CANCEL);
      const owner = ingestCandidates(
        late.db,
        [candidate('1', '79001110001'), candidate('2', '79001110001')],
        at(10),
      );
      await late.reached;
      await ingestCandidates(db(), [candidate('1', '79001110001')], at(10));
      late.release();
      expect(await owner).to.deep.include({ created: 1, canceled: 1 });
      expect((await tasks(db())).map((t) => [t.candidateId, t.state])).to.deep.equal([
        ['1:1', 'CANCELED'],
        ['2:1', 'NEW'],
      ]);
    });
  });
});
