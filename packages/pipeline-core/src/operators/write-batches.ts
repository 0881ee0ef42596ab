import {
  asyncScheduler,
  from,
  Observable,
  type ObservableInput,
  type OperatorFunction,
  type SchedulerLike,
  Subscription,
} from 'rxjs';

/** Options of {@link writeBatches}. */
export interface WriteBatchesOptions {
  /** Most items per batch. */
  count: number;
  /** How long the first item of a batch waits for more while no write is running, ms. */
  lingerMs: number;
  /** Scheduler of the linger timer (tests pass a TestScheduler's). */
  scheduler?: SchedulerLike;
}

/**
 * Hands items to `write` in batches, one write at a time — group commit for a writer that takes a batch per
 * transaction. While no write runs, a batch goes out when it holds `count` items or `lingerMs` after its first
 * item; while a write runs, items keep gathering, and the next batch (up to `count`) goes out as soon as the write
 * completes. Under load the batches therefore grow towards `count` instead of queuing up as small ones, which is
 * what `bufferRecords` followed by `concatMap` does (its window closes every `timeMs`, whether the writer is free
 * or not).
 *
 * Emits what the writes emit. Completes after the source completed and the last batch was written; a failing
 * write errors the stream. Memory: the items gathered are bounded by the stage's in-flight bound.
 *
 * ## Example
 * ```ts
 * records.pipe(writeBatches((batch) => store(batch), { count: 1000, lingerMs: 50 }));
 * // a write takes 60 ms and 40 records arrive per ms: after the first batch of 40×50 ms, batches hold 1000
 * ```
 *
 * @param write Writes one batch; its Observable (or Promise) completes when the batch is durable.
 * @param options Batch size and linger.
 */
export function writeBatches<T, R>(
  write: (batch: T[]) => ObservableInput<R>,
  options: WriteBatchesOptions,
): OperatorFunction<T, R> {
  const { count, lingerMs, scheduler = asyncScheduler } = options;
  if (!Number.isInteger(count) || count < 1) throw new RangeError('count must be a positive integer');
  return (source) =>
    new Observable<R>((subscriber) => {
      let gathered: T[] = [];
      let writing: Subscription | undefined;
      let linger: Subscription | undefined;
      let sourceDone = false;

      const flush = () => {
        linger?.unsubscribe();
        linger = undefined;
        const batch = gathered.length <= count ? gathered : gathered.slice(0, count);
        gathered = gathered.length <= count ? [] : gathered.slice(count);
        // Marks the write running before it starts: a write that completes synchronously clears it at once.
        const marker = new Subscription();
        writing = marker;
        marker.add(
          from(write(batch)).subscribe({
            next: (value) => subscriber.next(value),
            error: (err: unknown) => subscriber.error(err),
            complete: () => {
              if (writing === marker) writing = undefined;
              // Whatever gathered meanwhile has waited as long as the write took: out at once.
              if (gathered.length > 0) flush();
              else if (sourceDone) subscriber.complete();
            },
          }),
        );
      };

      const subscription = source.subscribe({
        next: (item) => {
          gathered.push(item);
          if (writing) return;
          if (gathered.length >= count) flush();
          else linger ??= scheduler.schedule(() => flush(), lingerMs);
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => {
          sourceDone = true;
          if (writing) return;
          if (gathered.length > 0) flush();
          else subscriber.complete();
        },
      });

      return () => {
        subscription.unsubscribe();
        writing?.unsubscribe();
        linger?.unsubscribe();
      };
    });
}
