import type { OutboundRecord, RawRecord } from '../record.js';
import { readTopicUntil } from '../transport/read-topic-until.js';
import type { Transport, TransportProducer } from '../transport/types.js';

/** Produces records through a transport's plain (non-transactional) producer. */
export async function produce(transport: Transport, records: readonly OutboundRecord[]): Promise<void> {
  const producer = transport.createProducer();
  await producer.connect();
  try {
    await producer.send(records);
  } finally {
    await producer.disconnect();
  }
}

/**
 * Reads a topic from the beginning with a fresh consumer group until `count` records arrived (read_committed),
 * or fails after `timeoutMs` saying how many came (at once when the consumer crashes). See `readTopicUntil`.
 */
export async function readTopic(
  transport: Transport,
  topic: string,
  count: number,
  options: { timeoutMs?: number; groupId?: string; settleMs?: number } = {},
): Promise<RawRecord[]> {
  const records: RawRecord[] = [];
  // A rebalance of the reader's group hands its partitions over again from the start (nothing is committed): a
  // record at an offset already read is the same record read again, not a duplicate in the topic.
  const read = new Set<string>();
  const timeoutMs = options.timeoutMs ?? 30_000;
  await readTopicUntil(transport, topic, {
    until: (batch) => {
      for (const r of batch) {
        const at = `${r.partition}:${r.offset}`;
        if (read.has(at)) continue;
        read.add(at);
        records.push(r);
      }
      return records.length >= count;
    },
    timeoutMs,
    timeoutError: () =>
      new Error(`read ${records.length} of ${count} records from ${topic} in ${timeoutMs} ms`),
    ...(options.groupId ? { groupId: options.groupId } : {}),
    // Linger a little to catch records beyond the expected count (duplicates).
    ...(options.settleMs ? { lingerMs: options.settleMs } : {}),
  });
  return records;
}

/** Polls until `check` holds or the timeout passes; throws with `what` on timeout. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The sum of a group's committed offsets over a topic's partitions (records committed, for one-offset-per-record topics). */
export async function committedTotal(transport: Transport, groupId: string, topic: string): Promise<number> {
  let total = 0;
  for (const offset of (await transport.committedOffsets(groupId, topic)).values()) total += offset;
  return total;
}

/**
 * A transport whose producers hold every send until `open()` is called: for proving that nothing is committed
 * before the sink acknowledged.
 */
export function gatedTransport(inner: Transport): Transport & { open(): void; readonly held: number } {
  let release!: () => void;
  let gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  let held = 0;
  let opened = false;
  return {
    ...inner,
    kind: inner.kind,
    createProducer: (options) => {
      const producer = inner.createProducer(options);
      const gated: TransportProducer = {
        connect: () => producer.connect(),
        disconnect: () => producer.disconnect(),
        transaction: () => producer.transaction(),
        send: async (records) => {
          if (!opened) {
            held += records.length;
            await gate;
          }
          await producer.send(records);
        },
      };
      return gated;
    },
    open() {
      opened = true;
      release();
      gate = Promise.resolve();
    },
    get held() {
      return held;
    },
  };
}
