import type { OutboundRecord } from '../record.js';
import type { TransportProducer, TransportTransaction } from '../transport/types.js';

/** Options of a {@link TransactionSender}. */
export interface TransactionSenderOptions {
  /** Records handed to the producer in one send (one produce request); default 2,500. */
  readonly batchSize?: number;
}

/**
 * Produces the records of one Kafka transaction at a time through a transactional producer, in sends of
 * `batchSize` records with one send on the wire while the next batch is assembled. The transaction begins with
 * the first send, so a sender that never filled a batch opens none until {@link commitWith}.
 *
 * It is the transactional counterpart of the stage's `SendQueue` (which produces outside transactions): for a
 * producer that is not fed by a consumer, such as a file import whose rows and progress record must become
 * visible together or not at all.
 *
 * A failed send surfaces at the next {@link push} that sends, or at {@link commitWith}; the caller then calls
 * {@link abort}. One transaction at a time: after a commit or an abort the sender begins the next one.
 *
 * ## Example
 * ```ts
 * const sender = new TransactionSender(producer);
 * for (const record of rows) {
 *   const sent = sender.push(record);
 *   if (sent) await sent; // the batch was full and went out
 * }
 * await sender.commitWith(progressRecord); // what is left, the progress record, then the commit
 * ```
 */
export class TransactionSender {
  readonly #producer: TransportProducer;
  readonly #batchSize: number;
  #txn: TransportTransaction | undefined;
  #inFlight: Promise<void> | undefined;
  #batch: OutboundRecord[] = [];

  constructor(producer: TransportProducer, options: TransactionSenderOptions = {}) {
    const { batchSize = 2500 } = options;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
    }
    this.#producer = producer;
    this.#batchSize = batchSize;
  }

  /** True while a transaction is open (begun by a send, not yet committed or aborted). */
  get inTransaction(): boolean {
    return this.#txn !== undefined;
  }

  /**
   * Adds a record. Returns a promise only when the batch was full and went out (await it before the next call), so
   * a million records cost no million promises.
   */
  push(record: OutboundRecord): Promise<void> | undefined {
    this.#batch.push(record);
    return this.#batch.length >= this.#batchSize ? this.#send() : undefined;
  }

  async #send(): Promise<void> {
    this.#txn ??= await this.#producer.transaction();
    const records = this.#batch;
    this.#batch = [];
    if (this.#inFlight) await this.#inFlight;
    this.#inFlight = this.#txn.send(records);
    this.#inFlight.catch(() => {}); // awaited before the next send, the commit or the abort
  }

  /** Sends what is left with `last` (say, a progress record) in the same transaction, and commits it. */
  async commitWith(last: OutboundRecord): Promise<void> {
    this.#batch.push(last);
    await this.#send();
    await this.#inFlight;
    this.#inFlight = undefined;
    const txn = this.#txn;
    this.#txn = undefined;
    await txn?.commit();
  }

  /**
   * Drops what is not sent and aborts the open transaction (if any). `quietly`: after another error, so a failing
   * abort does not hide it.
   */
  async abort(quietly = false): Promise<void> {
    this.#batch = [];
    const txn = this.#txn;
    this.#txn = undefined;
    await this.#inFlight?.catch(() => {});
    this.#inFlight = undefined;
    if (!txn) return;
    if (quietly) await txn.abort().catch(() => {});
    else await txn.abort();
  }
}
