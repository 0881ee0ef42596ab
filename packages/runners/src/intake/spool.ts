import { createReadStream } from 'node:fs';
import { type FileHandle, open, rm } from 'node:fs/promises';

/** One encoded row in a spool: the line it came from, its record key (UTF-8) and its encoded value. */
export interface SpoolRecord {
  readonly line: number;
  readonly key: Buffer;
  readonly value: Buffer;
}

/** line (u32), key length (u16), value length (u32), all little-endian; then the key (UTF-8) and the value. */
const HEADER = 10;
const BUFFER_SIZE = 1024 * 1024;
/** Bytes read from a spool at a time: the records of a chunk are views of it, so it lives as long as they do. */
const READ_SIZE = 128 * 1024;

/**
 * Writes encoded rows to a spool file, in order, through a 1 MiB buffer: format control encodes each row once, and
 * publishing replays the spool instead of reading and checking the CSV a second time (ADR 0044).
 */
export class SpoolWriter {
  #buffer = Buffer.allocUnsafe(BUFFER_SIZE);
  #used = 0;
  #records = 0;

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
  ) {}

  /** Creates (or truncates) the spool at `path`. */
  static async create(path: string): Promise<SpoolWriter> {
    return new SpoolWriter(path, await open(path, 'w'));
  }

  /** Rows written so far. */
  get records(): number {
    return this.#records;
  }

  /**
   * Appends a row. Returns a promise only when the buffer is full and must be written out first (await it before
   * the next call); otherwise the row is buffered synchronously, so a million rows cost no million promises.
   */
  add(line: number, key: string, value: Buffer): Promise<void> | undefined {
    const keyBytes = Buffer.byteLength(key);
    const size = HEADER + keyBytes + value.length;
    if (this.#used + size <= this.#buffer.length) {
      this.#put(line, key, keyBytes, value);
      return undefined;
    }
    return this.#flush().then(() => {
      if (size > this.#buffer.length) this.#buffer = Buffer.allocUnsafe(size);
      this.#put(line, key, keyBytes, value);
    });
  }

  #put(line: number, key: string, keyBytes: number, value: Buffer): void {
    const b = this.#buffer;
    let o = this.#used;
    b.writeUInt32LE(line, o);
    b.writeUInt16LE(keyBytes, o + 4);
    b.writeUInt32LE(value.length, o + 6);
    o += HEADER;
    o += b.write(key, o, 'utf8');
    o += value.copy(b, o);
    this.#used = o;
    this.#records++;
  }

  /** Writes what is buffered and closes the file. */
  async close(): Promise<void> {
    await this.#flush();
    await this.handle.close();
  }

  /** Closes and deletes the spool. */
  async discard(): Promise<void> {
    await this.handle.close().catch(() => {});
    await rm(this.path, { force: true });
  }

  async #flush(): Promise<void> {
    if (this.#used === 0) return;
    await this.handle.write(this.#buffer, 0, this.#used);
    this.#used = 0;
  }
}

/** The record that starts at `o` of `data` and ends at `end` (its header already read). */
function recordAt(data: Buffer, o: number, keyBytes: number, end: number): SpoolRecord {
  const keyEnd = o + HEADER + keyBytes;
  return {
    line: data.readUInt32LE(o),
    key: data.subarray(o + HEADER, keyEnd),
    value: data.subarray(keyEnd, end),
  };
}

/**
 * The rows of a spool, in batches (one per chunk read). Keys and values are views of the chunk, not copies; only a
 * record split between two chunks is copied whole.
 */
export async function* readSpool(path: string): AsyncGenerator<SpoolRecord[]> {
  let rest: Buffer | null = null;
  for await (const chunk of createReadStream(path, { highWaterMark: READ_SIZE }) as AsyncIterable<Buffer>) {
    const batch: SpoolRecord[] = [];
    let o = 0;
    if (rest) {
      // Finish the record split between the previous chunk and this one.
      const head: Buffer =
        rest.length >= HEADER ? rest : Buffer.concat([rest, chunk.subarray(0, HEADER - rest.length)]);
      const size = head.length >= HEADER ? HEADER + head.readUInt16LE(4) + head.readUInt32LE(6) : Infinity;
      if (size - rest.length > chunk.length) {
        rest = Buffer.concat([rest, chunk]);
        continue;
      }
      const record = Buffer.concat([rest, chunk.subarray(0, size - rest.length)]);
      batch.push(recordAt(record, 0, record.readUInt16LE(4), size));
      o = size - rest.length;
      rest = null;
    }
    while (o + HEADER <= chunk.length) {
      const keyBytes = chunk.readUInt16LE(o + 4);
      const end = o + HEADER + keyBytes + chunk.readUInt32LE(o + 6);
      if (end > chunk.length) break;
      batch.push(recordAt(chunk, o, keyBytes, end));
      o = end;
    }
    rest = o < chunk.length ? chunk.subarray(o) : null;
    if (batch.length > 0) yield batch;
  }
  if (rest) throw new Error(`spool ${path} ends inside a record (${rest.length} bytes left)`);
}
