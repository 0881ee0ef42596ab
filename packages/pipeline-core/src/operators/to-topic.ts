import { map, type OperatorFunction } from 'rxjs';
import type { Committable, Emission, Headers, OutboundRecord } from '../record.js';
import type { Serde } from '../serdes/serde.js';

export interface ToTopicOptions<T> {
  /** The output key; by default the input record's key (per-key order carries through). */
  key?: (record: Committable<T>) => string | null;
  /** Headers of the output record; none by default. */
  headers?: (record: Committable<T>) => Headers;
}

/**
 * Turns each record into one output record on `topic`, encoding its value with `serde`: the last step before a
 * stage's sink. For several outputs per record, or several topics, use {@link toOutputs}.
 *
 * ## Example
 * ```ts
 * records.pipe(mapValue(enrich), toTopic('orders-enriched', jsonSerde<EnrichedOrder>()));
 * ```
 */
export function toTopic<T>(
  topic: string,
  serde: Serde<T>,
  options: ToTopicOptions<T> = {},
): OperatorFunction<Committable<T>, Emission> {
  return map((record) => {
    const out: OutboundRecord = {
      topic,
      key: options.key ? options.key(record) : record.key,
      value: serde.encode(record.value),
      ...(options.headers ? { headers: options.headers(record) } : {}),
    };
    return record.withValue([out] as readonly OutboundRecord[]);
  });
}

/**
 * Turns each record into the list of output records it leads to (any number, any topics). An empty list settles
 * the record with no output.
 */
export function toOutputs<T>(
  outputs: (value: T, record: Committable<T>) => readonly OutboundRecord[],
): OperatorFunction<Committable<T>, Emission> {
  return map((record) => record.withValue(outputs(record.value, record)));
}
