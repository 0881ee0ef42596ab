import type { OutboundRecord, RawRecord } from '../../record.js';
import { partitionForKey } from '../partitioner.js';
import type { TopicPartition, TopicPartitionOffset } from '../types.js';

/** A transactional producer was replaced by a newer one with the same transactional id. */
export class ProducerFencedError extends Error {
  constructor(readonly transactionalId: string) {
    super(`producer with transactional id ${transactionalId} was fenced by a newer instance`);
    this.name = 'ProducerFencedError';
  }
}

/** A group member as the broker sees it. */
export interface GroupMember {
  readonly topics: readonly string[];
  /** Called with the member's new partitions whenever the group rebalances. */
  assign(partitions: readonly TopicPartition[]): void;
}

interface Group {
  members: GroupMember[];
  committed: Map<string, number>;
}

const tpKey = (topic: string, partition: number) => `${topic}\u0000${partition}`;
const toBuffer = (key: string | Buffer | null): Buffer | null =>
  key === null ? null : typeof key === 'string' ? Buffer.from(key) : key;

/**
 * An in-process message broker with Kafka's semantics where stages can observe them: topics with partitions
 * (records placed by Kafka's default murmur2 partitioner), consumer groups whose members share the
 * partitions and rebalance when members come and go, committed offsets per group, and transactions whose records
 * and offsets appear together at commit (so every reader is read_committed) with zombie fencing by transactional
 * id. Like Reactor Kafka's MockCluster, it lets the contract suite run without a broker.
 */
export class MemoryBroker {
  readonly #topics = new Map<string, RawRecord[][]>();
  readonly #groups = new Map<string, Group>();
  readonly #transactionalEpochs = new Map<string, number>();
  #roundRobin = 0;
  #waiters: (() => void)[] = [];

  /** Partitions of topics created implicitly by producing to them (Kafka's num.partitions). */
  constructor(readonly defaultPartitions = 1) {}

  createTopic(topic: string, partitions: number): void {
    if (this.#topics.has(topic)) return;
    if (!Number.isInteger(partitions) || partitions < 1)
      throw new RangeError(`partitions must be >= 1, got ${partitions}`);
    this.#topics.set(
      topic,
      Array.from({ length: partitions }, () => []),
    );
    this.#rebalanceGroupsOf(topic);
  }

  partitionCount(topic: string): number {
    return this.#topics.get(topic)?.length ?? 0;
  }

  #partitions(topic: string): RawRecord[][] {
    let partitions = this.#topics.get(topic);
    if (!partitions) {
      this.createTopic(topic, this.defaultPartitions);
      partitions = this.#topics.get(topic) as RawRecord[][];
    }
    return partitions;
  }

  /** Appends records (atomically, as one write) and wakes waiting consumers. */
  append(records: readonly OutboundRecord[]): void {
    const now = Date.now();
    for (const record of records) {
      const partitions = this.#partitions(record.topic);
      const key = toBuffer(record.key);
      const partition =
        record.partition ??
        (key === null
          ? (this.#roundRobin++ & 0x7fffffff) % partitions.length
          : partitionForKey(key, partitions.length));
      const log = partitions[partition];
      if (!log) throw new RangeError(`${record.topic} has no partition ${partition}`);
      log.push({
        topic: record.topic,
        partition,
        offset: log.length,
        timestamp: now,
        key,
        value: record.value,
        headers: record.headers ?? {},
      });
    }
    this.#wake();
  }

  /** Up to `max` records of a partition from `offset` on. */
  read(
    topic: string,
    partition: number,
    offset: number,
    max: number,
  ): { records: RawRecord[]; highWatermark: number } {
    const log = this.#topics.get(topic)?.[partition] ?? [];
    return { records: log.slice(offset, offset + max), highWatermark: log.length };
  }

  /** All records of a topic, partition by partition (for tests). */
  records(topic: string): RawRecord[] {
    return (this.#topics.get(topic) ?? []).flat();
  }

  /** Resolves when records are appended, offsets or assignments change, or after `ms`. */
  waitForChange(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#waiters.push(done);
    });
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  // --- consumer groups --------------------------------------------------------------------------------------

  #group(groupId: string): Group {
    let group = this.#groups.get(groupId);
    if (!group) {
      group = { members: [], committed: new Map() };
      this.#groups.set(groupId, group);
    }
    return group;
  }

  join(groupId: string, member: GroupMember): void {
    const group = this.#group(groupId);
    for (const topic of member.topics) this.#partitions(topic);
    group.members.push(member);
    this.#rebalance(group);
  }

  leave(groupId: string, member: GroupMember): void {
    const group = this.#group(groupId);
    group.members = group.members.filter((m) => m !== member);
    this.#rebalance(group);
  }

  /** Round-robin assignment of every subscribed partition over the members, in join order. */
  #rebalance(group: Group): void {
    const assignments = new Map<GroupMember, TopicPartition[]>(group.members.map((m) => [m, []]));
    const topics = [...new Set(group.members.flatMap((m) => m.topics))].sort();
    for (const topic of topics) {
      const subscribers = group.members.filter((m) => m.topics.includes(topic));
      const count = this.partitionCount(topic);
      for (let partition = 0; partition < count; partition += 1) {
        const member = subscribers[partition % subscribers.length];
        if (member) assignments.get(member)?.push({ topic, partition });
      }
    }
    for (const [member, partitions] of assignments) member.assign(partitions);
    this.#wake();
  }

  #rebalanceGroupsOf(topic: string): void {
    for (const group of this.#groups.values()) {
      if (group.members.some((m) => m.topics.includes(topic))) this.#rebalance(group);
    }
  }

  commit(groupId: string, offsets: readonly TopicPartitionOffset[]): void {
    const group = this.#group(groupId);
    for (const o of offsets) group.committed.set(tpKey(o.topic, o.partition), o.offset);
  }

  committed(groupId: string, topic: string, partition: number): number | undefined {
    return this.#groups.get(groupId)?.committed.get(tpKey(topic, partition));
  }

  // --- transactions -----------------------------------------------------------------------------------------

  /** Registers a transactional producer instance; any older instance with the same id is fenced. */
  initTransactions(transactionalId: string): number {
    const epoch = (this.#transactionalEpochs.get(transactionalId) ?? -1) + 1;
    this.#transactionalEpochs.set(transactionalId, epoch);
    return epoch;
  }

  assertNotFenced(transactionalId: string, epoch: number): void {
    if (this.#transactionalEpochs.get(transactionalId) !== epoch)
      throw new ProducerFencedError(transactionalId);
  }

  /** Makes a transaction's records and offsets visible together. */
  commitTransaction(
    transactionalId: string,
    epoch: number,
    records: readonly OutboundRecord[],
    offsets: readonly { groupId: string; offsets: readonly TopicPartitionOffset[] }[],
  ): void {
    this.assertNotFenced(transactionalId, epoch);
    this.append(records);
    for (const o of offsets) this.commit(o.groupId, o.offsets);
  }
}
