import { filter, type MonoTypeOperatorFunction } from 'rxjs';
import type { Committable } from '../record.js';

/**
 * Keeps the records that pass `predicate` and acks the others, so a dropped record's offset can be committed.
 * Use it instead of RxJS `filter`, which would drop records without settling them and hold their partition's
 * commit point back.
 *
 * ## Example
 * ```ts
 * records.pipe(filterRecords((r) => r.value.amount > 0));
 * ```
 */
export function filterRecords<T>(
  predicate: (value: T, record: Committable<T>) => boolean,
): MonoTypeOperatorFunction<Committable<T>> {
  return filter((record) => {
    if (predicate(record.value, record)) return true;
    record.ack();
    return false;
  });
}
