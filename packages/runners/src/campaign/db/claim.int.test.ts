import { expect } from 'chai';
import { claimDueTasks } from './claim.js';
import { ingestCandidates } from './ingest.js';
import { at, candidate, outbox, rules, tasks, useCampaignDb } from './test-support.js';

const phone = (i: number) => `7900${String(i).padStart(7, '0')}`;

describe('claimDueTasks (PostgreSQL)', () => {
  const { db } = useCampaignDb({ poolMax: 4 });

  it('claims due NEW tasks, marks them IN_PROGRESS with attempt 1 and writes their ADD dial tasks', async () => {
    await ingestCandidates(
      db(),
      [candidate('1', phone(1)), candidate('2', phone(2), { campaignId: 2 })],
      at(9),
    );
    const claimed = await claimDueTasks(db(), { now: at(9), limit: 10, campaigns: rules() });
    expect(claimed.map((c) => c.dialTask)).to.deep.equal([
      {
        dialTaskId: 'ADD:1:1',
        action: 'ADD',
        taskId: 1,
        campaignId: 1,
        phone: phone(1),
        attempt: 1,
        clientTimeZone: 'Europe/Moscow',
        createdAt: claimed[0]!.dialTask.createdAt,
      },
      {
        dialTaskId: 'ADD:2:1',
        action: 'ADD',
        taskId: 2,
        campaignId: 2,
        phone: phone(2),
        attempt: 1,
        clientTimeZone: 'Europe/Moscow',
        createdAt: claimed[1]!.dialTask.createdAt,
      },
    ]);
    expect((await tasks(db())).map((t) => [t.state, t.attempt])).to.deep.equal([
      ['IN_PROGRESS', 1],
      ['IN_PROGRESS', 1],
    ]);
    expect(await outbox(db())).to.deep.equal(['ADD:1:1 pending', 'ADD:2:1 pending']);
    expect(await claimDueTasks(db(), { now: at(9), limit: 10, campaigns: rules() })).to.deep.equal([]);
  });

  it('leaves tasks that are not yet due, and tasks of campaigns it was not given', async () => {
    await ingestCandidates(db(), [candidate('1', phone(1))], at(10));
    await ingestCandidates(db(), [candidate('2', phone(2), { campaignId: 2 })], at(8));
    expect(
      await claimDueTasks(db(), { now: at(9, 59), limit: 10, campaigns: rules().slice(0, 1) }),
    ).to.deep.equal([]);
    const claimed = await claimDueTasks(db(), { now: at(10), limit: 10, campaigns: rules().slice(0, 1) });
    expect(claimed.map((c) => c.dialTask.taskId)).to.deep.equal([1]);
    expect((await tasks(db())).map((t) => t.state)).to.deep.equal(['IN_PROGRESS', 'NEW']);
  });

  it('claims oldest first, at most `limit` per call', async () => {
    await ingestCandidates(db(), [candidate('late', phone(1))], at(9));
    await ingestCandidates(db(), [candidate('early', phone(2))], at(8));
    await ingestCandidates(db(), [candidate('mid', phone(3))], at(8, 30));
    const first = await claimDueTasks(db(), { now: at(9), limit: 2, campaigns: rules() });
    expect(first.map((c) => c.dialTask.taskId)).to.deep.equal([2, 3]);
    const second = await claimDueTasks(db(), { now: at(9), limit: 2, campaigns: rules() });
    expect(second.map((c) => c.dialTask.taskId)).to.deep.equal([1]);
  });

  it('dispatches only inside the calling hours of the client’s own time zone', async () => {
    await ingestCandidates(
      db(),
      [
        candidate('msk', phone(1), { timeZone: 'Europe/Moscow' }), // UTC+3
        candidate('vvo', phone(2), { timeZone: 'Asia/Vladivostok' }), // UTC+10
      ],
      at(0),
    );
    const campaigns = rules({ callingHours: { from: '09:00', to: '21:00' } });
    // 04:00 UTC: 07:00 in Moscow (too early), 14:00 in Vladivostok.
    const early = await claimDueTasks(db(), { now: at(4), limit: 10, campaigns });
    expect(early.map((c) => [c.dialTask.taskId, c.dialTask.clientTimeZone])).to.deep.equal([
      [2, 'Asia/Vladivostok'],
    ]);
    // 05:59 UTC: 08:59 in Moscow, still outside; 06:00 UTC: 09:00, the window opens.
    expect(await claimDueTasks(db(), { now: at(5, 59), limit: 10, campaigns })).to.deep.equal([]);
    const opened = await claimDueTasks(db(), { now: at(6), limit: 10, campaigns });
    expect(opened.map((c) => c.dialTask.taskId)).to.deep.equal([1]);
  });

  it('closes the window at its end, and handles a window across midnight', async () => {
    await ingestCandidates(
      db(),
      [
        candidate('msk', phone(1), { timeZone: 'Europe/Moscow' }),
        candidate('klg', phone(2), { timeZone: 'Europe/Kaliningrad' }), // UTC+2
      ],
      at(0),
    );
    // 18:00 UTC: 21:00 in Moscow (closed: the end is exclusive), 20:00 in Kaliningrad.
    const evening = await claimDueTasks(db(), {
      now: at(18),
      limit: 10,
      campaigns: rules({ callingHours: { from: '09:00', to: '21:00' } }),
    });
    expect(evening.map((c) => c.dialTask.taskId)).to.deep.equal([2]);
    // 22:00–02:00 local: 20:30 UTC is 23:30 in Moscow.
    const night = await claimDueTasks(db(), {
      now: at(20, 30),
      limit: 10,
      campaigns: rules({ callingHours: { from: '22:00', to: '02:00' } }),
    });
    expect(night.map((c) => c.dialTask.taskId)).to.deep.equal([1]);
  });

  it('takes 24:00 as the end of the day: 00:00–24:00 dispatches at 23:59:30 local time too', async () => {
    await ingestCandidates(db(), [candidate('msk', phone(1), { timeZone: 'Europe/Moscow' })], at(0));
    // 20:59:30 UTC is 23:59:30 in Moscow: outside 00:00–23:59 (the end is exclusive), inside 00:00–24:00.
    const lateMinute = new Date(at(20, 59).getTime() + 30_000);
    const almost = rules({ callingHours: { from: '00:00', to: '23:59' } });
    expect(await claimDueTasks(db(), { now: lateMinute, limit: 10, campaigns: almost })).to.deep.equal([]);
    const allDay = rules({ callingHours: { from: '00:00', to: '24:00' } });
    const claimed = await claimDueTasks(db(), { now: lateMinute, limit: 10, campaigns: allDay });
    expect(claimed.map((c) => c.dialTask.taskId)).to.deep.equal([1]);
  });

  it('two concurrent claimers over 2,000 tasks claim each task exactly once', async function () {
    this.timeout(120_000);
    const batch = Array.from({ length: 2000 }, (_, i) => candidate(`c${i}`, phone(i)));
    await ingestCandidates(db(), batch, at(8));
    const claimer = async (): Promise<number[]> => {
      const mine: number[] = [];
      for (;;) {
        const claimed = await claimDueTasks(db(), { now: at(9), limit: 50, campaigns: rules() });
        if (claimed.length === 0) return mine;
        mine.push(...claimed.map((c) => c.dialTask.taskId));
      }
    };
    const [a, b] = await Promise.all([claimer(), claimer()]);
    expect(a.length, 'first claimer got work').to.be.greaterThan(0);
    expect(b.length, 'second claimer got work').to.be.greaterThan(0);
    expect(a.length + b.length).to.equal(2000);
    expect(new Set([...a, ...b]).size).to.equal(2000);
    expect((await tasks(db())).every((t) => t.state === 'IN_PROGRESS' && t.attempt === 1)).to.equal(true);
    expect(await outbox(db())).to.have.length(2000);
  });
});
