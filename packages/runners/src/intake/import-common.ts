import { TransactionSender } from '@tm/pipeline-core';
import type { IncomingFile } from './folder-scan.js';
import type { CheckedBatch, CheckSummary } from './format-pass.js';
import type { StreamContext } from './import-types.js';

/** Rows handed to the producer in one send (one produce request); the next batch is assembled while this one is on the wire. */
const SEND_BATCH = 2500;

/** Files at least this big are checked in a worker thread (below it, starting the worker costs more than it saves). */
const WORKER_MIN_BYTES = 4 * 1024 * 1024;

/** Runs `onBatch` on each batch of a format pass; resolves with its summary, or undefined when `onBatch` said stop. */
export async function eachBatch(
  batches: AsyncGenerator<CheckedBatch, CheckSummary>,
  onBatch: (batch: CheckedBatch) => Promise<'stop' | undefined> | 'stop' | undefined,
): Promise<CheckSummary | undefined> {
  try {
    for (;;) {
      const next = await batches.next();
      if (next.done) return next.value;
      if ((await onBatch(next.value)) === 'stop') return undefined;
    }
  } finally {
    await batches.return(undefined as never); // stops a worker that is still reading
  }
}

/** The options of `checkFile` for a file of the stream. */
export function checkOptions(file: IncomingFile, ctx: StreamContext) {
  return {
    dataStream: ctx.stream.name,
    dialect: ctx.stream.csv,
    sourceFile: file.name,
    inWorker: file.size >= WORKER_MIN_BYTES,
    ...(ctx.clock ? { clock: ctx.clock } : {}),
    ...(ctx.avroHeader ? { avroHeader: ctx.avroHeader } : {}),
  };
}

/** The stream's sender of one transaction at a time, in sends of {@link SEND_BATCH} rows. */
export function senderOf(ctx: StreamContext): TransactionSender {
  return new TransactionSender(ctx.producer, { batchSize: SEND_BATCH });
}
