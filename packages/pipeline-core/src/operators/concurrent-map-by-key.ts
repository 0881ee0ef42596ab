import { from, Observable, type ObservableInput, type OperatorFunction, type Subscription } from 'rxjs';
import { attemptsOf } from '../errors.js';
import type { Committable } from '../record.js';

export interface ConcurrentMapByKeyOptions<T> {
  /** The most records processed at once, across all keys. */
  concurrency: number;
  /**
   * The key that orders records; at most one record per key is in flight, and a key's records are processed in
   * arrival order. Defaults to the record key. Records whose key is null are ordered by nothing.
   */
  keyOf?: (record: Committable<T>) => string | null;
  /**
   * What a failed record does: `'dead-letter'` (the default) sends it to the stage's dead-letter topic and the
   * stream goes on; `'error'` errors the stream.
   */
  onError?: 'dead-letter' | 'error';
}

/**
 * Runs async work on each record with a global concurrency limit while keeping per-key order, like the Confluent
 * Parallel Consumer's KEY ordering: a slow key does not hold up the others, and no two records of one key run at
 * once.
 *
 * `project` returns a Promise or Observable; the record's result is its first value, and the record moves on
 * carrying it. A project that completes without a value drops the record (it is acked). A project that fails
 * dead-letters the record (with the attempt count of a {@link RetriesExhaustedError}) unless `onError` is
 * `'error'`. Wrap the work with {@link retryBackoff} to retry transient failures first.
 *
 * Records wait in per-key queues inside the operator; the stage's in-flight bound keeps those queues small.
 *
 * ## Example
 * ```ts
 * records.pipe(
 *   concurrentMapByKey((r) => from(lookup(r.value.customerId)).pipe(retryBackoff({ maxAttempts: 5 })), {
 *     concurrency: 32,
 *   }),
 * );
 * ```
 *
 * @param project The async work for one record.
 * @param options The concurrency limit, the ordering key and the error behaviour.
 * @return Records carrying their results, in completion order (per-key order preserved).
 */
export function concurrentMapByKey<T, R>(
  project: (record: Committable<T>) => ObservableInput<R>,
  options: ConcurrentMapByKeyOptions<T>,
): OperatorFunction<Committable<T>, Committable<R>> {
  const { concurrency, keyOf = (r: Committable<T>) => r.key, onError = 'dead-letter' } = options;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  }

  return (source) =>
    new Observable<Committable<R>>((subscriber) => {
      /** Records waiting behind an active record of their key, or for a free slot. */
      const waiting = new Map<string, Committable<T>[]>();
      /** Keys not in flight that have waiting records, in the order they became ready (fairness). */
      const ready: string[] = [];
      let readyHead = 0;
      const active = new Set<string>();
      const inner = new Set<Subscription>();
      let anonymous = 0;
      let sourceDone = false;

      const finishIfDone = () => {
        if (sourceDone && active.size === 0 && waiting.size === 0) subscriber.complete();
      };

      let pumping = false;
      // Not re-entrant: a project that settles synchronously must not recurse through pump → start → release.
      const pump = () => {
        if (pumping) return;
        pumping = true;
        try {
          drainReady();
        } finally {
          pumping = false;
        }
      };

      const drainReady = () => {
        while (active.size < concurrency && readyHead < ready.length) {
          const key = ready[readyHead] as string;
          readyHead += 1;
          const queue = waiting.get(key) as Committable<T>[];
          const record = queue.shift() as Committable<T>;
          if (queue.length === 0) waiting.delete(key);
          start(key, record);
        }
        if (readyHead > 1024 && readyHead * 2 > ready.length) {
          ready.splice(0, readyHead);
          readyHead = 0;
        }
      };

      const release = (key: string) => {
        active.delete(key);
        if (waiting.has(key)) ready.push(key);
        pump();
        finishIfDone();
      };

      const start = (key: string, record: Committable<T>) => {
        active.add(key);
        let settled = false;
        let subscription: Subscription | undefined;
        const settle = (outcome: () => void) => {
          if (settled) return;
          settled = true;
          if (subscription) {
            inner.delete(subscription);
            subscription.unsubscribe();
          }
          outcome();
          if (!subscriber.closed) release(key);
        };
        let input: Observable<R>;
        try {
          input = from(project(record));
        } catch (err) {
          settle(() => fail(record, err));
          return;
        }
        subscription = input.subscribe({
          next: (value) => settle(() => subscriber.next(record.withValue(value))),
          error: (err: unknown) => settle(() => fail(record, err)),
          complete: () => settle(() => record.ack()),
        });
        if (settled) subscription.unsubscribe();
        else inner.add(subscription);
      };

      const fail = (record: Committable<T>, err: unknown) => {
        if (onError === 'error') subscriber.error(err);
        else record.deadLetter(err, attemptsOf(err));
      };

      const outer = source.subscribe({
        next: (record) => {
          const key = keyOf(record) ?? `\u0000anonymous:${anonymous++}`;
          const queue = waiting.get(key);
          if (queue) {
            queue.push(record);
          } else if (active.has(key)) {
            waiting.set(key, [record]);
          } else if (active.size < concurrency) {
            start(key, record);
          } else {
            waiting.set(key, [record]);
            ready.push(key);
          }
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => {
          sourceDone = true;
          finishIfDone();
        },
      });

      return () => {
        outer.unsubscribe();
        for (const s of inner) s.unsubscribe();
        inner.clear();
      };
    });
}
