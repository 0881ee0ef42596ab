import type avro from 'avsc';
import type { Serde } from './serde.js';

/**
 * A serde of Avro records behind a framing header that names the writer's schema: single-object encoding
 * (`C3 01` + fingerprint) or Confluent's wire format (`00` + schema id).
 */
export interface AvroSerde<T> extends Serde<T> {
  /** The schema this serde writes with and reads into. */
  readonly schema: avro.Type;
  /**
   * The bytes `encode` puts before each Avro body. A Confluent serde knows them once `ready()` has registered its
   * schema; until then this throws. Hand them to {@link framedAvroEncoder} to encode the same way elsewhere (a
   * worker thread).
   */
  header(): Buffer;
}

/** Which framing a record's first bytes announce: `00` Confluent, `C3 01` single-object, else neither. */
export function avroFramingOf(bytes: Uint8Array): 'confluent' | 'single-object' | undefined {
  if (bytes[0] === 0x00) return 'confluent';
  if (bytes[0] === 0xc3 && bytes[1] === 0x01) return 'single-object';
  return undefined;
}

/**
 * Encodes values of `type` behind `header`, in a scratch buffer it reuses, so each record costs one allocation of
 * its own size. Not re-entrant: one encoder per thread.
 */
export function framedAvroEncoder<T>(type: avro.Type, header: Uint8Array): (value: T) => Buffer {
  const at = header.length;
  let scratch = Buffer.allocUnsafe(64 * 1024);
  scratch.set(header, 0);
  return (value) => {
    let end = type.encode(value, scratch, at);
    if (end < 0) {
      // Too small: avsc returns minus the bytes missing. Grow once and encode again.
      scratch = Buffer.allocUnsafe(Math.max(scratch.length * 2, scratch.length - end));
      scratch.set(header, 0);
      end = type.encode(value, scratch, at);
    }
    return Buffer.from(scratch.subarray(0, end));
  };
}
