import type { OffsetLedger } from '../offsets/offset-ledger.js';
import type { TransportProducer } from '../transport/types.js';
import { type Committer, partitionKey } from './committer.js';

/**
 * Exactly-once: the settled prefix's outputs and its consumed offsets are written in one Kafka transaction. A failed
 * transaction is aborted and its drained outputs are gone, so the stage must consume again from its committed
 * offsets.
 */
export class TransactionalCommitter implements Committer {
  /**
   * Per partition, the offset after the last record committed in a transaction. A rebalance can restart a partition
   * below it (kafkajs fetches offsets without require_stable, so a transaction whose markers are not yet written is
   * not seen): such records were decided already and are skipped.
   */
  readonly #committedNext = new Map<string, number>();

  constructor(
    private readonly ledger: OffsetLedger,
    private readonly producer: () => TransportProducer,
    private readonly groupId: string,
  ) {}

  async commit(): Promise<number> {
    const points = this.ledger.drain();
    if (points.length === 0) return 0;
    const txn = await this.producer().transaction();
    try {
      await txn.send(points.flatMap((p) => p.outputs));
      await txn.sendOffsets(
        this.groupId,
        points.map((p) => ({ topic: p.topic, partition: p.partition, offset: p.nextOffset })),
      );
      await txn.commit();
      for (const p of points) this.#committedNext.set(partitionKey(p.topic, p.partition), p.nextOffset);
    } catch (err) {
      await txn.abort().catch(() => {});
      throw err;
    }
    return points.length;
  }

  /** Nothing to keep: what was not committed is redone from the committed offsets. */
  onAssignment(): void {}

  firstUndecided(topic: string, partition: number): number {
    return this.#committedNext.get(partitionKey(topic, partition)) ?? -1;
  }
}
