import type { OutboundRecord } from '../../record.js';
import type {
  ConsumerHandlers,
  ConsumerOptions,
  ProducerOptions,
  TopicPartition,
  TopicPartitionOffset,
  TopicSpec,
  Transport,
  TransportConsumer,
  TransportProducer,
  TransportTransaction,
} from '../types.js';
import { type GroupMember, MemoryBroker } from './broker.js';

const tpKey = (topic: string, partition: number) => `${topic}\u0000${partition}`;
const IDLE_WAIT_MS = 50;

class MemoryConsumer implements TransportConsumer, GroupMember {
  readonly groupId: string;
  readonly topics: readonly string[];
  #handlers: ConsumerHandlers | undefined;
  #assigned: TopicPartition[] = [];
  #positions = new Map<string, number>();
  #paused = new Set<string>();
  #running = false;
  #loop: Promise<void> | undefined;

  constructor(
    private readonly broker: MemoryBroker,
    private readonly options: ConsumerOptions,
  ) {
    this.groupId = options.groupId;
    this.topics = options.topics;
  }

  assign(partitions: readonly TopicPartition[]): void {
    this.#assigned = [...partitions];
    this.#positions.clear();
    for (const { topic, partition } of partitions) {
      const committed = this.broker.committed(this.groupId, topic, partition);
      const start =
        committed ??
        (this.options.fromBeginning === false ? this.broker.read(topic, partition, 0, 0).highWatermark : 0);
      this.#positions.set(tpKey(topic, partition), start);
    }
    this.#paused = new Set([...this.#paused].filter((k) => this.#positions.has(k)));
    if (this.#handlers) this.#handlers.onAssignment(this.#assigned);
  }

  async start(handlers: ConsumerHandlers): Promise<void> {
    this.#handlers = handlers;
    this.#running = true;
    this.broker.join(this.groupId, this);
    this.#loop = this.#fetchLoop().catch((err: unknown) => {
      this.#running = false;
      handlers.onCrash(err instanceof Error ? err : new Error(String(err)));
    });
  }

  async #fetchLoop(): Promise<void> {
    const max = this.options.maxBatchSize ?? 500;
    while (this.#running) {
      let delivered = false;
      for (const { topic, partition } of this.#assigned) {
        const key = tpKey(topic, partition);
        if (!this.#running) return;
        if (this.#paused.has(key)) continue;
        const position = this.#positions.get(key);
        if (position === undefined) continue;
        const { records, highWatermark } = this.broker.read(topic, partition, position, max);
        if (records.length === 0) continue;
        this.#positions.set(key, position + records.length);
        delivered = true;
        await this.#handlers?.onBatch({ topic, partition, records, highWatermark });
      }
      if (delivered) await new Promise<void>((resolve) => setImmediate(resolve));
      else await this.broker.waitForChange(IDLE_WAIT_MS);
    }
  }

  pause(partitions: readonly TopicPartition[]): void {
    for (const { topic, partition } of partitions) this.#paused.add(tpKey(topic, partition));
  }

  resume(partitions: readonly TopicPartition[]): void {
    for (const { topic, partition } of partitions) this.#paused.delete(tpKey(topic, partition));
    this.broker.append([]); // wakes the fetch loop
  }

  async commit(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    this.broker.commit(this.groupId, offsets);
  }

  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.broker.leave(this.groupId, this);
    await this.#loop;
  }
}

class MemoryProducer implements TransportProducer {
  #epoch: number | undefined;

  constructor(
    private readonly broker: MemoryBroker,
    private readonly options: ProducerOptions,
  ) {}

  async connect(): Promise<void> {
    if (this.options.transactionalId)
      this.#epoch = this.broker.initTransactions(this.options.transactionalId);
  }

  async send(records: readonly OutboundRecord[]): Promise<void> {
    this.broker.append(records);
  }

  async transaction(): Promise<TransportTransaction> {
    const id = this.options.transactionalId;
    const epoch = this.#epoch;
    if (id === undefined || epoch === undefined)
      throw new Error('transaction() needs a connected producer with a transactionalId');
    this.broker.assertNotFenced(id, epoch);
    const records: OutboundRecord[] = [];
    const offsets: { groupId: string; offsets: readonly TopicPartitionOffset[] }[] = [];
    let open = true;
    const check = () => {
      if (!open) throw new Error('transaction already committed or aborted');
      this.broker.assertNotFenced(id, epoch);
    };
    return {
      send: async (more) => {
        check();
        records.push(...more);
      },
      sendOffsets: async (groupId, more) => {
        check();
        offsets.push({ groupId, offsets: more });
      },
      commit: async () => {
        check();
        open = false;
        this.broker.commitTransaction(id, epoch, records, offsets);
      },
      abort: async () => {
        open = false;
      },
    };
  }

  async disconnect(): Promise<void> {}
}

/**
 * The in-memory transport: every stage of a process shares one {@link MemoryBroker}. Used by the embedded default
 * (`pnpm demo`) and by tests; the contract suite holds it to the same behaviour as the Kafka transport.
 */
export function memoryTransport(broker = new MemoryBroker()): Transport & { broker: MemoryBroker } {
  return {
    kind: 'memory',
    broker,
    createConsumer: (options) => new MemoryConsumer(broker, options),
    createProducer: (options = {}) => new MemoryProducer(broker, options),
    ensureTopics: async (topics: readonly TopicSpec[]) => {
      for (const t of topics) broker.createTopic(t.topic, t.partitions);
    },
    committedOffsets: async (groupId, topic) => {
      const offsets = new Map<number, number>();
      for (let p = 0; p < broker.partitionCount(topic); p += 1) {
        const committed = broker.committed(groupId, topic, p);
        if (committed !== undefined) offsets.set(p, committed);
      }
      return offsets;
    },
    close: async () => {},
  };
}
