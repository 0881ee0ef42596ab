import { expect } from 'chai';
import { EMPTY, from, lastValueFrom, map, of, timer, toArray } from 'rxjs';
import { testScheduler } from '../testing/test-scheduler.js';
import { writeBatches } from './write-batches.js';

describe('writeBatches', () => {
  it('while idle: out at count, or lingerMs after the first item', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const source = hot('-abc----d----------|');
      const written = source.pipe(writeBatches((batch) => of(batch.join('')), { count: 3, lingerMs: 5 }));
      // abc is full at frame 3; d waits 5 frames (8 → 13); the source's end has nothing left to write
      expectObservable(written).toBe('---x---------y-----|', { x: 'abc', y: 'd' });
    });
  });

  it('while a write runs: gathers, then writes what gathered as soon as it completes (up to count)', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const source = hot('-a-bcdefg-----------|');
      const written = source.pipe(
        writeBatches((batch) => timer(6).pipe(map(() => batch.join(''))), { count: 4, lingerMs: 1 }),
      );
      // a lingers 1 frame and is written 2→8; b..g gather meanwhile; bcde at 8 → 14, fg at 14 → 20
      expectObservable(written).toBe('--------x-----y-----(z|)', { x: 'a', y: 'bcde', z: 'fg' });
    });
  });

  it('writes what is left when the source completes, then completes after the last write', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const source = hot('-ab|');
      const written = source.pipe(
        writeBatches((batch) => timer(2).pipe(map(() => batch.join(''))), { count: 5, lingerMs: 50 }),
      );
      expectObservable(written).toBe('-----(x|)', { x: 'ab' });
    });
  });

  it('errors when a write fails, and does not write again', () => {
    testScheduler().run(({ hot, expectObservable, cold }) => {
      const source = hot('-abc--d--|');
      const written = source.pipe(
        writeBatches(
          (batch) =>
            batch.includes('c') ? cold<string>('-#', {}, new Error('refused')) : of(batch.join('')),
          {
            count: 3,
            lingerMs: 10,
          },
        ),
      );
      expectObservable(written).toBe('----#', {}, new Error('refused'));
    });
  });

  it('handles writes that complete synchronously', async () => {
    const batches = await lastValueFrom(
      from([1, 2, 3, 4, 5, 6, 7]).pipe(
        writeBatches((batch) => of(batch), { count: 3, lingerMs: 1 }),
        toArray(),
      ),
    );
    expect(batches).to.deep.equal([[1, 2, 3], [4, 5, 6], [7]]);
    const none = await lastValueFrom(
      from([1, 2]).pipe(
        writeBatches(() => EMPTY, { count: 1, lingerMs: 1 }),
        toArray(),
      ),
    );
    expect(none).to.deep.equal([]);
  });

  it('refuses a count below 1', () => {
    expect(() => writeBatches((b) => of(b), { count: 0, lingerMs: 1 })).to.throw(RangeError);
  });
});
