import { expect } from 'chai';
import { map } from 'rxjs';
import { createStage } from '../stage/stage.js';
import { type SchemaRegistryDouble, startSchemaRegistryDouble } from '../testing/schema-registry-double.js';
import { StageTestDriver } from '../testing/stage-test-driver.js';
import { eventually } from '../testing/transport-helpers.js';
import { confluentAvroSerde } from './avro-confluent.js';
import { AvroSchemaStore } from './avro-schema-store.js';
import { avroSerde } from './avro-serde.js';
import { fastRegistry, type Order, order, v1, v2 } from './order-schemas.test-support.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A stage over the memory transport whose input serde uses a Schema Registry double that goes down and comes back. */
describe('a stage whose Schema Registry is down', () => {
  let registry: SchemaRegistryDouble;
  let driver: StageTestDriver;
  beforeEach(async () => {
    registry = await startSchemaRegistryDouble();
    driver = new StageTestDriver().createTopic('orders', 1).createTopic('order-ids', 1);
  });
  afterEach(async () => {
    await registry.close();
  });

  const stageReading = (serde: ReturnType<typeof avroSerde<Order>>) =>
    createStage<Order>({
      name: 'copy-ids',
      transport: driver.transport,
      input: { topics: 'orders', serde },
      commitIntervalMs: 20,
      logger: fastRegistry.logger,
      process: (records) =>
        records.pipe(
          map((r) => r.withValue([{ topic: 'order-ids', key: r.key, value: Buffer.from(r.value.id) }])),
        ),
    });
  const readerSerde = () => {
    const store = new AvroSchemaStore();
    store.addCurrent(v1);
    return avroSerde<Order>({
      store,
      schema: 'shop.Order',
      registry: { registry: registry.url, subjects: 'orders-value', ...fastRegistry },
    });
  };

  it('stays unready while it cannot register its schema, and starts once the registry answers', async () => {
    await registry.stop();
    const stage = stageReading(readerSerde());
    const started = stage.start();
    await sleep(100);
    expect(stage.health()).to.include({ state: 'starting', ready: false });
    await registry.start();
    await started;
    expect(stage.health()).to.include({ state: 'running', ready: true });
    await stage.stop();
  });

  it('holds records of an unseen schema id, in order, until the registry is back; dead-letters none', async () => {
    const stage = stageReading(readerSerde());
    await stage.start();
    // Another producer writes with v2, a schema id the stage has not met, then the registry goes down.
    const writer = confluentAvroSerde<Order & { channel: string }>({
      registry: registry.url,
      subjects: 'orders-value',
      schema: v2,
      ...fastRegistry,
    });
    await writer.ready();
    await registry.stop();
    const ids = Array.from({ length: 20 }, (_, i) => `o-${i}`);
    driver.pipeInput(
      'orders',
      writer,
      ids.map((id) => ({ key: 'k', value: { ...order, id, channel: 'app' } })),
    );
    await sleep(300);
    expect(driver.rawOutput('order-ids')).to.have.length(0);
    expect(driver.rawOutput('orders.dlq')).to.have.length(0);
    expect(stage.health().ready).to.equal(true); // consuming, waiting on the registry: not a reason to restart

    await registry.start();
    await eventually(() => driver.rawOutput('order-ids').length === ids.length, 'every record copied');
    expect(driver.rawOutput('order-ids').map((r) => r.value?.toString())).to.deep.equal(ids);
    expect(driver.rawOutput('orders.dlq')).to.have.length(0);
    await stage.stop();
  });

  it('dead-letters a record whose schema id the registry does not know', async () => {
    const stage = stageReading(readerSerde());
    await stage.start();
    driver.broker.append([
      {
        topic: 'orders',
        key: 'k',
        value: Buffer.concat([Buffer.from([0, 0, 0, 0, 99]), v1.toBuffer(order)]),
      },
    ]);
    await eventually(() => driver.rawOutput('orders.dlq').length === 1, 'the record dead-lettered');
    expect(driver.rawOutput('orders.dlq')[0]?.headers['dlq.error']).to.match(/Schema 99 not found/);
    await stage.stop();
  });
});
