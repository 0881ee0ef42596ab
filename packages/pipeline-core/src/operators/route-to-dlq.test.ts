import { expect } from 'chai';
import { map } from 'rxjs';
import { outcomeOf, testRecord } from '../testing/test-record.js';
import { testScheduler } from '../testing/test-scheduler.js';
import { routeToDlq } from './route-to-dlq.js';

describe('routeToDlq', () => {
  it('dead-letters records that fail the check, including a check that throws, and passes the rest', () => {
    const good = testRecord('79001234567');
    const short = testRecord('7900');
    const weird = testRecord('throw');
    testScheduler().run(({ cold, expectObservable }) => {
      const result = cold('abc|', { a: good, b: short, c: weird }).pipe(
        routeToDlq((phone) => {
          if (phone === 'throw') throw new Error('checker broke');
          return phone.length === 11 ? undefined : 'phone must have 11 digits';
        }),
        map((r) => r.value),
      );
      expectObservable(result).toBe('a--|', { a: '79001234567' });
    });
    const shortOutcome = outcomeOf(short);
    expect(shortOutcome.kind).to.equal('dead-lettered');
    expect(shortOutcome.kind === 'dead-lettered' && (shortOutcome.error as Error).message).to.equal(
      'phone must have 11 digits',
    );
    const weirdOutcome = outcomeOf(weird);
    expect(weirdOutcome.kind === 'dead-lettered' && (weirdOutcome.error as Error).message).to.equal(
      'checker broke',
    );
    expect(outcomeOf(good).kind).to.equal('pending');
  });
});
