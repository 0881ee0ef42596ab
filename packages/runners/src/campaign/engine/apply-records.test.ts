import { type Committable, DependencyUnavailableError, RetriesExhaustedError } from '@tm/pipeline-core';
import { outcomeOf, testRecord } from '@tm/pipeline-core/testing';
import { expect } from 'chai';
import { from, lastValueFrom, toArray } from 'rxjs';
import { CampaignDbError } from '../db/errors.js';
import { type ApplyRecordsOptions, applyRecords } from './apply-records.js';

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
  options: Partial<ApplyRecordsOptions<Event, string>> = {},
) {
  return lastValueFrom(
    from(records).pipe(applyRecords(apply, { concurrency: 4, retry: FAST_RETRY, ...options }), toArray()),
  );
}

describe('applyRecords', () => {
  it('settles each applied record with no output, and dead-letters the ones the outcome rejects', async () => {
    const seen: string[] = [];
    const records = [event('a'), event('b'), event('c')];
    const emitted = await run(records, async (e) => (e.id === 'b' ? 'unknown' : 'applied'), {
      rejectionOf: (outcome, e) =>
        outcome === 'unknown' ? new Error(`${e.id} refers to nothing`) : undefined,
      onOutcome: (outcome, e) => seen.push(`${e.id}:${outcome}`),
    });
    expect(emitted.map((r) => r.value)).to.deep.equal([[], []]);
    for (const r of emitted) r.settlement.deliver(r.value); // what the stage's sink does
    expect(records.map((r) => outcomeOf(r).kind)).to.deep.equal(['acked', 'dead-lettered', 'acked']);
    expect(seen).to.deep.equal(['a:applied', 'b:unknown', 'c:applied']);
  });

  it('keeps one operator’s events in order while other operators run alongside', async () => {
    const started: string[] = [];
    const records = [event('1', 'op1'), event('2', 'op1'), event('x', 'op2'), event('3', 'op1')];
    await run(records, async (e) => {
      started.push(e.id);
      await new Promise((r) => setTimeout(r, e.id === '1' ? 20 : 1));
      return 'applied';
    });
    expect(started.filter((id) => id !== 'x')).to.deep.equal(['1', '2', '3']);
    expect(started.indexOf('x'), 'op2 does not wait behind op1').to.be.lessThan(started.indexOf('2'));
  });

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
