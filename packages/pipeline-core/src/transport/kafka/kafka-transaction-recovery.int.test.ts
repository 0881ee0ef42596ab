import { JvmKafkaBroker } from '@tm/infra';
import { expect } from 'chai';
import kafkajs from 'kafkajs';
import type { TransportProducer } from '../types.js';
import { kafkaTransport } from './kafka-transport.js';

/**
 * Issue 15, defect 1: kafkajs does not retry EndTxn, and after a failed commit or abort its transaction state stays
 * COMMITTING / ABORTING, so every later `transaction()` was refused ("Cannot call beginTransaction in state ...")
 * and the caller retried forever. The producer must recover: the next transaction starts on a fresh producer with
 * the same transactional id, which fences whatever the failed one left open. The broker is the test's own, killed and
 * started again in place.
 */
describe('Kafka transactional producer after a failed commit', () => {
  let broker: JvmKafkaBroker | undefined;

  after(async () => {
    await broker?.stop();
  });

  it('starts the next transaction on a recovered producer, and only the committed transaction is read', async function () {
    this.timeout(240_000);
    broker = await JvmKafkaBroker.start({ heap: '256m' });
    const transport = kafkaTransport({
      brokers: [broker.brokers],
      clientId: 'txn-recovery',
      logLevel: kafkajs.logLevel.NOTHING,
      kafka: { retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 500 } },
    });
    const topic = 'txn-recovery';
    let producer: TransportProducer | undefined;
    try {
      await transport.ensureTopics([{ topic, partitions: 1 }]);
      producer = transport.createProducer({
        transactionalId: 'txn-recovery-1',
        transactionTimeoutMs: 10_000,
      });
      await producer.connect();

      const first = await producer.transaction();
      await first.send([{ topic, key: 'a', value: Buffer.from('lost') }]);
      await broker.kill();
      const failed = await first.commit().then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(failed, 'the commit cannot succeed with the broker down').to.be.instanceOf(Error);
      await broker.resume();

      const second = await retryWhileBrokerStarts(() => producer!.transaction());
      await second.send([{ topic, key: 'b', value: Buffer.from('kept') }]);
      await second.commit();

      expect(await readCommitted(broker.brokers, topic)).to.deep.equal(['kept']);
    } finally {
      await producer?.disconnect().catch(() => {});
      await transport.close();
    }
  });
});

/** The broker takes a few seconds to serve again after a restart; connection errors until then are expected. */
async function retryWhileBrokerStarts<T>(work: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      return await work();
    } catch (err) {
      if (Date.now() > deadline || /Cannot call/.test(String(err))) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/** What a read_committed consumer reads from the topic, until the committed record has arrived. */
async function readCommitted(brokers: string, topic: string): Promise<string[]> {
  const kafka = new kafkajs.Kafka({
    clientId: 'txn-recovery-reader',
    brokers: [brokers],
    logLevel: kafkajs.logLevel.NOTHING,
  });
  const consumer = kafka.consumer({ groupId: 'txn-recovery-reader', readUncommitted: false });
  const values: string[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  // An aborted record would come before the committed one (lower offset), so it would be seen by then.
  const kept = new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ message }) => {
        values.push(String(message.value));
        if (String(message.value) === 'kept') resolve();
      },
    });
  });
  await Promise.race([kept, new Promise((r) => setTimeout(r, 30_000))]);
  await consumer.disconnect();
  return values;
}
