import { filter, type MonoTypeOperatorFunction } from 'rxjs';
import type { Committable } from '../record.js';

/**
 * Sends records that fail a check to the stage's dead-letter topic and lets the others through. `check` returns
 * why a record is bad (an Error or a message), or nothing when it is good; a check that throws counts as bad.
 *
 * ## Example
 * ```ts
 * records.pipe(routeToDlq((r) => (r.value.phone.length === 11 ? undefined : 'phone must have 11 digits')));
 * ```
 */
export function routeToDlq<T>(
  check: (value: T, record: Committable<T>) => Error | string | undefined | null,
): MonoTypeOperatorFunction<Committable<T>> {
  return filter((record) => {
    let problem: Error | string | undefined | null;
    try {
      problem = check(record.value, record);
    } catch (err) {
      problem = err instanceof Error ? err : String(err);
    }
    if (problem === undefined || problem === null) return true;
    record.deadLetter(typeof problem === 'string' ? new Error(problem) : problem, 1);
    return false;
  });
}
