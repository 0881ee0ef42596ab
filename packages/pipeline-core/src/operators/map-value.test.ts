import { map } from 'rxjs';
import { testRecord } from '../testing/test-record.js';
import { testScheduler } from '../testing/test-scheduler.js';
import { mapValue } from './map-value.js';

describe('mapValue', () => {
  it('maps the value and keeps key, origin and offset handle', () => {
    const record = testRecord(20, { key: 'k', partition: 2, offset: 7 });
    testScheduler().run(({ cold, expectObservable }) => {
      const result = cold('a|', { a: record }).pipe(
        mapValue((n: number) => n * 2),
        map((r) => ({
          value: r.value,
          key: r.key,
          offset: r.origin.offset,
          same: r.settlement === record.settlement,
        })),
      );
      expectObservable(result).toBe('a|', { a: { value: 40, key: 'k', offset: 7, same: true } });
    });
  });
});
