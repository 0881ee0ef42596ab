import { map, type OperatorFunction } from 'rxjs';
import type { Committable } from '../record.js';

/**
 * Maps each record's value synchronously, keeping its key, headers, origin and offset handle.
 *
 * ## Example
 * ```ts
 * records.pipe(mapValue((order) => ({ ...order, total: order.price * order.quantity })));
 * ```
 */
export function mapValue<T, R>(
  project: (value: T, record: Committable<T>) => R,
): OperatorFunction<Committable<T>, Committable<R>> {
  return map((record) => record.withValue(project(record.value, record)));
}
