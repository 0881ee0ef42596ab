import { type ConfluentAvroOptions, confluentAvroSerde } from './avro-confluent.js';
import { type AvroSerde, avroFramingOf } from './avro-framing.js';
import type { AvroSchemaStore } from './avro-schema-store.js';
import { avroSingleObjectSerde } from './avro-single-object.js';

export interface AvroSerdeOptions {
  /** The schemas known locally: the current ones and their history (single-object records are looked up here). */
  store: AvroSchemaStore;
  /** The full name of the schema to write with and read into, e.g. `tm.Application`. */
  schema: string;
  /**
   * A Schema Registry to write Confluent's wire format with (the schema registered under `subjects`) and to look
   * Confluent records' schema ids up in. Without one, records are written in single-object encoding.
   */
  registry?: Omit<ConfluentAvroOptions, 'schema' | 'definition'>;
}

/**
 * Avro that writes one framing and reads both: Confluent's wire format with a Schema Registry, single-object
 * encoding without one (ADR 0122). The first byte tells a record's framing (`00` Confluent, `C3 01` single-object),
 * so a reader keeps reading records written before the registry was configured, or by a writer that has none.
 * A Confluent record met without a registry cannot be read: its schema id means nothing locally, and the decode
 * says so.
 *
 * ## Example
 * ```ts
 * const store = AvroSchemaStore.fromDirectory('schemas');
 * const serde = avroSerde<Order>({ store, schema: 'shop.Order', registry: { registry: url, subjects: 'orders-value' } });
 * await serde.ready?.(); // registers shop.Order under orders-value
 * serde.encode(order);   // 00 + schema id + body
 * ```
 */
export function avroSerde<T>(options: AvroSerdeOptions): AvroSerde<T> {
  const { store, schema } = options;
  const singleObject = avroSingleObjectSerde<T>(store, schema);
  const confluent = options.registry
    ? confluentAvroSerde<T>({
        ...options.registry,
        schema: singleObject.schema,
        definition: store.definition(schema),
      })
    : undefined;
  const writer = confluent ?? singleObject;
  return {
    schema: writer.schema,
    header: writer.header,
    encode: writer.encode,
    decode(bytes) {
      switch (avroFramingOf(bytes)) {
        case 'single-object':
          return singleObject.decode(bytes);
        case 'confluent':
          if (confluent) return confluent.decode(bytes);
          throw new Error(
            `Confluent wire format (schema id ${bytes.length >= 5 ? bytes.readInt32BE(1) : '?'}) but no schema registry is configured to look it up`,
          );
        default:
          throw new Error(
            'neither Confluent wire format (magic byte 0) nor Avro single-object encoding (0xC3 0x01 marker)',
          );
      }
    },
    ...(confluent ? { ready: () => confluent.ready() } : {}),
  };
}
