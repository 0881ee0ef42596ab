import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { testServices, uniqueName } from '@tm/infra';
import { expect } from 'chai';
import { logLevel } from 'kafkajs';
import { committedTotal, eventually, produce, readTopic } from '../testing/transport-helpers.js';
import { kafkaTransport } from '../transport/kafka/kafka-transport.js';
import { rdkafkaAvailability } from '../transport/rdkafka/rdkafka-transport.js';
import type { Transport } from '../transport/types.js';

const fixture = join(import.meta.dirname, 'fixtures', 'stage-process.ts');

function startProcess(env: Record<string, string>): {
  child: ChildProcess;
  running: Promise<void>;
  exited: Promise<number | null>;
} {
  const child = spawn(process.execPath, ['--conditions=tm-source', '--import', 'tsx', fixture], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const running = new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('running')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`stage process exited with ${code} before running`)));
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  running.catch(() => {});
  return { child, running, exited };
}

/** The stage process's Kafka client (the fixture's KAFKA_CLIENT); librdkafka only where its optional package loads. */
const rdkafka = rdkafkaAvailability();
const clients = rdkafka.available ? ['kafkajs', 'librdkafka'] : ['kafkajs'];
if (!rdkafka.available)
  describe('stage processes on Kafka (librdkafka)', () => {
    it.skip(`skipped: @confluentinc/kafka-javascript does not load here (${rdkafka.reason})`);
  });

for (const client of clients)
  describe(`stage processes on Kafka (${client})`, function () {
    this.timeout(180_000);
    let transport: Transport;
    let names: { input: string; output: string; group: string; txid: string };

    beforeEach(async () => {
      transport = kafkaTransport({ brokers: testServices().kafkaBrokers, logLevel: logLevel.NOTHING });
      names = {
        input: uniqueName('proc-in'),
        output: uniqueName('proc-out'),
        group: uniqueName('proc-group'),
        txid: uniqueName('proc-tx'),
      };
      await transport.ensureTopics([
        { topic: names.input, partitions: 3 },
        { topic: names.output, partitions: 3 },
      ]);
    });

    afterEach(async () => {
      await transport.close();
    });

    const env = (delivery: string, delayMs: number) => ({
      BROKERS: testServices().kafkaBrokers.join(','),
      INPUT: names.input,
      OUTPUT: names.output,
      GROUP: names.group,
      TXID: names.txid,
      DELIVERY: delivery,
      DELAY_MS: String(delayMs),
      KAFKA_CLIENT: client,
    });

    it('exactly-once: killed with SIGKILL mid-run twice and restarted, every input is reflected exactly once', async () => {
      const total = 3000;
      await produce(
        transport,
        Array.from({ length: total }, (_, i) => ({
          topic: names.input,
          key: `k${i % 50}`,
          value: Buffer.from(String(i)),
        })),
      );
      for (let kill = 0; kill < 2; kill += 1) {
        // 20 ms of work per record, 50 at a time: ~2,500 records/s, so both kills land well before the end.
        const run = startProcess(env('exactly-once', 20));
        await run.running;
        const before = await committedTotal(transport, names.group, names.input);
        // let it commit a few transactions, then kill it at an arbitrary moment (transactions run every 100 ms)
        await eventually(
          async () => (await committedTotal(transport, names.group, names.input)) > before + 200,
          'progress',
        );
        await new Promise((r) => setTimeout(r, 37 + kill * 53));
        run.child.kill('SIGKILL');
        await run.exited;
      }
      expect(await committedTotal(transport, names.group, names.input)).to.be.lessThan(total);
      const last = startProcess(env('exactly-once', 0));
      await last.running;
      await eventually(
        async () => (await committedTotal(transport, names.group, names.input)) === total,
        'all offsets committed',
        120_000,
      );
      last.child.kill('SIGTERM');
      expect(await last.exited).to.equal(0);

      const out = await readTopic(transport, names.output, total, { settleMs: 1000, timeoutMs: 60_000 });
      const values = out.map((r) => String(r.value));
      const distinct = new Set(values);
      expect(distinct.size, 'distinct outputs').to.equal(total);
      expect(values.length, 'outputs seen by a read_committed consumer').to.equal(total);
    });

    it('at-least-once: SIGTERM drains in-flight records, commits them, and exits 0 within the deadline', async () => {
      const total = 400;
      await produce(
        transport,
        Array.from({ length: total }, (_, i) => ({
          topic: names.input,
          key: `k${i}`,
          value: Buffer.from(String(i)),
        })),
      );
      const run = startProcess(env('at-least-once', 300));
      await run.running;
      await eventually(
        async () => (await committedTotal(transport, names.group, names.input)) > 0,
        'first commit',
      );
      const committedAtSignal = await committedTotal(transport, names.group, names.input);
      const signalledAt = Date.now();
      run.child.kill('SIGTERM');
      expect(await run.exited).to.equal(0);
      expect(Date.now() - signalledAt).to.be.lessThan(20_000);

      const committed = await transport.committedOffsets(names.group, names.input);
      const committedAfter = [...committed.values()].reduce((a, b) => a + b, 0);
      expect(committedAfter, 'records in flight at the signal were finished and committed').to.be.greaterThan(
        committedAtSignal,
      );
      expect(committedAfter, 'fetching stopped at the signal').to.be.lessThan(total);
      const inputs = await readTopic(transport, names.input, total);
      const outputs = new Set(
        (await readTopic(transport, names.output, committedAfter, { settleMs: 500 })).map((r) =>
          String(r.value),
        ),
      );
      const committedWithoutOutput = inputs.filter(
        (r) => r.offset < (committed.get(r.partition) ?? 0) && !outputs.has(`out:${r.value}`),
      );
      expect(committedWithoutOutput, 'committed inputs without an output').to.deep.equal([]);
    });
  });
