import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import avro from 'avsc';
import { describeDecodeFailure, describeResolutionFailure } from './schema-evolution.js';
import type { Serde } from './serde.js';

/** Confluent wire format: magic byte 0, then the schema id (4 bytes, big-endian), then the Avro binary body. */
const MAGIC = 0;
const HEADER_LENGTH = 5;

export interface ConfluentAvroOptions {
  /** A client of a Confluent-compatible Schema Registry (@kafkajs/confluent-schema-registry), or its URL. */
  registry: SchemaRegistry | string;
  /** The subject the writer schema is registered under, e.g. `<topic>-value`. */
  subject: string;
  /** The schema this process writes with and reads into. */
  schema: avro.Type;
}

/**
 * Avro in Confluent's wire format, with schema ids from a Schema Registry through
 * @kafkajs/confluent-schema-registry (which caches ids and asks once per miss). `ready()` registers the writer
 * schema under the subject; after that `encode` is synchronous. `decode` resolves a record written with another
 * registered schema to this one (schema evolution), fetching that schema once.
 */
export function confluentAvroSerde<T>(options: ConfluentAvroOptions): Serde<T> {
  const registry =
    typeof options.registry === 'string' ? new SchemaRegistry({ host: options.registry }) : options.registry;
  const reader = options.schema;
  let header: Buffer | undefined;
  let writerId: number | undefined;
  const resolvers = new Map<number, Promise<{ writer: avro.Type; resolver: avro.Resolver }>>();

  const resolverFor = (id: number): Promise<{ writer: avro.Type; resolver: avro.Resolver }> => {
    let resolver = resolvers.get(id);
    if (!resolver) {
      resolver = registry.getSchema(id).then((schema) => {
        // Re-parse with this package's avsc so resolution works whatever avsc copy the client used.
        const writer = avro.Type.forSchema((schema as unknown as avro.Type).schema());
        try {
          return { writer, resolver: reader.createResolver(writer) };
        } catch (err) {
          throw new Error(describeResolutionFailure(reader, writer, err));
        }
      });
      resolver.catch(() => resolvers.delete(id));
      resolvers.set(id, resolver);
    }
    return resolver;
  };

  return {
    async ready() {
      const { id } = await registry.register(
        { type: SchemaType.AVRO, schema: JSON.stringify(reader.schema()) },
        { subject: options.subject },
      );
      writerId = id;
      header = Buffer.alloc(HEADER_LENGTH);
      header.writeUInt8(MAGIC, 0);
      header.writeInt32BE(id, 1);
    },
    encode(value: T): Buffer {
      if (!header) throw new Error(`confluentAvroSerde(${options.subject}): call ready() before encode()`);
      return Buffer.concat([header, reader.toBuffer(value)]);
    },
    decode(bytes: Buffer): T | Promise<T> {
      if (bytes.length < HEADER_LENGTH || bytes[0] !== MAGIC)
        throw new Error('not Confluent wire format (no magic byte 0)');
      const id = bytes.readInt32BE(1);
      const body = bytes.subarray(HEADER_LENGTH);
      if (id === writerId) {
        try {
          return reader.fromBuffer(body) as T;
        } catch (err) {
          throw new Error(describeDecodeFailure(reader, reader, body, err));
        }
      }
      return resolverFor(id).then(({ writer, resolver }) => {
        try {
          return reader.fromBuffer(body, resolver) as T;
        } catch (err) {
          throw new Error(describeDecodeFailure(reader, writer, body, err));
        }
      });
    },
  };
}
