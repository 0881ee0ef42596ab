import type { RawRecord } from '../record.js';
import type { Serde } from '../serdes/serde.js';
import { MemoryBroker } from '../transport/memory/broker.js';
import { memoryTransport } from '../transport/memory/memory-transport.js';
import type { Transport } from '../transport/types.js';
import { eventually } from './transport-helpers.js';

/**
 * A topology test driver over the memory transport: create topics, pipe input records in, run your stage on
 * `driver.transport`, and read what it produced and committed — no broker, no ports.
 *
 * ## Example
 * ```ts
 * const driver = new StageTestDriver();
 * driver.createTopic('orders', 3);
 * driver.pipeInput('orders', jsonSerde<Order>(), [{ key: 'c1', value: order }]);
 * const stage = enrichOrdersStage(driver.transport, lookup);
 * await stage.start();
 * const out = await driver.readOutput('orders-enriched', jsonSerde<EnrichedOrder>(), 1);
 * await stage.stop();
 * ```
 */
export class StageTestDriver {
  readonly broker = new MemoryBroker();
  readonly transport: Transport = memoryTransport(this.broker);

  createTopic(topic: string, partitions = 1): this {
    this.broker.createTopic(topic, partitions);
    return this;
  }

  /** Appends records to a topic, encoding values with `serde`. */
  pipeInput<T>(
    topic: string,
    serde: Serde<T>,
    records: readonly { key?: string | null; value: T; headers?: Record<string, string> }[],
  ): this {
    this.broker.append(
      records.map((r) => ({
        topic,
        key: r.key ?? null,
        value: serde.encode(r.value),
        ...(r.headers ? { headers: r.headers } : {}),
      })),
    );
    return this;
  }

  /** Everything on a topic so far, undecoded. */
  rawOutput(topic: string): RawRecord[] {
    return this.broker.records(topic);
  }

  /** Waits until a topic holds at least `count` records, then decodes them all. */
  async readOutput<T>(topic: string, serde: Serde<T>, count: number, timeoutMs = 10_000): Promise<T[]> {
    await eventually(
      () => this.broker.records(topic).length >= count,
      `${count} records on ${topic}`,
      timeoutMs,
    );
    return Promise.all(this.broker.records(topic).map((r) => serde.decode(r.value ?? Buffer.alloc(0))));
  }

  /** A group's committed offset per partition of a topic. */
  committedOffsets(groupId: string, topic: string): Promise<Map<number, number>> {
    return this.transport.committedOffsets(groupId, topic);
  }
}
