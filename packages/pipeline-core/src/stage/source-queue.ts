import type { RawRecord } from '../record.js';
import type { TopicPartition, TransportConsumer } from '../transport/types.js';

/** What a {@link SourceQueue} asks of its stage. */
export interface SourceQueueOptions {
  /** The pipeline takes a record now: the stage is consuming, and no asynchronous decode holds the order. */
  accepting(): boolean;
  /** The stage's bounds (records in flight, records uncommitted) leave room for one more record. */
  hasRoom(): boolean;
  /** Hands one record to the pipeline. */
  emit(raw: RawRecord): void;
  /** Runs after each drain, before pausing is decided (the stage commits at once when its bound is what holds). */
  afterDrain(): void;
  /** The consumer whose partitions are paused and resumed (none while a recovery replaces it). */
  consumer(): TransportConsumer | undefined;
}

/**
 * The records a stage's consumer fetched that the pipeline has not taken yet, in the order fetched, and the
 * backpressure on the consumer: {@link drain} hands records over while the stage's bounds leave room, pauses every
 * assigned partition while records wait, and resumes them once nothing waits and there is room again.
 */
export class SourceQueue {
  #records: RawRecord[] = [];
  #head = 0;
  #draining = false;
  #drainAgain = false;
  #paused = false;
  #assigned: TopicPartition[] = [];

  constructor(private readonly o: SourceQueueOptions) {}

  /** Records fetched and not handed to the pipeline yet. */
  get queued(): number {
    return this.#records.length - this.#head;
  }

  /** The assigned partitions are paused (records wait, or the bounds are reached). */
  get paused(): boolean {
    return this.#paused;
  }

  get assigned(): readonly TopicPartition[] {
    return this.#assigned;
  }

  /** A drain may hand records over or resume the partitions: records wait, or the partitions are paused. */
  get needsDrain(): boolean {
    return this.#head < this.#records.length || this.#paused;
  }

  /** Queues a fetched batch's records from `fromOffset` on (those below were decided already); see {@link drain}. */
  add(records: readonly RawRecord[], fromOffset: number): void {
    for (const r of records) if (r.offset >= fromOffset) this.#records.push(r);
  }

  /**
   * Hands queued records to the pipeline while it accepts them and the bounds leave room; pauses the partitions
   * when records must wait. A drain started while one runs (a record settled as it was handed over) makes the
   * running one go round again.
   */
  drain(): void {
    if (this.#draining) {
      this.#drainAgain = true;
      return;
    }
    this.#draining = true;
    try {
      do {
        this.#drainAgain = false;
        while (this.#head < this.#records.length && this.o.accepting() && this.o.hasRoom()) {
          const raw = this.#records[this.#head] as RawRecord;
          this.#head += 1;
          this.o.emit(raw);
        }
      } while (this.#drainAgain);
    } finally {
      this.#draining = false;
    }
    if (this.#head > 4096 && this.#head * 2 > this.#records.length) {
      this.#records = this.#records.slice(this.#head);
      this.#head = 0;
    }
    this.o.afterDrain();
    this.#updatePause();
  }

  /**
   * The group assigned `partitions`: positions restart at the committed offsets, so queued records are forgotten.
   * A partition that stays assigned keeps its pause in the consumer (kafkajs does so across a rejoin): with the
   * queue just emptied nothing would resume it, and it would never be fetched again (issue 15, defect 8).
   */
  assign(partitions: readonly TopicPartition[]): void {
    this.clear();
    this.#assigned = [...partitions];
    this.#paused = false;
    this.o.consumer()?.resume(partitions);
  }

  /** The stage is stopping: nothing more is fetched, and what is queued is forgotten. */
  stopFetching(): void {
    if (this.#assigned.length > 0) this.o.consumer()?.pause(this.#assigned);
    this.clear();
  }

  /** Forgets the queued records (they are redelivered from the committed offsets). */
  clear(): void {
    this.#records = [];
    this.#head = 0;
  }

  /** The consumer was dropped (a recovery): no records, no partitions, nothing paused. */
  reset(): void {
    this.clear();
    this.#assigned = [];
    this.#paused = false;
  }

  #updatePause(): void {
    const consumer = this.o.consumer();
    if (!consumer || this.#assigned.length === 0) return;
    const backlog = this.#head < this.#records.length;
    if (backlog && !this.#paused) {
      this.#paused = true;
      consumer.pause(this.#assigned);
    } else if (!backlog && this.#paused && this.o.hasRoom()) {
      this.#paused = false;
      consumer.resume(this.#assigned);
    }
  }
}
