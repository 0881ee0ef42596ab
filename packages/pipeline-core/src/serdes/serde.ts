/**
 * Turns values into record bytes and back. `encode` is synchronous so the hot path stays free of promises;
 * `decode` may be asynchronous (a Schema Registry lookup of an unseen schema id), and `ready` does one-time async
 * work such as registering a schema before the first `encode`.
 */
export interface Serde<T> {
  encode(value: T): Buffer;
  decode(bytes: Buffer): T | Promise<T>;
  ready?(): Promise<void>;
}

/** JSON text in UTF-8. */
export function jsonSerde<T>(): Serde<T> {
  return {
    encode: (value) => Buffer.from(JSON.stringify(value)),
    decode: (bytes) => JSON.parse(bytes.toString('utf8')) as T,
  };
}

/** UTF-8 text. */
export function stringSerde(): Serde<string> {
  return {
    encode: (value) => Buffer.from(value, 'utf8'),
    decode: (bytes) => bytes.toString('utf8'),
  };
}

/** Bytes as they are. */
export function bufferSerde(): Serde<Buffer> {
  return { encode: (value) => value, decode: (bytes) => bytes };
}
