import { testServices, uniqueName } from '@tm/infra';
import { jsonSerde, kafkaTransport } from '@tm/pipeline-core';
import { produce, readTopic } from '@tm/pipeline-core/testing';
import { expect } from 'chai';
import { logLevel } from 'kafkajs';
import { type EnrichedOrder, enrichOrdersStage, type Order } from './enrich-orders.js';

describe('example: enrich-orders on Kafka', () => {
  it('runs unchanged against a real broker', async function () {
    this.timeout(60_000);
    const transport = kafkaTransport({ brokers: testServices().kafkaBrokers, logLevel: logLevel.ERROR });
    const topics = { orders: uniqueName('orders'), enriched: uniqueName('orders-enriched') };
    await transport.ensureTopics([
      { topic: topics.orders, partitions: 3 },
      { topic: topics.enriched, partitions: 3 },
    ]);
    const serde = jsonSerde<Order>();
    const orders: Order[] = Array.from({ length: 30 }, (_, i) => ({
      orderId: `o${i}`,
      customerId: `c${i % 5}`,
      amount: i % 10 === 0 ? 0 : i,
    }));
    await produce(
      transport,
      orders.map((o) => ({ topic: topics.orders, key: o.customerId, value: serde.encode(o) })),
    );
    const stage = enrichOrdersStage(transport, async (id) => ({ name: `Customer ${id}` }), topics);
    await stage.start();
    const out = await readTopic(transport, topics.enriched, 27);
    await stage.stop();
    await transport.close();
    const enriched = out.map((r) => JSON.parse(String(r.value)) as EnrichedOrder);
    expect(enriched.map((o) => o.orderId).sort()).to.deep.equal(
      orders
        .filter((o) => o.amount > 0)
        .map((o) => o.orderId)
        .sort(),
    );
  });
});
