import type avro from 'avsc';
import { type AvroSerde, framedAvroEncoder } from './avro-framing.js';
import type { AvroSchemaStore } from './avro-schema-store.js';
import { fingerprintBytes } from './avro-schema-store.js';
import { describeDecodeFailure, describeResolutionFailure } from './schema-evolution.js';

/** Marker bytes of Avro single-object encoding (version 1). */
export const SINGLE_OBJECT_MARKER = Buffer.from([0xc3, 0x01]);
const HEADER_LENGTH = 10;

/** The single-object header of records written with `type`: the marker and its fingerprint. */
export function singleObjectHeader(type: avro.Type): Buffer {
  return Buffer.concat([SINGLE_OBJECT_MARKER, fingerprintBytes(type)]);
}

/**
 * Avro single-object encoding: 0xC3 0x01, the writer schema's CRC-64-AVRO fingerprint (8 bytes, little-endian),
 * then the Avro binary body. No registry is needed: the fingerprint is looked up in an {@link AvroSchemaStore}
 * (the schemas/ directory), and a record written with another known version is resolved to `readerSchema`.
 * Encoding is synchronous and allocates one buffer per record.
 */
export function avroSingleObjectSerde<T>(
  store: AvroSchemaStore,
  readerSchema: string | avro.Type,
): AvroSerde<T> {
  const reader = typeof readerSchema === 'string' ? store.current(readerSchema) : readerSchema;
  const header = singleObjectHeader(reader);
  const resolvers = new Map<string, { writer: avro.Type; resolver: avro.Resolver }>();

  const resolverFor = (fingerprint: string): { writer: avro.Type; resolver: avro.Resolver } => {
    let known = resolvers.get(fingerprint);
    if (!known) {
      const writer = store.byFingerprint(fingerprint);
      if (!writer) {
        throw new Error(
          `unknown writer schema fingerprint ${fingerprint} for ${reader.name}; add the writer's schema to schemas/history/ (archiveSchemas)`,
        );
      }
      try {
        known = { writer, resolver: reader.createResolver(writer) };
      } catch (err) {
        throw new Error(describeResolutionFailure(reader, writer, err));
      }
      resolvers.set(fingerprint, known);
    }
    return known;
  };

  return {
    schema: reader,
    header: () => Buffer.from(header),
    encode: framedAvroEncoder<T>(reader, header),
    decode(bytes: Buffer): T {
      if (bytes.length < HEADER_LENGTH || bytes[0] !== 0xc3 || bytes[1] !== 0x01) {
        throw new Error('not Avro single-object encoding (no 0xC3 0x01 marker)');
      }
      const body = bytes.subarray(HEADER_LENGTH);
      if (bytes.compare(header, 2, HEADER_LENGTH, 2, HEADER_LENGTH) === 0) {
        try {
          return reader.fromBuffer(body) as T;
        } catch (err) {
          throw new Error(describeDecodeFailure(reader, reader, body, err));
        }
      }
      const { writer, resolver } = resolverFor(bytes.subarray(2, HEADER_LENGTH).toString('hex'));
      try {
        return reader.fromBuffer(body, resolver) as T;
      } catch (err) {
        throw new Error(describeDecodeFailure(reader, writer, body, err));
      }
    },
  };
}
