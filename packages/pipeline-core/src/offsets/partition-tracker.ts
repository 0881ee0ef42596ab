import type { OutboundRecord } from '../record.js';

/** One consumed record's place in its partition, pending until completed. */
export interface TrackedOffset {
  readonly offset: number;
  done: boolean;
  /** What the record produced, kept only for transactional commits. */
  outputs: readonly OutboundRecord[] | undefined;
}

/** What {@link PartitionTracker.drain} hands to a committer. */
export interface DrainedPrefix {
  /** The offset to commit: one past the last finished record of the prefix. */
  readonly nextOffset: number;
  /** Outputs of the drained records, in offset order (transactional mode only). */
  readonly outputs: readonly OutboundRecord[];
  /** How many records the prefix held. */
  readonly count: number;
}

/**
 * Tracks the records of one partition that were handed to a pipeline, in offset order, and finds the contiguous
 * prefix of finished ones (like Reactor Kafka's CommittableBatch and the Parallel Consumer's PartitionState).
 * Records complete in any order; the commit point only ever moves to one past the highest contiguous finished
 * offset, so out-of-order completion never skips a record. Offsets that were never delivered (transaction markers,
 * compacted records) are not tracked and so never hold the prefix back.
 */
export class PartitionTracker {
  #queue: TrackedOffset[] = [];
  #head = 0;
  #lastRegistered = -1;

  /** Number of registered records not yet drained (finished or not). */
  get size(): number {
    return this.#queue.length - this.#head;
  }

  /** Registers the next record handed to the pipeline. Offsets must increase. */
  register(offset: number): TrackedOffset {
    if (offset <= this.#lastRegistered) {
      throw new Error(`offset ${offset} registered after ${this.#lastRegistered}; offsets must increase`);
    }
    this.#lastRegistered = offset;
    const entry: TrackedOffset = { offset, done: false, outputs: undefined };
    this.#queue.push(entry);
    return entry;
  }

  /**
   * Removes the finished prefix and returns the offset to commit, or undefined when the first pending record is
   * not finished yet.
   */
  drain(): DrainedPrefix | undefined {
    const queue = this.#queue;
    let i = this.#head;
    if (i >= queue.length || !queue[i]?.done) return undefined;
    const outputs: OutboundRecord[] = [];
    let last = -1;
    while (i < queue.length) {
      const entry = queue[i] as TrackedOffset;
      if (!entry.done) break;
      if (entry.outputs) for (const o of entry.outputs) outputs.push(o);
      last = entry.offset;
      i += 1;
    }
    const count = i - this.#head;
    this.#head = i;
    if (this.#head > 1024 && this.#head * 2 > queue.length) {
      this.#queue = queue.slice(this.#head);
      this.#head = 0;
    }
    return { nextOffset: last + 1, outputs, count };
  }
}
