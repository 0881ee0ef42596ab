import type { OffsetLedger } from '../offsets/offset-ledger.js';
import type { TopicPartitionOffset, TransportConsumer } from '../transport/types.js';
import { type Committer, partitionKey } from './committer.js';

/**
 * At-least-once: the consumer commits the offsets after each partition's settled prefix; the outputs were produced
 * as their records settled. Commit points drained from the ledger but not committed (the commit failed, or a
 * rebalance came first) are kept and go with the next commit.
 */
export class OffsetCommitter implements Committer {
  readonly #pending = new Map<string, TopicPartitionOffset>();

  constructor(
    private readonly ledger: OffsetLedger,
    private readonly consumer: () => TransportConsumer,
  ) {}

  async commit(): Promise<number> {
    this.#collect();
    if (this.#pending.size === 0) return 0;
    const offsets = [...this.#pending.values()];
    await this.consumer().commit(offsets);
    for (const o of offsets) {
      const key = partitionKey(o.topic, o.partition);
      if (this.#pending.get(key) === o) this.#pending.delete(key);
    }
    return offsets.length;
  }

  /** The old generation's settled prefix is kept before the ledger forgets it. */
  onAssignment(): void {
    this.#collect();
  }

  firstUndecided(): number {
    return -1;
  }

  #collect(): void {
    for (const point of this.ledger.drain()) {
      this.#pending.set(partitionKey(point.topic, point.partition), {
        topic: point.topic,
        partition: point.partition,
        offset: point.nextOffset,
      });
    }
  }
}
