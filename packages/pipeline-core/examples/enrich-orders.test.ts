import { jsonSerde } from '@tm/pipeline-core';
import { StageTestDriver } from '@tm/pipeline-core/testing';
import { expect } from 'chai';
import { type EnrichedOrder, enrichOrdersStage, type Order } from './enrich-orders.js';

describe('example: enrich-orders on the memory transport', () => {
  it('drops empty orders, enriches the rest through a flaky lookup, and commits everything', async () => {
    const driver = new StageTestDriver().createTopic('orders', 3).createTopic('orders-enriched', 3);
    const orders: Order[] = Array.from({ length: 20 }, (_, i) => ({
      orderId: `o${i}`,
      customerId: `c${i % 4}`,
      amount: i % 5 === 0 ? 0 : 100 * i,
    }));
    driver.pipeInput(
      'orders',
      jsonSerde<Order>(),
      orders.map((o) => ({ key: o.customerId, value: o })),
    );
    const failedOnce = new Set<string>();
    const stage = enrichOrdersStage(driver.transport, async (id) => {
      if (!failedOnce.has(id)) {
        failedOnce.add(id); // each customer's first lookup times out; the retry succeeds
        throw new Error('lookup timed out');
      }
      return { name: `Customer ${id}` };
    });
    let out: EnrichedOrder[];
    try {
      await stage.start();
      out = await driver.readOutput('orders-enriched', jsonSerde<EnrichedOrder>(), 16);
    } finally {
      await stage.stop();
    }
    expect(failedOnce.size).to.equal(4);
    expect(out.map((o) => o.orderId).sort()).to.deep.equal(
      orders
        .filter((o) => o.amount > 0)
        .map((o) => o.orderId)
        .sort(),
    );
    expect(out.every((o) => o.customerName === `Customer ${o.customerId}`)).to.equal(true);
    const committed = [...(await driver.committedOffsets('enrich-orders', 'orders')).values()].reduce(
      (a, b) => a + b,
      0,
    );
    expect(committed).to.equal(20);
  });
});
