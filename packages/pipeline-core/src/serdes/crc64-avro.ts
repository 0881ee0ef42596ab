/**
 * CRC-64-AVRO, the Rabin fingerprint the Avro specification defines for schemas ("Schema Fingerprints"), over the
 * schema's Parsing Canonical Form. Single-object encoding puts it, little-endian, after the 0xC3 0x01 marker.
 */
const EMPTY = 0xc15d213aa4d7a795n;
const MASK = 0xffffffffffffffffn;

const TABLE: bigint[] = Array.from({ length: 256 }, (_, i) => {
  let fp = BigInt(i);
  for (let j = 0; j < 8; j += 1) fp = (fp >> 1n) ^ (EMPTY & -(fp & 1n) & MASK);
  return fp;
});

/** The CRC-64-AVRO fingerprint of some bytes, as an unsigned 64-bit integer. */
export function crc64Avro(bytes: Uint8Array): bigint {
  let fp = EMPTY;
  for (const b of bytes) fp = (fp >> 8n) ^ (TABLE[Number((fp ^ BigInt(b)) & 0xffn)] as bigint);
  return fp;
}

/** The fingerprint as Java's `SchemaNormalization.parsingFingerprint64` returns it (a signed long). */
export function toSignedLong(fp: bigint): bigint {
  return BigInt.asIntN(64, fp);
}
