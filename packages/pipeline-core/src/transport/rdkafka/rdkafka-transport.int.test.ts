import { testServices, uniqueName } from '@tm/infra';
import { expect } from 'chai';
import kafkajs from 'kafkajs';
import { isFencedError } from '../../errors.js';
import { eventually, produce, readTopic } from '../../testing/transport-helpers.js';
import { kafkaTransport } from '../kafka/kafka-transport.js';
import { expectTopicShape } from '../kafka/topic-shape.test-support.js';
import type { TopicPartition, Transport, TransportConsumer } from '../types.js';
import { rdkafkaAvailability, rdkafkaTransport } from './rdkafka-transport.js';

const availability = rdkafkaAvailability();
const describeIfLoaded = availability.available ? describe : describe.skip;
if (!availability.available)
  console.log(
    `      librdkafka transport tests skipped: the client does not load here (${availability.reason})`,
  );

describeIfLoaded('rdkafkaTransport', function () {
  this.timeout(120_000);
  let transport: Transport;
  const consumers: TransportConsumer[] = [];

  beforeEach(() => {
    transport = rdkafkaTransport({
      brokers: testServices().kafkaBrokers,
      clientId: 'rdkafka-int',
      logLevel: 'nothing',
    });
  });

  afterEach(async () => {
    await Promise.allSettled(consumers.splice(0).map((c) => c.stop()));
    await transport.close();
  });

  async function member(groupId: string, topic: string): Promise<{ assigned: () => TopicPartition[] }> {
    let assigned: TopicPartition[] = [];
    const consumer = transport.createConsumer({ groupId, topics: [topic] });
    consumers.push(consumer);
    await consumer.start({
      onBatch: () => {},
      onAssignment: (partitions) => {
        assigned = [...partitions];
      },
      onCrash: () => {},
    });
    return { assigned: () => assigned };
  }

  it('creates missing topics with their partitions and settings, and leaves existing ones alone', async () => {
    const topic = uniqueName('rd-compacted');
    await transport.ensureTopics([{ topic, partitions: 2, config: { 'cleanup.policy': 'compact' } }]);
    await transport.ensureTopics([{ topic, partitions: 5 }]);
    await expectTopicShape(testServices().kafkaBrokers, topic, 2, {
      name: 'cleanup.policy',
      value: 'compact',
    });
  });

  it('partitions keys as kafkajs does (murmur2), so both clients agree on where a key lives', async () => {
    const topic = uniqueName('rd-keys');
    await transport.ensureTopics([{ topic, partitions: 5 }]);
    const peer = kafkaTransport({ brokers: testServices().kafkaBrokers, logLevel: kafkajs.logLevel.ERROR });
    try {
      const keys = Array.from({ length: 40 }, (_, i) => `client-${i}`);
      await produce(
        transport,
        keys.map((key) => ({ topic, key, value: Buffer.from('rd') })),
      );
      await produce(
        peer,
        keys.map((key) => ({ topic, key, value: Buffer.from('js') })),
      );
      const records = await readTopic(transport, topic, 80);
      const where = new Map<string, Set<number>>();
      for (const r of records) {
        const key = String(r.key);
        where.set(key, new Set([...(where.get(key) ?? []), r.partition]));
      }
      for (const [key, partitions] of where) expect([...partitions], key).to.have.length(1);
      expect(new Set(records.map((r) => r.partition)).size, 'keys spread over partitions').to.be.greaterThan(
        1,
      );
    } finally {
      await peer.close();
    }
  });

  it('fences a zombie: a producer with the same transactional id cannot commit once a newer one started', async () => {
    const input = uniqueName('rd-zombie-in');
    const output = uniqueName('rd-zombie-out');
    const group = uniqueName('rd-zombie-group');
    const transactionalId = uniqueName('rd-zombie-tx');
    await transport.ensureTopics([
      { topic: input, partitions: 1 },
      { topic: output, partitions: 1 },
    ]);
    await produce(transport, [{ topic: input, key: 'k', value: Buffer.from('in') }]);
    const consumer = await member(group, input);
    await eventually(() => consumer.assigned().length === 1, 'the partition assigned');

    const zombie = transport.createProducer({ transactionalId, transactionTimeoutMs: 30_000 });
    await zombie.connect();
    const stale = await zombie.transaction();
    await stale.send([{ topic: output, key: 'k', value: Buffer.from('zombie') }]);
    await stale.sendOffsets(group, [{ topic: input, partition: 0, offset: 1 }]);

    const successor = transport.createProducer({ transactionalId, transactionTimeoutMs: 30_000 });
    await successor.connect(); // InitProducerId bumps the epoch: the zombie's open transaction is aborted
    const refused = await stale.commit().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(refused, 'the zombie cannot commit').to.be.instanceOf(Error);
    expect(isFencedError(refused), `fenced, not some other error: ${String(refused)}`).to.equal(true);

    const fresh = await successor.transaction();
    await fresh.send([{ topic: output, key: 'k', value: Buffer.from('kept') }]);
    await fresh.sendOffsets(group, [{ topic: input, partition: 0, offset: 1 }]);
    await fresh.commit();
    await Promise.allSettled([zombie.disconnect(), successor.disconnect()]);

    const out = await readTopic(transport, output, 1, { settleMs: 500 });
    expect(out.map((r) => String(r.value))).to.deep.equal(['kept']);
    expect((await transport.committedOffsets(group, input)).get(0)).to.equal(1);
  });

  it('keeps the pause of a partition that stays assigned across a rebalance', async () => {
    const topic = uniqueName('rd-pause');
    const other = uniqueName('rd-pause-other');
    const group = uniqueName('rd-pause-group');
    await transport.ensureTopics([
      { topic, partitions: 2 },
      { topic: other, partitions: 1 },
    ]);
    const delivered = new Map<number, number>();
    let assignments = 0;
    const consumer = transport.createConsumer({ groupId: group, topics: [topic] });
    consumers.push(consumer);
    await consumer.start({
      onBatch: (batch) => {
        delivered.set(batch.partition, (delivered.get(batch.partition) ?? 0) + batch.records.length);
      },
      onAssignment: () => {
        assignments += 1;
      },
      onCrash: () => {},
    });
    await eventually(() => assignments === 1, 'the first assignment');
    consumer.pause([{ topic, partition: 0 }]);
    // A second member of the group, on another topic, joins and leaves: two rebalances, in each of which every
    // partition is revoked and assigned again (eager), and both of `topic`'s stay with the first member.
    const second = await member(group, other);
    await eventually(
      () => second.assigned().length > 0 && assignments >= 2,
      'the rebalance with two members',
    );
    await consumers[1]?.stop();
    await eventually(() => assignments >= 3, 'the rebalance back to one member');
    await produce(transport, [
      { topic, key: 'a', value: Buffer.from('p0'), partition: 0 },
      { topic, key: 'b', value: Buffer.from('p1'), partition: 1 },
    ]);
    await eventually(() => delivered.get(1) === 1, 'partition 1 delivered');
    await new Promise((r) => setTimeout(r, 1000));
    expect(delivered.get(0) ?? 0, 'paused partition 0 delivered nothing').to.equal(0);
    consumer.resume([{ topic, partition: 0 }]);
    await eventually(() => delivered.get(0) === 1, 'partition 0 delivered after resume');
  });
});
