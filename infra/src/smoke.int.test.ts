import avro from 'avsc';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import knex from 'knex';
import { testServices, uniqueName } from './test-env.js';

/**
 * Proves the wiring of the integration setup: every service the tests rely on is real and answers.
 */
describe('integration services (smoke)', () => {
  const services = () => testServices();

  it('talks to a real Kafka broker: 3-partition topic, Avro record produced and consumed', async function () {
    this.timeout(60_000);
    const { kafkaBrokers, kafkaVersion } = services();
    console.log(`      Kafka broker version: ${kafkaVersion} at ${kafkaBrokers.join(',')}`);

    const type = avro.Type.forSchema({
      type: 'record',
      name: 'Smoke',
      fields: [
        { name: 'id', type: 'long' },
        { name: 'phone', type: 'string' },
      ],
    });
    const kafka = new Kafka({ clientId: 'smoke', brokers: kafkaBrokers, logLevel: logLevel.WARN });
    const topic = uniqueName('smoke');
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
      const [meta] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
      expect(meta?.partitions).to.have.length(3);
    } finally {
      await admin.disconnect();
    }

    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({
      topic,
      messages: [{ key: '42', value: type.toBuffer({ id: 42, phone: '79001234567' }) }],
    });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: uniqueName('smoke-group') });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const received = await new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no record consumed within 30 s')), 30_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          clearTimeout(timer);
          resolve(type.fromBuffer(message.value ?? Buffer.alloc(0)));
        },
      });
    });
    await consumer.disconnect();
    expect({ ...(received as object) }).to.deep.equal({ id: 42, phone: '79001234567' });
  });

  it('runs a knex query against PostgreSQL in the run’s own database', async () => {
    const { databaseUrl, database } = services();
    console.log(`      PostgreSQL database of this run: ${database}`);
    const db = knex({ client: 'pg', connection: databaseUrl, pool: { min: 0, max: 1 } });
    try {
      const { rows } = await db.raw<{ rows: { db: string; sum: number }[] }>(
        'select current_database() as db, ?::int + ?::int as sum',
        [2, 3],
      );
      expect(rows[0]).to.deep.equal({ db: database, sum: 5 });
    } finally {
      await db.destroy();
    }
  });

  it('round-trips a key through Redis with ioredis', async () => {
    const { redisUrl, redisKeyPrefix } = services();
    const redis = new Redis(redisUrl);
    try {
      const key = `${redisKeyPrefix}smoke`;
      await redis.set(key, 'привет', 'EX', 60);
      expect(await redis.get(key)).to.equal('привет');
    } finally {
      redis.disconnect();
    }
  });
});
