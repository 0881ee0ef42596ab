import avro from 'avsc';
import { pino } from 'pino';
import { REGISTRY_RETRY } from './avro-confluent.js';

/** shop.Order, version 1. */
export const v1 = avro.Type.forSchema({
  type: 'record',
  name: 'Order',
  namespace: 'shop',
  doc: 'an order',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'amount', type: 'long' },
    { name: 'placedAt', type: { type: 'long', logicalType: 'timestamp-millis' } },
  ],
});

/** shop.Order, version 2: adds a field with a default (backward compatible). */
export const v2 = avro.Type.forSchema({
  type: 'record',
  name: 'Order',
  namespace: 'shop',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'amount', type: 'long' },
    { name: 'placedAt', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'channel', type: 'string', default: 'web', doc: 'added in v2' },
  ],
});

export type Order = { id: string; amount: number; placedAt: number };
export const order: Order = { id: 'o-1', amount: 25000, placedAt: 1_700_000_000_000 };

/** Registry waits short enough for unit tests, and a logger that keeps them quiet. */
export const fastRegistry = {
  retry: { ...REGISTRY_RETRY, initialDelayMs: 5, maxDelayMs: 20 },
  logger: pino({ level: 'silent' }),
};
