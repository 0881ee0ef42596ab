import { expect } from 'chai';
import { map } from 'rxjs';
import { outcomeOf, testRecord } from '../testing/test-record.js';
import { testScheduler } from '../testing/test-scheduler.js';
import { filterRecords } from './filter-records.js';

describe('filterRecords', () => {
  it('passes matching records and acks the dropped ones', () => {
    const one = testRecord(1);
    const two = testRecord(2);
    const three = testRecord(3);
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold('a-b-c|', { a: one, b: two, c: three });
      const result = source.pipe(
        filterRecords((n) => n % 2 === 1),
        map((r) => r.value),
      );
      expectObservable(result).toBe('a---c|', { a: 1, c: 3 });
    });
    expect(outcomeOf(two).kind).to.equal('acked');
    expect(outcomeOf(one).kind).to.equal('pending');
  });
});
