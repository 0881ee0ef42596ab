import { map } from 'rxjs';
import { testRecord } from '../testing/test-record.js';
import { testScheduler } from '../testing/test-scheduler.js';
import { bufferRecords } from './buffer-records.js';

describe('bufferRecords', () => {
  it('emits a batch when it is full or when the time is up, never an empty one', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const r = (n: number) => testRecord(n);
      const source = hot('-abc-------d------------|', { a: r(1), b: r(2), c: r(3), d: r(4) });
      const result = source.pipe(
        bufferRecords({ count: 3, timeMs: 5 }),
        map((batch) => batch.map((x) => x.value)),
      );
      // full at frame 3 (a new window starts there); the window 8-13 holds d; the empty windows emit nothing
      expectObservable(result).toBe('---x---------y----------|', { x: [1, 2, 3], y: [4] });
    });
  });
});
