/**
 * Records as a stage sees them: a value with its key, headers and origin, and a handle that settles its offset.
 */

/** Record headers, decoded as UTF-8 strings. */
export type Headers = Readonly<Record<string, string>>;

/** Where a consumed record came from. */
export interface RecordOrigin {
  readonly topic: string;
  readonly partition: number;
  /** The record's offset in its partition. Offsets are integers below 2^53. */
  readonly offset: number;
  /** Producer timestamp, epoch milliseconds. */
  readonly timestamp: number;
}

/** A record as it arrived from the transport, before decoding. */
export interface RawRecord extends RecordOrigin {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Headers;
}

/** A record to produce. */
export interface OutboundRecord {
  readonly topic: string;
  /** Text keys are encoded as UTF-8; bytes pass as they are (dead-lettered records keep their original key). */
  readonly key: string | Buffer | null;
  readonly value: Buffer | null;
  readonly headers?: Headers;
  /** Explicit partition; by default the key picks it like Kafka's default partitioner (murmur2). */
  readonly partition?: number;
}

/**
 * Settles one consumed record. A stage creates one per record; every {@link Committable} derived from that record
 * shares it, and only the first settlement counts.
 * @internal
 */
export interface Settlement {
  /** The record produced `outputs` (possibly none); done once they are durable. */
  deliver(outputs: readonly OutboundRecord[]): void;
  /** The record goes to the dead-letter topic with the reason. */
  deadLetter(error: unknown, attempts: number): void;
  readonly settled: boolean;
}

/**
 * A consumed record travelling through a stage's operators: a decoded value with its key, headers and origin,
 * plus the handle that settles its offset. Like Alpakka's `CommittableMessage`: the offset is committed only
 * after the record is settled — its outputs durably produced, it was deliberately dropped ({@link ack}), or it was
 * dead-lettered ({@link deadLetter}). A record that is never settled holds its partition's commit point back, so
 * operators that drop records must ack them: use {@link filterRecords}, not RxJS `filter`.
 */
export class Committable<T> {
  constructor(
    readonly value: T,
    readonly key: string | null,
    readonly headers: Headers,
    readonly origin: RecordOrigin,
    /** @internal */
    readonly settlement: Settlement,
  ) {}

  /** The same record carrying another value (what `map` does to a record). */
  withValue<U>(value: U): Committable<U> {
    return new Committable(value, this.key, this.headers, this.origin, this.settlement);
  }

  /** Marks the record done with no output: it was deliberately dropped. */
  ack(): void {
    this.settlement.deliver([]);
  }

  /**
   * Sends the record's original bytes and headers to the dead-letter topic, with headers saying which stage
   * failed, why, after how many attempts, and where the record came from. The record is then done.
   */
  deadLetter(error: unknown, attempts = 1): void {
    this.settlement.deadLetter(error, attempts);
  }

  /** True once the record was delivered, acked or dead-lettered. */
  get settled(): boolean {
    return this.settlement.settled;
  }
}

/** A record whose value is the list of records it leads to: what a stage's pipeline hands to its sink. */
export type Emission = Committable<readonly OutboundRecord[]>;
