import avro from 'avsc';
import { expect } from 'chai';
import { SchemaRegistryError } from '../errors.js';
import { type SchemaRegistryDouble, startSchemaRegistryDouble } from '../testing/schema-registry-double.js';
import { confluentAvroSerde } from './avro-confluent.js';
import { fastRegistry, type Order, order, v1, v2 } from './order-schemas.test-support.js';
import { SchemaRegistryClient } from './schema-registry-client.js';

/** Settles `promise` into what it became, so a test can look at a pending one without awaiting it. */
function observe<T>(promise: Promise<T>): {
  state: () => 'pending' | 'resolved' | 'rejected';
  value: () => T;
} {
  let state: 'pending' | 'resolved' | 'rejected' = 'pending';
  let value: T | undefined;
  promise.then(
    (v) => {
      state = 'resolved';
      value = v;
    },
    () => {
      state = 'rejected';
    },
  );
  return { state: () => state, value: () => value as T };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('confluentAvroSerde (against a Schema Registry test double)', () => {
  let registry: SchemaRegistryDouble;
  beforeEach(async () => {
    registry = await startSchemaRegistryDouble();
  });
  afterEach(async () => {
    await registry.close();
  });

  const serdeOf = <T>(schema = v1, subjects: string | string[] = 'orders-value', url = registry.url) =>
    confluentAvroSerde<T>({ registry: url, subjects, schema, ...fastRegistry });

  it('registers the writer schema, writes magic byte + schema id, and round-trips', async () => {
    const serde = serdeOf<Order>();
    expect(() => serde.encode(order)).to.throw('call ready() before encode()');
    await serde.ready();
    const bytes = serde.encode(order);
    expect(bytes[0]).to.equal(0);
    expect(bytes.readInt32BE(1)).to.equal(1);
    expect(serde.header()).to.deep.equal(bytes.subarray(0, 5));
    expect({ ...(serde.decode(bytes) as object) }).to.deep.equal(order);
    expect(registry.requests).to.deep.equal(['POST /subjects/orders-value/versions']);
  });

  it('registers under every subject given (TopicNameStrategy: one per topic written)', async () => {
    const serde = serdeOf<Order>(v1, ['orders-eu-value', 'orders-us-value']);
    await serde.ready();
    expect(registry.requests).to.deep.equal([
      'POST /subjects/orders-eu-value/versions',
      'POST /subjects/orders-us-value/versions',
    ]);
    expect(serde.encode(order).readInt32BE(1)).to.equal(1);
  });

  it('resolves a record written with an older registered schema to the newer reader, fetching it once', async () => {
    const writer = serdeOf<Order>(v1);
    await writer.ready();
    const written = writer.encode(order);
    const reader = serdeOf<Order & { channel: string }>(v2);
    await reader.ready();
    expect(reader.encode({ ...order, channel: 'app' }).readInt32BE(1)).to.equal(2);
    const first = reader.decode(written);
    expect(first).to.be.instanceOf(Promise);
    expect({ ...((await first) as object) }).to.deep.equal({ ...order, channel: 'web' });
    const again = reader.decode(written);
    expect(again).not.to.be.instanceOf(Promise); // known ids decode synchronously
    expect(registry.requests.filter((r) => r === 'GET /schemas/ids/1')).to.have.length(1);
  });

  it('fails the decode of an id the registry does not know (404, error code 40403)', async () => {
    const reader = serdeOf<Order>();
    const bytes = Buffer.concat([Buffer.from([0, 0, 0, 0, 42]), v1.toBuffer(order)]);
    let error: unknown;
    await Promise.resolve(reader.decode(bytes)).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(SchemaRegistryError);
    expect((error as SchemaRegistryError).schemaNotFound).to.equal(true);
    expect((error as Error).message).to.match(/GET \/schemas\/ids\/42: answered 404: Schema 42 not found/);
  });

  it('fails the decode of a writer schema that cannot be resolved to the reader', async () => {
    const other = confluentAvroSerde<{ name: string }>({
      registry: registry.url,
      subjects: 'people-value',
      schema: avro.Type.forSchema({
        type: 'record',
        name: 'Person',
        fields: [{ name: 'name', type: 'string' }],
      }),
      ...fastRegistry,
    });
    await other.ready();
    const reader = serdeOf<Order>();
    await Promise.resolve(reader.decode(other.encode({ name: 'x' }))).then(
      () => expect.fail('decoded'),
      (e: unknown) => expect((e as Error).message).to.equal('writer Person cannot be read as shop.Order'),
    );
  });

  it('waits out a registry that refuses connections, answers 503 or hangs, then decodes', async () => {
    const writer = serdeOf<Order>(v2);
    await writer.ready();
    const written = writer.encode({ ...order, channel: 'app' } as Order);
    const client = new SchemaRegistryClient({ url: registry.url, timeoutMs: 50 });
    const reader = confluentAvroSerde<Order>({ registry: client, subjects: [], schema: v1, ...fastRegistry });

    await registry.stop();
    const refused = observe(Promise.resolve(reader.decode(written)));
    await sleep(100);
    expect(refused.state()).to.equal('pending');
    await registry.start();
    registry.failWith(503);
    await sleep(60);
    expect(refused.state()).to.equal('pending');
    registry.failWith('hang');
    await sleep(120);
    expect(refused.state()).to.equal('pending');
    registry.failWith(undefined);
    for (let i = 0; i < 100 && refused.state() === 'pending'; i++) await sleep(10);
    expect(refused.state()).to.equal('resolved');
    expect({ ...(refused.value() as object) }).to.deep.equal(order);
  });

  it('retries a 404 that is not the registry’s own "schema not found" (a wrong URL, a proxy)', async () => {
    const writer = serdeOf<Order>();
    await writer.ready();
    const reader = serdeOf<Order>(v1, []);
    registry.failWith(404); // answers 404 with error code 404, not 40403
    const decoded = observe(Promise.resolve(reader.decode(writer.encode(order))));
    await sleep(60);
    expect(decoded.state()).to.equal('pending');
    registry.failWith(undefined);
    for (let i = 0; i < 100 && decoded.state() === 'pending'; i++) await sleep(10);
    expect(decoded.state()).to.equal('resolved');
  });

  it('ready() waits while the registry is down, then registers', async () => {
    await registry.stop();
    const serde = serdeOf<Order>();
    const ready = observe(serde.ready());
    await sleep(80);
    expect(ready.state()).to.equal('pending');
    await registry.start();
    for (let i = 0; i < 100 && ready.state() === 'pending'; i++) await sleep(10);
    expect(ready.state()).to.equal('resolved');
    expect(serde.encode(order).readInt32BE(1)).to.equal(1);
  });

  it('ready() fails at once when the registry refuses the schema (a 4xx answer), and may be tried again', async () => {
    registry.failWith(409);
    const serde = serdeOf<Order>();
    let error: unknown;
    await serde.ready().catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(SchemaRegistryError);
    expect((error as SchemaRegistryError).status).to.equal(409);
    registry.failWith(undefined);
    await serde.ready();
    expect(serde.encode(order)[0]).to.equal(0);
  });
});
