import { randomUUID } from 'node:crypto';
import {
  type OutboundRecord,
  readTopicUntil,
  type Transport,
  type TransportProducer,
} from '@tm/pipeline-core';

/**
 * One file's progress as the ledger topic holds it (JSON, keyed by {@link ledgerKey}; the topic is compacted so
 * only the latest entry of each file stays). Written in the same Kafka transaction as the rows it counts.
 */
export interface LedgerEntry {
  readonly stream: string;
  /** SHA-256 of the file's bytes (hex): the file's identity, whatever its name. */
  readonly file: string;
  /** The name the file arrived under. */
  readonly name: string;
  /** Last line whose row is published (0: none). */
  readonly line: number;
  /** Rows published so far. */
  readonly rows: number;
  /** Every row is published; only the move to success/ may be left. */
  readonly done: boolean;
  /** When the entry was written, epoch ms. */
  readonly at: number;
}

/** What a barrier record holds: a nonce the ledger reader waits for (see {@link FileLedger.load}). */
interface Barrier {
  readonly barrier: string;
}

/** The ledger key of a file: `STREAM/SHA256`. */
export function ledgerKey(stream: string, file: string): string {
  return `${stream}/${file}`;
}

/** What to do with a file that passed format control, given its ledger entry. */
export type ResumeDecision =
  | { readonly kind: 'fresh' }
  | { readonly kind: 'resume'; readonly afterLine: number; readonly rows: number }
  | { readonly kind: 'done'; readonly rows: number };

/**
 * The resume rule: no entry, publish from the start; a finished entry, publish nothing and only move the file
 * (the runner stopped between the last commit and the move, or the same bytes arrived again); otherwise publish
 * the rows after the last committed line.
 */
export function resumeDecision(entry: LedgerEntry | undefined): ResumeDecision {
  if (!entry) return { kind: 'fresh' };
  if (entry.done) return { kind: 'done', rows: entry.rows };
  if (entry.line <= 0) return { kind: 'fresh' };
  return { kind: 'resume', afterLine: entry.line, rows: entry.rows };
}

/** The ledger could not be read to its end in time. */
export class LedgerReadError extends Error {
  constructor(
    readonly topic: string,
    message: string,
  ) {
    super(`cannot read the intake ledger ${topic}: ${message}`);
    this.name = 'LedgerReadError';
  }
}

/**
 * The files intake has published, per stream and content hash: read from the compacted ledger topic at start,
 * then kept up to date by the runner as its transactions commit (it is the topic's only writer).
 */
export class FileLedger {
  readonly #entries = new Map<string, LedgerEntry>();

  constructor(readonly topic: string) {}

  /**
   * Reads the whole ledger as a read_committed consumer. To know where "the whole" ends without a broker API for
   * it, each producer first commits a barrier record with a fresh nonce; once every nonce has been read, every
   * transaction committed before it has been read too (one partition keeps the order). Connecting a
   * transactional producer has already fenced its earlier instance and settled that instance's open transaction,
   * so nothing from before the restart can still appear.
   *
   * @throws {LedgerReadError} when the barriers are not seen within `timeoutMs`.
   */
  static async load(
    transport: Transport,
    topic: string,
    producers: readonly { readonly producer: TransportProducer; readonly transactionalId: string }[],
    options: { groupPrefix: string; timeoutMs?: number },
  ): Promise<FileLedger> {
    const ledger = new FileLedger(topic);
    const pending = new Set<string>();
    for (const { producer, transactionalId } of producers) {
      const nonce = randomUUID();
      pending.add(nonce);
      const txn = await producer.transaction();
      try {
        // One key per producer, so compaction keeps only its latest barrier.
        const key = `barrier/${transactionalId}`;
        await txn.send([{ topic, key, value: encodeJson({ barrier: nonce }) }]);
        await txn.commit();
      } catch (err) {
        await txn.abort().catch(() => {});
        throw err;
      }
    }
    if (pending.size === 0) return ledger;
    const timeoutMs = options.timeoutMs ?? 120_000;
    await readTopicUntil(transport, topic, {
      groupId: `${options.groupPrefix}-${randomUUID()}`,
      until: (records) => {
        for (const record of records) {
          if (!record.value) continue; // a tombstone
          const value = JSON.parse(record.value.toString('utf8')) as LedgerEntry | Barrier;
          if ('barrier' in value) pending.delete(value.barrier);
          else ledger.#entries.set(ledgerKey(value.stream, value.file), value);
        }
        return pending.size === 0;
      },
      timeoutMs,
      timeoutError: () => new LedgerReadError(topic, `its end was not reached in ${timeoutMs} ms`),
      crashError: (err) => new LedgerReadError(topic, err.message),
    });
    return ledger;
  }

  /** Entries read or recorded so far. */
  get size(): number {
    return this.#entries.size;
  }

  get(stream: string, file: string): LedgerEntry | undefined {
    return this.#entries.get(ledgerKey(stream, file));
  }

  /** The record that writes `entry` to the ledger topic (send it inside the transaction of the rows it counts). */
  recordOf(entry: LedgerEntry): OutboundRecord {
    return { topic: this.topic, key: ledgerKey(entry.stream, entry.file), value: encodeJson(entry) };
  }

  /** Keeps `entry` once its transaction committed. */
  committed(entry: LedgerEntry): void {
    this.#entries.set(ledgerKey(entry.stream, entry.file), entry);
  }
}

function encodeJson(value: LedgerEntry | Barrier): Buffer {
  return Buffer.from(JSON.stringify(value));
}
