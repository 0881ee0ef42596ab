import { expect } from 'chai';
import { defer, EMPTY } from 'rxjs';
import { RetriesExhaustedError } from '../errors.js';
import { testScheduler } from '../testing/test-scheduler.js';
import { retryBackoff } from './retry-backoff.js';

describe('retryBackoff', () => {
  it('resubscribes after exponentially growing delays, then fails with the number of attempts', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('#', undefined, new Error('down'));
      const result = source.pipe(
        retryBackoff({ maxAttempts: 3, initialDelayMs: 10, multiplier: 2, jitter: 'none' }),
      );
      // tries at 0, 10 (after 10 ms) and 30 (after 20 ms more)
      expectObservable(result).toBe('30ms #', undefined, new RetriesExhaustedError(3, new Error('down')));
      expectSubscriptions(source.subscriptions).toBe(['(^!)', '10ms (^!)', '30ms (^!)']);
    });
  });

  it('passes values through and stops retrying once the source succeeds', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const behaviours = [cold('-#'), cold('-#'), cold('-(v|)')];
      let calls = 0;
      const result = defer(() => behaviours[calls++] ?? EMPTY).pipe(
        retryBackoff({ maxAttempts: 5, initialDelayMs: 5, multiplier: 1, jitter: 'none' }),
      );
      // fails at 1, retried at 6, fails at 7, retried at 12, succeeds at 13
      expectObservable(result).toBe('-------------(v|)');
    });
  });

  it('does not retry an error the policy calls permanent', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('--#', undefined, new TypeError('bad input'));
      const result = source.pipe(
        retryBackoff({ maxAttempts: 5, retriable: (e) => !(e instanceof TypeError) }),
      );
      expectObservable(result).toBe(
        '--#',
        undefined,
        new RetriesExhaustedError(1, new TypeError('bad input')),
      );
      expectSubscriptions(source.subscriptions).toBe('^-!');
    });
  });

  it('refuses fewer than one attempt', () => {
    expect(() => retryBackoff({ maxAttempts: 0 })).to.throw(RangeError);
  });
});
