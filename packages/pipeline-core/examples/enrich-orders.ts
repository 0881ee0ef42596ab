/**
 * A complete stage: consume `orders`, drop the empty ones, enrich each with an async customer lookup (32 at a
 * time, in order per customer, retried with backoff), and produce to `orders-enriched`. It runs unchanged on the
 * memory transport and on Kafka: only the transport passed in differs.
 */
import {
  concurrentMapByKey,
  createStage,
  filterRecords,
  jsonSerde,
  retryBackoff,
  type Transport,
  toTopic,
} from '@tm/pipeline-core';
import { defer, map } from 'rxjs';

export interface Order {
  orderId: string;
  customerId: string;
  amount: number;
}
export type EnrichedOrder = Order & { customerName: string };

export function enrichOrdersStage(
  transport: Transport,
  lookupCustomer: (id: string) => Promise<{ name: string }>,
  topics = { orders: 'orders', enriched: 'orders-enriched' },
) {
  return createStage({
    name: 'enrich-orders',
    transport,
    input: { topics: topics.orders, serde: jsonSerde<Order>() },
    process: (orders) =>
      orders.pipe(
        filterRecords((order) => order.amount > 0),
        concurrentMapByKey(
          ({ value: order }) =>
            defer(() => lookupCustomer(order.customerId)).pipe(
              retryBackoff({ maxAttempts: 3, initialDelayMs: 50 }),
              map((customer): EnrichedOrder => ({ ...order, customerName: customer.name })),
            ),
          { concurrency: 32, keyOf: (order) => order.value.customerId },
        ),
        toTopic(topics.enriched, jsonSerde<EnrichedOrder>()),
      ),
  });
}
