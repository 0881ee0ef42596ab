import type { RawRecord } from '../record.js';
import type { Transport } from './types.js';

/** Options of {@link readTopicUntil}. */
export interface ReadTopicUntilOptions {
  /**
   * Told the records of each batch as they arrive, in partition order; returns true once enough was read. It
   * keeps being told while `lingerMs` runs.
   */
  readonly until: (records: readonly RawRecord[]) => boolean;
  /** Consumer group (default: a fresh one per call, so the read starts at the topic's beginning). */
  readonly groupId?: string;
  /** How long the read may take before it fails with `timeoutError` (default 30,000 ms). */
  readonly timeoutMs?: number;
  /** The error a read that timed out fails with (default: an Error naming the topic and the time). */
  readonly timeoutError?: () => Error;
  /** The error a read whose consumer crashed fails with (default: the crash's own error). */
  readonly crashError?: (error: Error) => Error;
  /** After `until` held, keep reading this long (to see records beyond the expected ones, say duplicates). */
  readonly lingerMs?: number;
}

/**
 * Reads a topic (or several) from its beginning as a read_committed consumer of its own group until `until` says
 * enough, then leaves the group. It is how a process reads a compacted topic back into memory at start (with a record it
 * wrote itself as the end marker, since a broker gives no "end" to a consumer) and how tests read what a stage
 * produced.
 *
 * ## Example
 * ```ts
 * let seen = 0;
 * await readTopicUntil(transport, 'tml-candidates', { until: (records) => (seen += records.length) >= 10 });
 * ```
 *
 * @throws the `timeoutError` when `until` does not hold within `timeoutMs`; the `crashError` when the consumer
 *   crashed (a throw from `until` crashes it too).
 */
export async function readTopicUntil(
  transport: Transport,
  topic: string | readonly string[],
  options: ReadTopicUntilOptions,
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const topics = typeof topic === 'string' ? [topic] : topic;
  const named = topics.join(', ');
  const consumer = transport.createConsumer({
    groupId: options.groupId ?? `reader-${named}-${Date.now()}-${Math.random().toString(36).slice(2)}`,
    topics,
    fromBeginning: true,
    readCommitted: true,
  });
  let enough!: () => void;
  let crashed!: (err: Error) => void;
  const reached = new Promise<void>((resolve, reject) => {
    enough = resolve;
    crashed = reject;
  });
  reached.catch(() => {}); // a crash during start is seen by the race below
  await consumer.start({
    onBatch: (batch) => {
      if (options.until(batch.records)) enough();
    },
    onAssignment: () => {},
    onCrash: (err) => crashed(options.crashError ? options.crashError(err) : err),
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      reached,
      new Promise<void>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              options.timeoutError
                ? options.timeoutError()
                : new Error(`${named} was not read to the point wanted in ${timeoutMs} ms`),
            ),
          timeoutMs,
        );
      }),
    ]);
    if (options.lingerMs) await new Promise((r) => setTimeout(r, options.lingerMs));
  } finally {
    clearTimeout(timer);
    await consumer.stop();
  }
}
