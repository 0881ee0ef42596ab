import { JvmKafkaBroker } from '@tm/infra';
import { expect } from 'chai';
import { logLevel } from 'kafkajs';
import { concurrentMapByKey } from '../operators/concurrent-map-by-key.js';
import { toTopic } from '../operators/to-topic.js';
import { stringSerde } from '../serdes/serde.js';
import { eventually, produce, readTopic } from '../testing/transport-helpers.js';
import { kafkaTransport } from '../transport/kafka/kafka-transport.js';
import { rdkafkaAvailability, rdkafkaTransport } from '../transport/rdkafka/rdkafka-transport.js';
import type { Transport } from '../transport/types.js';
import { createStage, type DeliveryGuarantee, type Stage } from './stage.js';

/**
 * Issue 15, defect 8: a broker restart made an exactly-once stage fail ("stage failed", commit, ECONNREFUSED) and
 * its process exit. A stage rides out a broker outage in-process: unready while the broker is away, consuming again
 * from its committed offsets when it is back, every input reflected exactly once (exactly-once) or at least once.
 * The broker is the test's own, killed and started again in place.
 */
/** Each Kafka client's transport for the test's broker; librdkafka only where its optional package loads. */
const clients: [string, (brokers: string) => Transport][] = [
  [
    'kafkajs',
    (brokers) =>
      kafkaTransport({
        brokers: [brokers],
        logLevel: logLevel.NOTHING,
        sessionTimeoutMs: 6000,
        kafka: { retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 1000 } },
      }),
  ],
];
// librdkafka's only where its optional package loads; its transport reports the outage from librdkafka's error events
// (ADR 0198).
const rdkafka = rdkafkaAvailability();
if (rdkafka.available)
  clients.push([
    'librdkafka',
    (brokers) => rdkafkaTransport({ brokers: [brokers], logLevel: 'nothing', sessionTimeoutMs: 6000 }),
  ]);

for (const [client, transportOn] of clients)
  describe(`a stage across a broker restart (${client})`, function () {
    this.timeout(300_000);
    let broker: JvmKafkaBroker;
    let transport: Transport;

    before(async () => {
      broker = await JvmKafkaBroker.start({ heap: '256m' });
      transport = transportOn(broker.brokers);
    });

    after(async () => {
      await transport?.close();
      await broker?.stop();
    });

    for (const delivery of ['exactly-once', 'at-least-once'] as DeliveryGuarantee[]) {
      // Both cases once stalled after recovery (3 of 6 exactly-once runs): kafkajs restarted the consumer the stage
      // had stopped, and that zombie held partitions in the group (see KafkaConsumer's restartOnFailure).
      it(`${delivery}: keeps running through a 10-second outage and reflects every input`, async () => {
        const input = `outage-in-${delivery}`;
        const output = `outage-out-${delivery}`;
        await transport.ensureTopics([
          { topic: input, partitions: 2 },
          { topic: output, partitions: 2 },
        ]);
        const total = 4000;
        const values = Array.from({ length: total }, (_, i) => i);
        const batch = (from: number, to: number) =>
          values
            .slice(from, to)
            .map((i) => ({ topic: input, key: `k${i % 20}`, value: Buffer.from(String(i)) }));
        await produce(transport, batch(0, total / 2));
        const stage: Stage<string> = createStage({
          name: `outage-${delivery}`,
          transport,
          input: { topics: input, serde: stringSerde() },
          delivery,
          maxInFlight: 100,
          commitIntervalMs: 100,
          outageLimitMs: 120_000,
          process: (records) =>
            records.pipe(
              concurrentMapByKey(
                (r) => new Promise<string>((resolve) => setTimeout(() => resolve(`out:${r.value}`), 2)),
                { concurrency: 20 },
              ),
              toTopic(output, stringSerde()),
            ),
        });
        await stage.start();
        await eventually(() => stage.health().lastCommitAt !== null, 'a first commit', 30_000);

        await broker.kill();
        await eventually(() => !stage.health().ready, 'the stage to report itself unready', 60_000);
        expect(stage.state, 'the stage rides the outage out').to.not.equal('failed');
        await new Promise((r) => setTimeout(r, 10_000));
        expect(stage.state).to.not.equal('failed');
        await broker.resume();

        await produce(transport, batch(total / 2, total));
        const read = await readTopic(transport, output, total, { timeoutMs: 120_000, settleMs: 2000 });
        const seen = new Map<string, number>();
        for (const r of read) seen.set(String(r.value), (seen.get(String(r.value)) ?? 0) + 1);
        expect(seen.size, 'every input reflected').to.equal(total);
        if (delivery === 'exactly-once') expect(read.length, 'no duplicates').to.equal(total);
        await eventually(() => stage.health().ready, 'the stage to be ready again', 60_000);
        await stage.stop();
      });
    }
  });

if (!rdkafka.available)
  describe('a stage across a broker restart (librdkafka)', () => {
    it.skip(`skipped: @confluentinc/kafka-javascript does not load here (${rdkafka.reason})`);
  });
