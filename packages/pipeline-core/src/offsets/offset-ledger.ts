import type { OutboundRecord, RecordOrigin } from '../record.js';
import { PartitionTracker, type TrackedOffset } from './partition-tracker.js';

/** A record registered with the ledger, until it completes. */
export interface LedgerEntry {
  readonly generation: number;
  readonly topic: string;
  readonly partition: number;
  readonly tracked: TrackedOffset;
}

/** A partition's new commit point, and (transactional mode) the outputs of the records it covers. */
export interface CommitPoint {
  readonly topic: string;
  readonly partition: number;
  readonly nextOffset: number;
  readonly outputs: readonly OutboundRecord[];
  readonly count: number;
}

/**
 * The offsets of every record a stage has handed to its pipeline, per partition, for the current consumer-group
 * generation. A rebalance starts a new generation: the transport restarts assigned partitions from their committed
 * offsets, so records still in flight from the old generation will be delivered again; their completions are
 * counted (they free in-flight capacity) but never committed.
 */
export class OffsetLedger {
  #generation = 0;
  #trackers = new Map<string, PartitionTracker & { topic: string; partition: number }>();
  #inFlight = 0;
  #uncommitted = 0;
  /** Entries of generations below this were abandoned: their completions change nothing. */
  #abandonedBelow = 0;

  /**
   * Records of the current generation registered and not yet drained by a commit, finished or not: what a stage
   * still holds (and, in exactly-once mode, the outputs it keeps) for its partitions.
   */
  get uncommitted(): number {
    return this.#uncommitted;
  }

  /** Records registered and not yet completed, all generations. */
  get inFlight(): number {
    return this.#inFlight;
  }

  get generation(): number {
    return this.#generation;
  }

  /** Forgets every partition: a rebalance happened. */
  newGeneration(): void {
    this.#generation += 1;
    this.#trackers.clear();
    this.#uncommitted = 0;
  }

  /**
   * Forgets every record, in flight or not: the stage dropped its pipeline (broker trouble) and is fed again from
   * the committed offsets. Completions of the dropped records no longer free capacity, since none is held for them.
   */
  abandon(): void {
    this.newGeneration();
    this.#abandonedBelow = this.#generation;
    this.#inFlight = 0;
  }

  register(origin: RecordOrigin): LedgerEntry {
    const id = `${origin.topic}\u0000${origin.partition}`;
    let tracker = this.#trackers.get(id);
    if (!tracker) {
      tracker = Object.assign(new PartitionTracker(), { topic: origin.topic, partition: origin.partition });
      this.#trackers.set(id, tracker);
    }
    this.#inFlight += 1;
    this.#uncommitted += 1;
    return {
      generation: this.#generation,
      topic: origin.topic,
      partition: origin.partition,
      tracked: tracker.register(origin.offset),
    };
  }

  /**
   * Marks an entry finished. `outputs` are kept only when given (transactional mode). Returns false when the entry
   * was already complete.
   */
  complete(entry: LedgerEntry, outputs?: readonly OutboundRecord[]): boolean {
    if (entry.tracked.done || entry.generation < this.#abandonedBelow) return false;
    entry.tracked.done = true;
    entry.tracked.outputs = outputs;
    this.#inFlight -= 1;
    return true;
  }

  /** Whether an entry belongs to the current generation (its offset may still be committed). */
  isCurrent(entry: LedgerEntry): boolean {
    return entry.generation === this.#generation;
  }

  /** Drains every partition's finished prefix; returns the partitions whose commit point moved. */
  drain(): CommitPoint[] {
    const points: CommitPoint[] = [];
    for (const tracker of this.#trackers.values()) {
      const prefix = tracker.drain();
      if (prefix) {
        this.#uncommitted -= prefix.count;
        points.push({ topic: tracker.topic, partition: tracker.partition, ...prefix });
      }
    }
    return points;
  }
}
