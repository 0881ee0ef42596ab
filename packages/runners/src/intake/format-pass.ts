import { createHash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  type Application,
  type CsvDialect,
  CsvReadError,
  formatCsvError,
  readCsvBatches,
} from '@tm/contracts';
import { framedAvroEncoder } from '@tm/pipeline-core';
import { contractSerdes } from '../runtime/index.js';

/** The good rows of a batch, Avro-encoded, packed so that a worker can hand them over without copying. */
export interface PackedRecords {
  /** Line of the file each row came from. */
  readonly lines: Uint32Array;
  /** Record key of each row: its application number. */
  readonly keys: readonly string[];
  /** Where each row's value ends in `values` (it starts where the previous one ends). */
  readonly ends: Uint32Array;
  readonly values: Uint8Array;
}

/** What format control made of one batch of rows. */
export interface CheckedBatch {
  /** Rows in the batch (good and bad; blank lines and a header row not counted). */
  readonly rows: number;
  /** Bytes of the file read so far. */
  readonly bytes: number;
  /** The good rows encoded, as long as the file has had no bad row; empty from the first error on. */
  readonly records: PackedRecords;
  /** Error lines of the batch, as `tm validate-csv` prints them (`LINE:COLUMN: field: reason`). */
  readonly errors: readonly string[];
}

/** What format control found in the whole file. */
export interface CheckSummary {
  readonly rows: number;
  readonly errors: number;
  /** SHA-256 of the file's bytes (hex): the file's identity in the ledger (ADR 0041). */
  readonly sha256: string;
  /** Line of the last row (0: no rows). */
  readonly lastLine: number;
}

/** How to read the file, and whether in a worker thread. */
export interface CheckOptions {
  readonly dataStream: string;
  readonly sourceFile: string;
  readonly dialect?: Partial<CsvDialect>;
  /**
   * Clock for `receivedAt` (default `Date.now`). A clock cannot cross into a worker thread: a file checked with a
   * clock is always checked in this thread.
   */
  readonly clock?: () => number;
  /** Check in a worker thread, so that encoding and publishing run on two cores (ADR 0068). Default false. */
  readonly inWorker?: boolean;
  /**
   * The framing header good rows are encoded behind (`AvroSerde.header()` of the application serde): it crosses
   * into a worker thread where the serde cannot. Default: single-object encoding.
   */
  readonly avroHeader?: Uint8Array;
}

/** Batches a worker may post before the reader has taken them: bounds the memory between the two threads. */
const WORKER_CREDITS = 8;

/**
 * The worker's heap (issue 16, ADR 0180): it streams, about 25 MB live, but left to V8's defaults its heap grows
 * lazily past 100 MB on a 23 MB file, on top of the main thread's, and the runner's RSS over 300 MB.
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 96 };

const EMPTY: PackedRecords = Object.freeze({
  lines: new Uint32Array(0),
  keys: [],
  ends: new Uint32Array(0),
  values: new Uint8Array(0),
});

/**
 * Format control of a file (DESIGN.md §4) as batches: each row checked, each good row Avro-encoded as intake
 * publishes it (until the first bad row: a refused file publishes nothing, so encoding stops there), the bytes
 * hashed on the way. Returns the summary when the file is read.
 *
 * @throws {CsvReadError} when the file cannot be read.
 */
export function checkFile(path: string, options: CheckOptions): AsyncGenerator<CheckedBatch, CheckSummary> {
  return options.inWorker && !options.clock ? checkInWorker(path, options) : checkHere(path, options);
}

/** {@link checkFile} in this thread. */
export async function* checkHere(
  path: string,
  options: Omit<CheckOptions, 'inWorker'>,
): AsyncGenerator<CheckedBatch, CheckSummary> {
  const serde = contractSerdes().application;
  const encode = options.avroHeader
    ? framedAvroEncoder<Application>(serde.schema, options.avroHeader)
    : serde.encode;
  const hash = createHash('sha256');
  let bytes = 0;
  async function* read(): AsyncGenerator<Buffer> {
    const source = createReadStream(path, { highWaterMark: 256 * 1024 });
    try {
      for await (const chunk of source as AsyncIterable<Buffer>) {
        hash.update(chunk);
        bytes += chunk.length;
        yield chunk;
      }
    } finally {
      source.destroy();
    }
  }
  let rows = 0;
  let errors = 0;
  let lastLine = 0;
  for await (const batch of readCsvBatches(read(), {
    dataStream: options.dataStream,
    sourceFile: options.sourceFile,
    ...(options.dialect ? { dialect: options.dialect } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  })) {
    rows += batch.length;
    const errorLines: string[] = [];
    const lines: number[] = [];
    const keys: string[] = [];
    const values: Buffer[] = [];
    for (const row of batch) {
      lastLine = row.line;
      if (row.ok) {
        if (errors > 0) continue;
        lines.push(row.line);
        keys.push(row.application.applicationNumber);
        values.push(encode(row.application));
        continue;
      }
      errors += row.errors.length;
      for (const error of row.errors) errorLines.push(formatCsvError(error));
    }
    yield {
      rows: batch.length,
      bytes,
      records: errors > 0 ? EMPTY : pack(lines, keys, values),
      errors: errorLines,
    };
  }
  return { rows, errors, sha256: hash.digest('hex'), lastLine };
}

function pack(lines: number[], keys: string[], values: Buffer[]): PackedRecords {
  const ends = new Uint32Array(values.length);
  let size = 0;
  for (let i = 0; i < values.length; i++) {
    size += (values[i] as Buffer).length;
    ends[i] = size;
  }
  // Its own ArrayBuffer (not Buffer's shared pool), so a worker can transfer it.
  const packed = new Uint8Array(new ArrayBuffer(size));
  let at = 0;
  for (const value of values) {
    packed.set(value, at);
    at += value.length;
  }
  return { lines: Uint32Array.from(lines), keys, ends, values: packed };
}

/** Each packed row as `(line, key, value)`; the values are views of the batch's buffer, not copies. */
export function* unpack(records: PackedRecords): Generator<[line: number, key: string, value: Buffer]> {
  const all = Buffer.from(records.values.buffer, records.values.byteOffset, records.values.byteLength);
  let start = 0;
  for (let i = 0; i < records.keys.length; i++) {
    const end = records.ends[i] as number;
    yield [records.lines[i] as number, records.keys[i] as string, all.subarray(start, end)];
    start = end;
  }
}

/** Messages from the worker (format-worker.ts) to the reader. */
export type WorkerMessage =
  | { readonly type: 'batch'; readonly batch: CheckedBatch }
  | { readonly type: 'end'; readonly summary: CheckSummary }
  | { readonly type: 'failed'; readonly message: string; readonly readError: boolean };

/** What the worker is given. */
export interface WorkerInput {
  readonly path: string;
  readonly options: Omit<CheckOptions, 'inWorker' | 'clock'>;
  readonly credits: number;
}

/** {@link checkFile} in a worker thread: the same batches, read ahead by at most {@link WORKER_CREDITS}. */
async function* checkInWorker(
  path: string,
  options: Omit<CheckOptions, 'inWorker'>,
): AsyncGenerator<CheckedBatch, CheckSummary> {
  const { dataStream, sourceFile, dialect, avroHeader } = options;
  const input: WorkerInput = {
    path,
    options: {
      dataStream,
      sourceFile,
      ...(dialect ? { dialect } : {}),
      ...(avroHeader ? { avroHeader } : {}),
    },
    credits: WORKER_CREDITS,
  };
  const worker = startWorker(input);
  const queue: Array<WorkerMessage | { type: 'exit'; error?: Error }> = [];
  let wake: (() => void) | undefined;
  const push = (m: (typeof queue)[number]) => {
    queue.push(m);
    wake?.();
    wake = undefined;
  };
  worker.on('message', (m: WorkerMessage) => push(m));
  worker.on('error', (error) => push({ type: 'exit', error }));
  worker.on('exit', (code) =>
    push({ type: 'exit', error: new Error(`format-control worker exited with code ${code}`) }),
  );
  try {
    for (;;) {
      while (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      const m = queue.shift() as (typeof queue)[number];
      switch (m.type) {
        case 'batch':
          worker.postMessage('credit');
          yield m.batch;
          break;
        case 'end':
          return m.summary;
        case 'failed':
          throw m.readError
            ? new CsvReadError(sourceFile, { cause: new Error(m.message) })
            : new Error(`format control of ${sourceFile} failed in its worker: ${m.message}`);
        case 'exit':
          throw m.error;
      }
    }
  } finally {
    await worker.terminate();
  }
}

/**
 * The worker thread. Run from dist/ it is format-worker.js; run from source (tsx), the worker must register tsx
 * itself: Node 20 does not carry the parent's `--import` hooks into workers.
 */
function startWorker(workerData: WorkerInput): Worker {
  const self = import.meta.url;
  if (!self.endsWith('.ts'))
    return new Worker(new URL('./format-worker.js', self), { workerData, resourceLimits: WORKER_LIMITS });
  const entry = new URL('./format-worker.ts', self).href;
  const tsx = tsxEsmApi(self);
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(boot, { eval: true, workerData, resourceLimits: WORKER_LIMITS });
}

/**
 * The URL of tsx's ESM register API, as seen from `from`. `require.resolve` would give its CommonJS build, and
 * `import.meta.resolve` is missing when tsx loads this module as CommonJS (as under mocha), so the package's
 * exports map is read.
 */
function tsxEsmApi(from: string): string {
  const manifest = createRequire(from).resolve('tsx/package.json');
  const { exports } = JSON.parse(readFileSync(manifest, 'utf8')) as {
    exports: Record<string, { import?: { default?: string } }>;
  };
  const entry = exports['./esm/api']?.import?.default;
  if (!entry) throw new Error(`tsx at ${dirname(manifest)} has no ESM register API`);
  return pathToFileURL(join(dirname(manifest), entry)).href;
}
