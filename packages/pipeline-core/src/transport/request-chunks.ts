import type { OutboundRecord } from '../record.js';

/**
 * The most bytes of keys, values and headers one produce request carries (issue 15, defects 2 and 5). A broker
 * refuses a record batch above its `message.max.bytes` (1 MiB by default) as MESSAGE_TOO_LARGE, which no retry
 * gets past: a stage whose commit holds thousands of outputs, or an intake batch of large rows, looped on it. Kept
 * under the broker's default with room for the batch and request headers.
 */
export const MAX_REQUEST_BYTES = 900_000;

/** The bytes a record adds to a request, near enough: key, value, header names and values, and ~70 of framing. */
export function recordBytes(record: OutboundRecord): number {
  let bytes = 70 + (record.value?.length ?? 0);
  if (record.key !== null)
    bytes += typeof record.key === 'string' ? Buffer.byteLength(record.key) : record.key.length;
  for (const [name, value] of Object.entries(record.headers ?? {}))
    bytes += name.length + Buffer.byteLength(value);
  return bytes;
}

/**
 * Splits records, in order, into requests of at most `maxBytes` each. A record larger than `maxBytes` travels alone
 * (the broker decides; its producer's caller must keep records under the limit).
 */
export function requestChunks(
  records: readonly OutboundRecord[],
  maxBytes = MAX_REQUEST_BYTES,
): OutboundRecord[][] {
  const chunks: OutboundRecord[][] = [];
  let chunk: OutboundRecord[] = [];
  let bytes = 0;
  for (const record of records) {
    const size = recordBytes(record);
    if (chunk.length > 0 && bytes + size > maxBytes) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(record);
    bytes += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}
