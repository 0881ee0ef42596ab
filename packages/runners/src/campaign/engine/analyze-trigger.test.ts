import { expect } from 'chai';
import type { Knex } from 'knex';
import { AnalyzeTrigger } from './analyze-trigger.js';

/** A knex stand-in that records the statements it is given. */
function recordingDb(): { db: Knex; statements: string[] } {
  const statements: string[] = [];
  const db = { raw: async (sql: string) => statements.push(sql) } as unknown as Knex;
  return { db, statements };
}

describe('AnalyzeTrigger', () => {
  it('analyzes after the threshold, then each time the tasks created since at least doubled the count', async () => {
    const { db, statements } = recordingDb();
    const analyzedAt: number[] = [];
    const trigger = new AnalyzeTrigger(
      db,
      10_000,
      (e) => expect.fail(String(e)),
      (rows) => analyzedAt.push(rows),
    );
    for (let i = 0; i < 100; i += 1) {
      trigger.created(1000);
      await trigger.idle();
    }
    expect(analyzedAt).to.deep.equal([10_000, 20_000, 40_000, 80_000]);
    expect(statements).to.deep.equal(Array(4).fill('ANALYZE TM$CAMPAIGN_TASKS'));
  });

  it('runs one ANALYZE at a time and reports a failure without throwing', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let calls = 0;
    const db = {
      raw: async () => {
        calls += 1;
        await held;
        throw new Error('canceling statement due to user request');
      },
    } as unknown as Knex;
    const errors: unknown[] = [];
    const trigger = new AnalyzeTrigger(db, 10, (e) => errors.push(e));
    trigger.created(10);
    trigger.created(100);
    expect(calls).to.equal(1);
    release();
    await trigger.idle();
    expect(errors).to.have.length(1);
    expect((errors[0] as Error).message).to.contain('analyzeCampaignTasks failed');
  });
});
