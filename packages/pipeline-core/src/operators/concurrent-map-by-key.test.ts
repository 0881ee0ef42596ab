import { expect } from 'chai';
import { EMPTY, map, Observable, throwError, timer } from 'rxjs';
import { RetriesExhaustedError } from '../errors.js';
import type { Committable } from '../record.js';
import { outcomeOf, testRecord } from '../testing/test-record.js';
import { testScheduler } from '../testing/test-scheduler.js';
import { concurrentMapByKey } from './concurrent-map-by-key.js';

/** Records named like `a1`: key `a`, value `a1`. */
function records(...names: string[]): Record<string, Committable<string>> {
  return Object.fromEntries(names.map((n) => [n, testRecord(n, { key: n[0] ?? null })]));
}

describe('concurrentMapByKey', () => {
  it('keeps per-key order, runs other keys alongside, and honours the global limit', () => {
    let running = 0;
    let maxRunning = 0;
    testScheduler().run(({ cold, expectObservable }) => {
      const input = records('a1', 'b1', 'a2', 'c1');
      const runningKeys = new Set<string>();
      const work = (r: Committable<string>) => {
        const key = r.key as string;
        expect(runningKeys.has(key), `two records of key ${key} at once`).to.equal(false);
        runningKeys.add(key);
        running += 1;
        maxRunning = Math.max(maxRunning, running);
        return timer(4).pipe(
          map(() => {
            running -= 1;
            runningKeys.delete(key);
            return `${r.value}!`;
          }),
        );
      };
      const source = cold('(abcd|)', { a: input.a1!, b: input.b1!, c: input.a2!, d: input.c1! });
      const result = source.pipe(
        concurrentMapByKey(work, { concurrency: 2 }),
        map((r) => r.value),
      );
      // (xy) fills frames 4-7, so (zw|) sits at frame 8: the second round of 4-frame work.
      expectObservable(result).toBe('----(xy)(zw|)', { x: 'a1!', y: 'b1!', z: 'c1!', w: 'a2!' });
    });
    expect(maxRunning).to.equal(2);
  });

  it('never exceeds the concurrency limit over many keys', () => {
    let running = 0;
    let maxRunning = 0;
    testScheduler().run(({ cold, expectObservable }) => {
      const names = Array.from({ length: 10 }, (_, i) => `${String.fromCharCode(97 + i)}1`);
      const input = records(...names);
      const values: Record<string, Committable<string>> = Object.fromEntries(
        names.map((n) => [n[0], input[n]!]),
      );
      const source = cold(`(${'abcdefghij'}|)`, values);
      const result = source.pipe(
        concurrentMapByKey(
          () => {
            running += 1;
            maxRunning = Math.max(maxRunning, running);
            return timer(5).pipe(
              map(() => {
                running -= 1;
                return 'done';
              }),
            );
          },
          { concurrency: 3 },
        ),
        map(() => 'x'),
      );
      // 10 records, 3 at a time, 5 frames each: rounds end at frames 5, 10, 15 and 20.
      expectObservable(result).toBe('-----(xxx)(xxx)(xxx)(x|)');
    });
    expect(maxRunning).to.equal(3);
  });

  it('dead-letters a record whose work fails, with the attempts of a RetriesExhaustedError, and goes on', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const input = records('a1', 'b1');
      const source = cold('(ab|)', { a: input.a1!, b: input.b1! });
      const result = source.pipe(
        concurrentMapByKey(
          (r) =>
            r.key === 'a'
              ? throwError(() => new RetriesExhaustedError(4, new Error('down')))
              : timer(1).pipe(map(() => 'ok')),
          { concurrency: 4 },
        ),
        map((r) => r.value),
      );
      expectObservable(result).toBe('-(y|)', { y: 'ok' });
    });
  });

  it('records the dead-letter outcome and acks records whose work completes empty', () => {
    const input = records('a1', 'b1', 'c1');
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold('(abc|)', { a: input.a1!, b: input.b1!, c: input.c1! });
      const result = source.pipe(
        concurrentMapByKey(
          (r) => {
            if (r.key === 'a') return throwError(() => new RetriesExhaustedError(3, new Error('down')));
            if (r.key === 'b') return EMPTY;
            return timer(1).pipe(map(() => 'kept'));
          },
          { concurrency: 4 },
        ),
        map((r) => r.value),
      );
      expectObservable(result).toBe('-(k|)', { k: 'kept' });
    });
    const a = outcomeOf(input.a1! as Committable<string>);
    expect(a.kind).to.equal('dead-lettered');
    expect(a.kind === 'dead-lettered' && a.attempts).to.equal(3);
    expect(outcomeOf(input.b1! as Committable<string>).kind).to.equal('acked');
    expect(outcomeOf(input.c1! as Committable<string>).kind).to.equal('pending');
  });

  it("errors the stream instead when onError is 'error'", () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const input = records('a1');
      const source = cold('a|', { a: input.a1! });
      const result = source.pipe(
        concurrentMapByKey(() => throwError(() => 'boom'), { concurrency: 1, onError: 'error' }),
      );
      expectObservable(result).toBe('#', undefined, 'boom');
    });
  });

  it('waits for work in flight before completing, and lets null keys run side by side', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const x = testRecord('x', { key: null });
      const y = testRecord('y', { key: null });
      const source = cold('(xy|)', { x, y });
      const result = source.pipe(
        concurrentMapByKey((r) => timer(5).pipe(map(() => r.value)), { concurrency: 2 }),
        map((r) => r.value),
      );
      expectObservable(result).toBe('-----(xy|)', { x: 'x', y: 'y' });
    });
  });

  it('unsubscribes from work in flight when unsubscribed', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const input = records('a1');
      const work = cold('-----x');
      const source = cold('a', { a: input.a1! });
      expectObservable(source.pipe(concurrentMapByKey(() => work, { concurrency: 1 })), '--!').toBe('');
      expectSubscriptions(work.subscriptions).toBe('^-!');
    });
  });

  it('refuses a concurrency below 1', () => {
    expect(() => concurrentMapByKey(() => new Observable<never>(), { concurrency: 0 })).to.throw(RangeError);
  });
});
