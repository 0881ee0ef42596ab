import { bufferTime, filter, type OperatorFunction, pipe } from 'rxjs';
import type { Committable } from '../record.js';

export interface BufferRecordsOptions {
  /** Emit a batch once it holds this many records. */
  count: number;
  /** Emit whatever has gathered after this long, ms, even if fewer than `count`. */
  timeMs: number;
}

/**
 * Gathers records into batches by count and time, for sinks that write in bulk (a database insert of 500 rows
 * instead of 500 inserts). Empty intervals emit nothing. The records keep their offset handles: settle each one
 * after the bulk write succeeded.
 *
 * ## Example
 * ```ts
 * records.pipe(
 *   bufferRecords({ count: 500, timeMs: 50 }),
 *   concatMap(async (batch) => { await insertAll(batch.map((r) => r.value)); batch.forEach((r) => r.ack()); }),
 * );
 * ```
 */
export function bufferRecords<T>(
  options: BufferRecordsOptions,
): OperatorFunction<Committable<T>, Committable<T>[]> {
  if (!Number.isInteger(options.count) || options.count < 1)
    throw new RangeError('count must be a positive integer');
  return pipe(
    bufferTime<Committable<T>>(options.timeMs, null, options.count),
    filter((batch) => batch.length > 0),
  );
}
