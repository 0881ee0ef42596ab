import { expect } from 'chai';
import { type SchemaRegistryDouble, startSchemaRegistryDouble } from '../testing/schema-registry-double.js';
import { AvroSchemaStore } from './avro-schema-store.js';
import { avroSerde } from './avro-serde.js';
import { fastRegistry, type Order, order, v1, v2 } from './order-schemas.test-support.js';

describe('avroSerde: writes one framing, reads both', () => {
  let registry: SchemaRegistryDouble;
  beforeEach(async () => {
    registry = await startSchemaRegistryDouble();
  });
  afterEach(async () => {
    await registry.close();
  });

  const storeOf = (current = v2) => {
    const store = new AvroSchemaStore();
    store.addCurrent(current);
    store.addVersion(v1);
    return store;
  };
  const withRegistry = (subjects: string | string[] = 'orders-value') => ({
    registry: { registry: registry.url, subjects, ...fastRegistry },
  });

  it('without a registry, writes single-object encoding and has nothing to get ready', () => {
    const serde = avroSerde<Order>({ store: storeOf(v1), schema: 'shop.Order' });
    expect(serde.ready).to.equal(undefined);
    const bytes = serde.encode(order);
    expect([...bytes.subarray(0, 2)]).to.deep.equal([0xc3, 0x01]);
    expect(serde.header()).to.deep.equal(bytes.subarray(0, 10));
    expect({ ...(serde.decode(bytes) as object) }).to.deep.equal(order);
  });

  it('with a registry, writes Confluent framing and reads single-object records written before it (older schema too)', async () => {
    const before = avroSerde<Order>({ store: storeOf(v1), schema: 'shop.Order' }).encode(order);
    const serde = avroSerde<Order & { channel: string }>({
      store: storeOf(),
      schema: 'shop.Order',
      ...withRegistry(),
    });
    await serde.ready?.();
    const bytes = serde.encode({ ...order, channel: 'app' });
    expect(bytes[0]).to.equal(0);
    expect({ ...((await serde.decode(bytes)) as object) }).to.deep.equal({ ...order, channel: 'app' });
    expect({ ...((await serde.decode(before)) as object) }).to.deep.equal({ ...order, channel: 'web' });
  });

  it('registers the schema as the store has it (defaults kept), under every subject', async () => {
    const serde = avroSerde<Order>({
      store: storeOf(),
      schema: 'shop.Order',
      ...withRegistry(['a-value', 'b-value']),
    });
    await serde.ready?.();
    expect(registry.requests).to.deep.equal([
      'POST /subjects/a-value/versions',
      'POST /subjects/b-value/versions',
    ]);
    const registered = await (await fetch(`${registry.url}/schemas/ids/1`)).json();
    expect(JSON.parse((registered as { schema: string }).schema).fields[3]).to.deep.include({
      default: 'web',
    });
  });

  it('without a registry, refuses a Confluent record and says why', async () => {
    const writer = avroSerde<Order>({ store: storeOf(v1), schema: 'shop.Order', ...withRegistry() });
    await writer.ready?.();
    const reader = avroSerde<Order>({ store: storeOf(v1), schema: 'shop.Order' });
    expect(() => reader.decode(writer.encode(order))).to.throw(
      'Confluent wire format (schema id 1) but no schema registry is configured to look it up',
    );
  });

  it('refuses bytes in neither framing', () => {
    const serde = avroSerde<Order>({ store: storeOf(v1), schema: 'shop.Order' });
    expect(() => serde.decode(Buffer.from('{"id":"o-1"}'))).to.throw(
      'neither Confluent wire format (magic byte 0) nor Avro single-object encoding (0xC3 0x01 marker)',
    );
  });
});
