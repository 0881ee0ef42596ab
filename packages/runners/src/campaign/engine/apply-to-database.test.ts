import { type Committable, DependencyUnavailableError, RetriesExhaustedError } from '@tm/pipeline-core';
import { outcomeOf, testRecord } from '@tm/pipeline-core/testing';
import { expect } from 'chai';
import { from, lastValueFrom, toArray } from 'rxjs';
import { CampaignDbError } from '../db/errors.js';
import { type ApplyToDatabaseOptions, applyToDatabase } from './apply-to-database.js';

const FAST_RETRY = { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 2 };

interface Event {
  id: string;
  operator: string;
}
const event = (id: string, operator = 'op1') => testRecord<Event>({ id, operator }, { key: operator });
const dbError = (code: string) =>
  new CampaignDbError('applyCallEvent', { eventId: 'e' }, Object.assign(new Error(code), { code }));

function run(
  records: Committable<Event>[],
  apply: (e: Event) => Promise<string>,
  options: Partial<ApplyToDatabaseOptions<Event, string>> = {},
) {
  return lastValueFrom(
    from(records).pipe(applyToDatabase(apply, { concurrency: 4, retry: FAST_RETRY, ...options }), toArray()),
  );
}

describe('applyToDatabase', () => {
  // Settling, rejections and per-key order are applyRecords' own: see its tests in pipeline-core.
  it('retries a retriable database failure; dead-letters a non-retriable one at once', async () => {
    const calls = new Map<string, number>();
    const records = [event('flaky', 'op1'), event('broken', 'op2')];
    const emitted = await run(records, async (e) => {
      const n = (calls.get(e.id) ?? 0) + 1;
      calls.set(e.id, n);
      if (e.id === 'flaky' && n < 3) throw dbError('40001');
      if (e.id === 'broken') throw dbError('22P02');
      return 'applied';
    });
    for (const r of emitted) r.settlement.deliver(r.value);
    expect(Object.fromEntries(calls)).to.deep.equal({ flaky: 3, broken: 1 });
    const broken = outcomeOf(records[1] as Committable<Event>);
    expect(outcomeOf(records[0] as Committable<Event>).kind).to.equal('acked');
    expect(broken.kind).to.equal('dead-lettered');
    expect(broken.kind === 'dead-lettered' && broken.attempts).to.equal(1);
  });

  it('errors the stream when the database stays unavailable through every retry', async () => {
    const records = [event('a')];
    const failure = await run(records, async () => {
      throw dbError('57P01');
    }).catch((e: unknown) => e);
    expect(failure).to.be.instanceOf(DependencyUnavailableError);
    const exhausted = (failure as DependencyUnavailableError).cause;
    expect(exhausted).to.be.instanceOf(RetriesExhaustedError);
    expect((exhausted as RetriesExhaustedError).cause).to.be.instanceOf(CampaignDbError);
    expect(outcomeOf(records[0] as Committable<Event>).kind).to.equal('pending');
  });
});
