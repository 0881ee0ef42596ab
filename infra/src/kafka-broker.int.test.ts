import { expect } from 'chai';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { JvmKafkaBroker } from './kafka-broker.js';

/**
 * A fault test needs the broker killed and started again where it was: same data, same port, so clients reconnect
 * to the address they know (issue 15, defect 10). This broker is the test's own, not the run's shared one.
 */
describe('JvmKafkaBroker restart in place', () => {
  let broker: JvmKafkaBroker | undefined;

  after(async () => {
    await broker?.stop();
  });

  it('comes back after SIGKILL on the same port with every acknowledged record and committed offset', async function () {
    this.timeout(180_000);
    broker = await JvmKafkaBroker.start({ heap: '256m' });
    const address = broker.brokers;
    const firstPid = broker.pid;
    const kafka = () =>
      new Kafka({
        clientId: 'restart-test',
        brokers: [address],
        logLevel: logLevel.NOTHING,
        retry: { retries: 30, initialRetryTime: 200, maxRetryTime: 2000 },
      });
    const topic = 'restart-in-place';
    const admin = kafka().admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
    await admin.disconnect();
    const producer = kafka().producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({
      topic,
      acks: -1,
      messages: Array.from({ length: 100 }, (_, i) => ({ key: String(i), value: `v${i}` })),
    });
    await producer.disconnect();
    const before = kafka().admin();
    await before.connect();
    await before.setOffsets({ groupId: 'restart-group', topic, partitions: [{ partition: 0, offset: '7' }] });
    await before.disconnect();

    await broker.restart({ downMs: 500 });
    expect(broker.brokers).to.equal(address);
    expect(broker.pid).to.not.equal(firstPid);

    const after = kafka().admin();
    await after.connect();
    const offsets = await after.fetchTopicOffsets(topic);
    const committed = await after.fetchOffsets({ groupId: 'restart-group', topics: [topic] });
    await after.disconnect();
    const total = offsets.reduce((sum, p) => sum + Number(p.high), 0);
    expect(total).to.equal(100);
    expect(committed[0]?.partitions.find((p) => p.partition === 0)?.offset).to.equal('7');
  });

  it('reopens a work dir it ran in before instead of formatting new storage', async function () {
    this.timeout(120_000);
    if (!broker) this.skip(); // the first test starts it
    const { workDir, brokers } = broker;
    await broker.kill();
    broker = await JvmKafkaBroker.start({ workDir, heap: '256m' });
    expect(broker.brokers).to.equal(brokers);
    const admin = new Kafka({ clientId: 'reopen', brokers: [brokers], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const topics = await admin.listTopics();
    await admin.disconnect();
    expect(topics).to.include('restart-in-place');
  });
});
