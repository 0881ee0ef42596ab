import type avro from 'avsc';
import type { AvroSchemaStore } from './avro-schema-store.js';
import { fingerprintBytes } from './avro-schema-store.js';
import type { Serde } from './serde.js';

/** Marker bytes of Avro single-object encoding (version 1). */
export const SINGLE_OBJECT_MARKER = Buffer.from([0xc3, 0x01]);
const HEADER_LENGTH = 10;

/**
 * Avro single-object encoding: 0xC3 0x01, the writer schema's CRC-64-AVRO fingerprint (8 bytes, little-endian),
 * then the Avro binary body. No registry is needed: the fingerprint is looked up in an {@link AvroSchemaStore}
 * (the schemas/ directory), and a record written with another known version is resolved to `readerSchema`.
 * Encoding is synchronous and allocates one buffer per record.
 */
export function avroSingleObjectSerde<T>(store: AvroSchemaStore, readerSchema: string | avro.Type): Serde<T> {
  const reader = typeof readerSchema === 'string' ? store.current(readerSchema) : readerSchema;
  const header = Buffer.concat([SINGLE_OBJECT_MARKER, fingerprintBytes(reader)]);
  const resolvers = new Map<string, avro.Resolver>();
  let scratch = Buffer.allocUnsafe(64 * 1024);
  header.copy(scratch, 0);

  const resolverFor = (fingerprint: string): avro.Resolver => {
    let resolver = resolvers.get(fingerprint);
    if (!resolver) {
      const writer = store.byFingerprint(fingerprint);
      if (!writer)
        throw new Error(`unknown writer schema fingerprint ${fingerprint}; add it to schemas/history/`);
      resolver = reader.createResolver(writer);
      resolvers.set(fingerprint, resolver);
    }
    return resolver;
  };

  return {
    encode(value: T): Buffer {
      let end = reader.encode(value, scratch, HEADER_LENGTH);
      if (end < 0) {
        // Too small: avsc returns minus the bytes missing. Grow once and encode again.
        scratch = Buffer.allocUnsafe(Math.max(scratch.length * 2, scratch.length - end));
        header.copy(scratch, 0);
        end = reader.encode(value, scratch, HEADER_LENGTH);
      }
      return Buffer.from(scratch.subarray(0, end));
    },
    decode(bytes: Buffer): T {
      if (bytes.length < HEADER_LENGTH || bytes[0] !== 0xc3 || bytes[1] !== 0x01) {
        throw new Error('not Avro single-object encoding (no 0xC3 0x01 marker)');
      }
      const body = bytes.subarray(HEADER_LENGTH);
      if (bytes.compare(header, 2, HEADER_LENGTH, 2, HEADER_LENGTH) === 0)
        return reader.fromBuffer(body) as T;
      return reader.fromBuffer(body, resolverFor(bytes.subarray(2, HEADER_LENGTH).toString('hex'))) as T;
    },
  };
}
