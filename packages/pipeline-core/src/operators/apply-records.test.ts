import { expect } from 'chai';
import { from, lastValueFrom, toArray } from 'rxjs';
import { DependencyUnavailableError, RetriesExhaustedError } from '../errors.js';
import type { Committable } from '../record.js';
import { outcomeOf, testRecord } from '../testing/test-record.js';
import { type ApplyRecordsOptions, applyRecords } from './apply-records.js';

/** A failure a retry may cure (the store is busy or away). */
class TransientError extends Error {}

const transient = (error: unknown) => error instanceof TransientError;
const RETRY = { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 2, retriable: transient };

interface Event {
  id: string;
  key: string;
}
const event = (id: string, key = 'k1') => testRecord<Event>({ id, key }, { key });

function run(
  records: Committable<Event>[],
  apply: (e: Event) => Promise<string>,
  options: Partial<ApplyRecordsOptions<Event, string>> = {},
) {
  return lastValueFrom(
    from(records).pipe(applyRecords(apply, { concurrency: 4, retry: RETRY, ...options }), toArray()),
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

  it('keeps one key’s records in order while other keys run alongside', async () => {
    const started: string[] = [];
    const records = [event('1', 'k1'), event('2', 'k1'), event('x', 'k2'), event('3', 'k1')];
    await run(records, async (e) => {
      started.push(e.id);
      await new Promise((r) => setTimeout(r, e.id === '1' ? 20 : 1));
      return 'applied';
    });
    expect(started.filter((id) => id !== 'x')).to.deep.equal(['1', '2', '3']);
    expect(started.indexOf('x'), 'k2 does not wait behind k1').to.be.lessThan(started.indexOf('2'));
  });

  it('retries what the policy calls retriable; dead-letters anything else at once, with its attempts', async () => {
    const calls = new Map<string, number>();
    const records = [event('flaky', 'k1'), event('broken', 'k2')];
    const emitted = await run(records, async (e) => {
      const n = (calls.get(e.id) ?? 0) + 1;
      calls.set(e.id, n);
      if (e.id === 'flaky' && n < 3) throw new TransientError('busy');
      if (e.id === 'broken') throw new TypeError('bad value');
      return 'applied';
    });
    for (const r of emitted) r.settlement.deliver(r.value);
    expect(Object.fromEntries(calls)).to.deep.equal({ flaky: 3, broken: 1 });
    const broken = outcomeOf(records[1] as Committable<Event>);
    expect(outcomeOf(records[0] as Committable<Event>).kind).to.equal('acked');
    expect(broken.kind).to.equal('dead-lettered');
    expect(broken.kind === 'dead-lettered' && broken.attempts).to.equal(1);
  });

  it('without a retry policy, tries once and dead-letters a failure', async () => {
    let calls = 0;
    const records = [event('a')];
    await run(
      records,
      async () => {
        calls += 1;
        throw new TransientError('busy');
      },
      { retry: undefined },
    );
    expect(calls).to.equal(1);
    expect(outcomeOf(records[0] as Committable<Event>).kind).to.equal('dead-lettered');
  });

  it('errors the stream with what streamFailureOf says, leaving the record unsettled', async () => {
    const records = [event('a')];
    const failure = await run(
      records,
      async () => {
        throw new TransientError('store away');
      },
      {
        streamFailureOf: (error) =>
          error instanceof RetriesExhaustedError && transient(error.cause)
            ? new DependencyUnavailableError('the store', error)
            : undefined,
      },
    ).catch((e: unknown) => e);
    expect(failure).to.be.instanceOf(DependencyUnavailableError);
    const exhausted = (failure as DependencyUnavailableError).cause;
    expect(exhausted).to.be.instanceOf(RetriesExhaustedError);
    expect((exhausted as RetriesExhaustedError).attempts).to.equal(3);
    expect(outcomeOf(records[0] as Committable<Event>).kind).to.equal('pending');
  });
});
