/**
 * How a stage commits what it has settled, one implementation per delivery guarantee (as Alpakka separates
 * `Committer` from `Transactional`): {@link OffsetCommitter} for at-least-once, {@link TransactionalCommitter} for
 * exactly-once. Both commit only the contiguous settled prefix of each partition, which the stage's offset ledger
 * hands out.
 */
export interface Committer {
  /** Commits what is settled; resolves with the number of partitions committed (0: nothing was due). */
  commit(): Promise<number>;
  /** The group assigned partitions again: positions restart at the committed offsets. */
  onAssignment(): void;
  /** The first offset of a partition not decided yet by this stage; records below it are skipped (-1: none). */
  firstUndecided(topic: string, partition: number): number;
}

export const partitionKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`;
