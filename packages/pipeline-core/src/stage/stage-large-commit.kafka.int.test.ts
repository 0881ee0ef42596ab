import { testServices, uniqueName } from '@tm/infra';
import { expect } from 'chai';
import { logLevel } from 'kafkajs';
import { concurrentMapByKey } from '../operators/concurrent-map-by-key.js';
import { toTopic } from '../operators/to-topic.js';
import { stringSerde } from '../serdes/serde.js';
import { eventually, produce, readTopic } from '../testing/transport-helpers.js';
import { kafkaTransport } from '../transport/kafka/kafka-transport.js';
import { createStage } from './stage.js';

/**
 * Issue 15, defect 5: an exactly-once stage drains every settled output behind its slowest record into one commit.
 * Thousands of outputs behind one slow record went out as one request above the broker's 1 MiB limit
 * (MESSAGE_TOO_LARGE), the transaction aborted, and the stage looped on it. Sends are split by bytes.
 */
describe('an exactly-once stage whose commit holds more than the broker takes in one request', () => {
  it('commits 3 MB of outputs held back by one slow record, each output once', async function () {
    this.timeout(120_000);
    const transport = kafkaTransport({ brokers: testServices().kafkaBrokers, logLevel: logLevel.NOTHING });
    const input = uniqueName('large-commit-in');
    const output = uniqueName('large-commit-out');
    try {
      await transport.ensureTopics([
        { topic: input, partitions: 1 },
        { topic: output, partitions: 1 },
      ]);
      const total = 3000;
      await produce(
        transport,
        Array.from({ length: total }, (_, i) => ({
          topic: input,
          key: `k${i}`,
          value: Buffer.from(String(i)),
        })),
      );
      const padding = 'x'.repeat(1000);
      const stage = createStageUnderTest();
      function createStageUnderTest() {
        return createStage({
          name: uniqueName('large-commit'),
          transport,
          input: { topics: input, serde: stringSerde() },
          delivery: 'exactly-once',
          maxInFlight: total,
          outageLimitMs: 0, // fail rather than recover, so a refused commit shows
          process: (records) =>
            records.pipe(
              concurrentMapByKey(
                (r) =>
                  new Promise<string>((resolve) =>
                    setTimeout(() => resolve(`${r.value}:${padding}`), r.value === '0' ? 3000 : 0),
                  ),
                { concurrency: total },
              ),
              toTopic(output, stringSerde()),
            ),
        });
      }
      await stage.start();
      const read = await readTopic(transport, output, total, { timeoutMs: 60_000, settleMs: 1000 });
      expect(stage.state).to.equal('running');
      expect(read).to.have.length(total);
      expect(new Set(read.map((r) => String(r.value).split(':')[0])).size).to.equal(total);
      await eventually(() => stage.health().uncommitted === 0, 'everything committed');
      await stage.stop();
    } finally {
      await transport.close();
    }
  });
});
