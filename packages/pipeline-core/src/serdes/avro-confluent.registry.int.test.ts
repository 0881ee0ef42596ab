import { type ApicurioRegistry, schemaRegistryOrSkip, uniqueName } from '@tm/infra';
import avro from 'avsc';
import { expect } from 'chai';
import { SchemaRegistryError } from '../errors.js';
import { confluentAvroSerde } from './avro-confluent.js';
import { AvroSchemaStore } from './avro-schema-store.js';
import { avroSerde } from './avro-serde.js';
import { fastRegistry, type Order, order, v1, v2 } from './order-schemas.test-support.js';

/** The Confluent serde against a real Confluent-compatible registry: Apicurio Registry 3 (ADR 0124). */
describe('Confluent wire format against Apicurio Registry', function () {
  this.timeout(300_000);
  let registry: ApicurioRegistry;
  before(async function () {
    registry = await schemaRegistryOrSkip(this);
  });

  const storeOf = (current: typeof v1, ...older: (typeof v1)[]) => {
    const store = new AvroSchemaStore();
    store.addCurrent(current);
    for (const version of older) store.addVersion(version);
    return store;
  };
  const registryAt = (subjects: string | string[]) => ({ registry: registry.url, subjects, ...fastRegistry });
  const sr = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${registry.url}${path}`, {
      method,
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('registers the schema under the subject and round-trips a record', async () => {
    const subject = `${uniqueName('orders')}-value`;
    const serde = avroSerde<Order>({
      store: storeOf(v1),
      schema: 'shop.Order',
      registry: registryAt(subject),
    });
    await serde.ready?.();
    const bytes = serde.encode(order);
    expect(bytes[0]).to.equal(0);
    const id = bytes.readInt32BE(1);
    const latest = await sr('GET', `/subjects/${subject}/versions/latest`);
    expect(latest.body).to.include({ subject, id, version: 1 });
    // A fresh reader (another process) fetches the id from the registry.
    const reader = avroSerde<Order>({ store: storeOf(v1), schema: 'shop.Order', registry: registryAt([]) });
    expect({ ...((await reader.decode(bytes)) as object) }).to.deep.equal(order);
  });

  it('gives one schema the same id in every subject (records of several topics carry one id)', async () => {
    const [a, b] = [`${uniqueName('eu')}-value`, `${uniqueName('us')}-value`];
    const serde = avroSerde<Order>({
      store: storeOf(v1),
      schema: 'shop.Order',
      registry: registryAt([a, b]),
    });
    await serde.ready?.();
    const ids = await Promise.all([a, b].map((s) => sr('GET', `/subjects/${s}/versions/latest`)));
    expect(ids.map((r) => r.body.id)).to.deep.equal([
      serde.header().readInt32BE(1),
      serde.header().readInt32BE(1),
    ]);
  });

  it('reads a record written with an older registered schema with the newer one', async () => {
    const subject = `${uniqueName('orders')}-value`;
    const writer = avroSerde<Order>({
      store: storeOf(v1),
      schema: 'shop.Order',
      registry: registryAt(subject),
    });
    await writer.ready?.();
    const written = writer.encode(order);
    const reader = avroSerde<Order & { channel: string }>({
      store: storeOf(v2),
      schema: 'shop.Order',
      registry: registryAt(subject),
    });
    await reader.ready?.();
    expect(reader.header().readInt32BE(1)).not.to.equal(written.readInt32BE(1));
    expect((await sr('GET', `/subjects/${subject}/versions`)).body).to.deep.equal([1, 2]);
    expect({ ...((await reader.decode(written)) as object) }).to.deep.equal({ ...order, channel: 'web' });
  });

  it('refuses, at ready(), a schema the subject’s BACKWARD compatibility rejects', async () => {
    const subject = `${uniqueName('orders')}-value`;
    await confluentAvroSerde({ schema: v1, ...registryAt(subject) }).ready();
    expect((await sr('PUT', `/config/${subject}`, { compatibility: 'BACKWARD' })).status).to.equal(200);
    const incompatible = avro.Type.forSchema({
      type: 'record',
      name: 'Order',
      namespace: 'shop',
      fields: [{ name: 'id', type: 'int' }],
    });
    const error = await confluentAvroSerde({ schema: incompatible, ...registryAt(subject) })
      .ready()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).to.be.instanceOf(SchemaRegistryError);
    expect([(error as SchemaRegistryError).status, (error as SchemaRegistryError).retriable]).to.deep.equal([
      409,
      false,
    ]);
  });

  it('fails the decode of a schema id the registry does not know', async () => {
    const reader = avroSerde<Order>({ store: storeOf(v1), schema: 'shop.Order', registry: registryAt([]) });
    const bytes = Buffer.concat([Buffer.from([0, 0x7f, 0, 0, 1]), v1.toBuffer(order)]);
    const error = await Promise.resolve(reader.decode(bytes)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as SchemaRegistryError).schemaNotFound, String(error)).to.equal(true);
  });
});
