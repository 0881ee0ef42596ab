/**
 * The stage contract: one suite, run against every transport (stage.memory.test.ts, stage.kafka.int.test.ts,
 * stage.rdkafka.int.test.ts).
 * A behaviour that differs between transports is a bug.
 */
import { expect } from 'chai';
import { defer, from, lastValueFrom, type Observable, Subject, throwError } from 'rxjs';
import { concurrentMapByKey } from '../operators/concurrent-map-by-key.js';
import { retryBackoff } from '../operators/retry-backoff.js';
import { toTopic } from '../operators/to-topic.js';
import type { Committable, Emission, OutboundRecord } from '../record.js';
import { jsonSerde, type Serde } from '../serdes/serde.js';
import {
  committedTotal,
  eventually,
  gatedTransport,
  produce,
  readTopic,
} from '../testing/transport-helpers.js';
import type { Transport } from '../transport/types.js';
import { DeadLetterHeaders } from './dead-letter.js';
import { createStage, type Stage, type StageOptions } from './stage.js';

interface Item {
  key: string;
  seq: number;
}

export interface ContractTarget {
  /** A transport to run one test on. */
  transport(): Transport;
  /** A topic or group name unique to this run. */
  name(base: string): string;
  /** Release anything `transport()` made. */
  cleanup(): Promise<void>;
}

const serde: Serde<Item> = jsonSerde<Item>();
const PARTITIONS = 3;

function items(count: number, keys: number): OutboundRecord[] {
  return Array.from({ length: count }, (_, seq) => {
    const key = `k${seq % keys}`;
    return { topic: '', key, value: serde.encode({ key, seq }) };
  });
}

const toInput = (topic: string, records: OutboundRecord[]) => records.map((r) => ({ ...r, topic }));
const decodeAll = (records: { value: Buffer | null }[]) =>
  records.map((r) => JSON.parse(String(r.value)) as Item);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function describeStageContract(transportName: string, target: ContractTarget): void {
  describe(`stage contract on the ${transportName} transport`, function () {
    this.timeout(90_000);
    let transport: Transport;
    const stages: Stage<unknown>[] = [];
    let input: string;
    let output: string;
    let group: string;

    beforeEach(async () => {
      transport = target.transport();
      input = target.name('in');
      output = target.name('out');
      group = target.name('group');
      await transport.ensureTopics([
        { topic: input, partitions: PARTITIONS },
        { topic: output, partitions: PARTITIONS },
        { topic: `${input}.dlq`, partitions: 1 },
      ]);
    });

    afterEach(async () => {
      await Promise.allSettled(stages.splice(0).map((s) => s.abort()));
      await transport.close();
      await target.cleanup();
    });

    function stage(
      process: (records: Observable<Committable<Item>>) => Observable<Emission>,
      options: Partial<StageOptions<Item>> = {},
    ): Stage<Item> {
      const s = createStage<Item>({
        name: group,
        transport,
        input: { topics: input, serde },
        process,
        commitIntervalMs: 50,
        ...options,
      });
      stages.push(s as Stage<unknown>);
      return s;
    }

    const passThrough = (records: Observable<Committable<Item>>) => records.pipe(toTopic(output, serde));

    it('keeps each partition in order', async () => {
      await produce(transport, toInput(input, items(300, 7)));
      const s = stage(passThrough);
      await s.start();
      const out = await readTopic(transport, output, 300);
      const byKey = new Map<string, number[]>();
      for (const item of decodeAll(out)) byKey.set(item.key, [...(byKey.get(item.key) ?? []), item.seq]);
      expect([...byKey.keys()].length).to.equal(7);
      for (const [key, seqs] of byKey) expect(seqs, key).to.deep.equal([...seqs].sort((a, b) => a - b));
      // outputs keep their input partition: same keys, same partitioner, same partition count
      const inputPartitions = new Map(
        (await readTopic(transport, input, 300)).map((r) => [String(r.value), r.partition]),
      );
      for (const r of out) expect(r.partition).to.equal(inputPartitions.get(String(r.value)));
    });

    it('commits nothing before the sink acknowledged', async () => {
      const gated = gatedTransport(transport);
      await produce(transport, toInput(input, items(30, 3)));
      const s = stage(passThrough, { transport: gated });
      await s.start();
      await eventually(() => gated.held > 0, 'the sink to hold outputs');
      await sleep(300); // several commit intervals
      expect(await committedTotal(transport, group, input)).to.equal(0);
      gated.open();
      await eventually(
        async () => (await committedTotal(transport, group, input)) === 30,
        'all 30 offsets committed',
      );
    });

    it('commits only the contiguous prefix when records finish out of order', async () => {
      await produce(
        transport,
        toInput(
          input,
          items(10, 10).map((r) => ({ ...r, partition: 0 })),
        ),
      );
      const holdFirst = new Subject<void>();
      const s = stage((records) =>
        records.pipe(
          concurrentMapByKey(
            (r) =>
              r.value.seq === 0
                ? from(lastValueFrom(holdFirst, { defaultValue: undefined }).then(() => r.value))
                : Promise.resolve(r.value),
            {
              concurrency: 20,
            },
          ),
          toTopic(output, serde),
        ),
      );
      await s.start();
      await readTopic(transport, output, 9);
      await sleep(300);
      expect((await transport.committedOffsets(group, input)).get(0) ?? 0).to.equal(0);
      holdFirst.complete();
      await eventually(
        async () => (await transport.committedOffsets(group, input)).get(0) === 10,
        'offset 10 committed',
      );
    });

    it('redelivers uncommitted records after a teardown without commit', async () => {
      await produce(
        transport,
        toInput(
          input,
          items(10, 10).map((r) => ({ ...r, partition: 1 })),
        ),
      );
      const first = stage((records) =>
        records.pipe(
          concurrentMapByKey(
            (r) => (r.value.seq < 5 ? Promise.resolve(r.value) : new Promise<Item>(() => {})),
            { concurrency: 20 },
          ),
          toTopic(output, serde),
        ),
      );
      await first.start();
      await eventually(
        async () => (await transport.committedOffsets(group, input)).get(1) === 5,
        'offset 5 committed',
      );
      await first.abort();

      const seen: number[] = [];
      const second = stage((records) =>
        records.pipe(
          concurrentMapByKey(
            (r) => {
              seen.push(r.value.seq);
              return Promise.resolve(r.value);
            },
            { concurrency: 1 },
          ),
          toTopic(output, serde),
        ),
      );
      await second.start();
      await eventually(
        async () => (await transport.committedOffsets(group, input)).get(1) === 10,
        'offset 10 committed',
      );
      expect(seen).to.deep.equal([5, 6, 7, 8, 9]);
    });

    it('never has more records in flight than the bound, pauses, and resumes to finish', async () => {
      await produce(transport, toInput(input, items(120, 40)));
      let inWork = 0;
      let maxInWork = 0;
      let sawPaused = false;
      const s = stage(
        (records) =>
          records.pipe(
            concurrentMapByKey(
              async (r) => {
                inWork += 1;
                maxInWork = Math.max(maxInWork, inWork);
                await sleep(5);
                inWork -= 1;
                return r.value;
              },
              { concurrency: 100 },
            ),
            toTopic(output, serde),
          ),
        { maxInFlight: 8 },
      );
      const watcher = setInterval(() => {
        const h = s.health();
        if (h.paused) sawPaused = true;
        expect(h.inFlight).to.be.at.most(8);
      }, 2);
      try {
        await s.start();
        await eventually(
          async () => (await committedTotal(transport, group, input)) === 120,
          'all 120 committed',
        );
      } finally {
        clearInterval(watcher);
      }
      expect(maxInWork).to.be.at.most(8);
      expect(maxInWork).to.be.at.least(2);
      expect(sawPaused, 'partitions were paused at the bound').to.equal(true);
      expect(s.health().paused).to.equal(false);
    });

    it('fetches again after a rebalance that came while its partitions were paused', async () => {
      // Issue 15, defect 8: a partition that stays assigned across a rebalance keeps its pause (kafkajs, and the
      // memory broker alike), while the stage took every assignment to start unpaused: a partition paused at the
      // rebalance was never fetched again. Every record is on partition 0, which the stage keeps on the memory
      // broker (the first member joined); on Kafka it keeps it when its member id sorts first.
      await produce(
        transport,
        toInput(input, items(200, 20)).map((r) => ({ ...r, partition: 0 })),
      );
      const gate = new Subject<void>();
      const s = stage(
        (records) =>
          records.pipe(
            concurrentMapByKey(
              (r) => from(lastValueFrom(gate, { defaultValue: undefined }).then(() => r.value)),
              { concurrency: 100 },
            ),
            toTopic(output, serde),
          ),
        { maxInFlight: 4 },
      );
      await s.start();
      await eventually(() => s.health().paused, 'the stage paused at its bound');
      const other = transport.createConsumer({ groupId: group, topics: [input], clientId: 'other' });
      await other.start({
        onBatch: () => undefined,
        onAssignment: () => undefined,
        onCrash: () => undefined,
      });
      await eventually(
        () => s.health().assignedPartitions < PARTITIONS,
        'a rebalance that takes partitions away',
      );
      await other.stop();
      await eventually(() => s.health().assignedPartitions === PARTITIONS, 'every partition back');
      gate.complete();
      await eventually(
        async () => (await committedTotal(transport, group, input)) === 200,
        'all 200 committed',
        60_000,
      );
    });

    it('bounds the settled records held behind an unsettled one, and resumes once it settles', async () => {
      await produce(
        transport,
        toInput(
          input,
          items(100, 100).map((r) => ({ ...r, partition: 0 })),
        ),
      );
      const holdFirst = new Subject<void>();
      let settledBehind = 0;
      let maxUncommitted = 0;
      const s = stage(
        (records) =>
          records.pipe(
            concurrentMapByKey(
              (r) => {
                if (r.value.seq === 0)
                  return from(lastValueFrom(holdFirst, { defaultValue: undefined }).then(() => r.value));
                settledBehind += 1;
                return Promise.resolve(r.value);
              },
              { concurrency: 50 },
            ),
            toTopic(output, serde),
          ),
        { delivery: 'exactly-once', transactionalId: target.name('tx'), maxInFlight: 5, maxUncommitted: 20 },
      );
      const watcher = setInterval(() => {
        maxUncommitted = Math.max(maxUncommitted, s.health().uncommitted);
      }, 2);
      try {
        await s.start();
        await eventually(() => settledBehind === 19, '19 records settled behind the first');
        await sleep(300);
        expect(settledBehind, 'no record beyond the bound was taken').to.equal(19);
        expect(s.health().paused).to.equal(true);
        expect(await committedTotal(transport, group, input)).to.equal(0);
        holdFirst.complete();
        await eventually(
          async () => (await committedTotal(transport, group, input)) === 100,
          'all 100 committed',
        );
      } finally {
        clearInterval(watcher);
      }
      expect(maxUncommitted).to.be.at.most(20);
      expect((await readTopic(transport, output, 100, { settleMs: 200 })).length).to.equal(100);
    });

    it('dead-letters an undecodable record and one that exhausts its retries, and goes on', async () => {
      await produce(transport, [
        ...toInput(
          input,
          items(6, 3).map((r) => ({ ...r, partition: 2 })),
        ),
        {
          topic: input,
          key: 'bad',
          value: Buffer.from('{not json'),
          partition: 2,
          headers: { trace: 't-1' },
        },
      ]);
      const s = stage((records) =>
        records.pipe(
          concurrentMapByKey(
            (r) =>
              defer(() =>
                r.value.seq === 4 ? throwError(() => new Error('service down')) : Promise.resolve(r.value),
              ).pipe(retryBackoff({ maxAttempts: 3, initialDelayMs: 1, jitter: 'none' })),
            { concurrency: 4 },
          ),
          toTopic(output, serde),
        ),
      );
      await s.start();
      const dlq = await readTopic(transport, `${input}.dlq`, 2);
      await eventually(
        async () => (await transport.committedOffsets(group, input)).get(2) === 7,
        'offset 7 committed',
      );
      expect((await readTopic(transport, output, 5)).length).to.equal(5);

      const byType = new Map(dlq.map((r) => [r.headers[DeadLetterHeaders.errorType], r]));
      const decode = byType.get('DecodeError');
      expect(decode?.value?.toString()).to.equal('{not json');
      expect(decode?.key?.toString()).to.equal('bad');
      expect(decode?.headers).to.include({
        trace: 't-1',
        [DeadLetterHeaders.stage]: group,
        [DeadLetterHeaders.attempts]: '1',
        [DeadLetterHeaders.originTopic]: input,
        [DeadLetterHeaders.originPartition]: '2',
        [DeadLetterHeaders.originOffset]: '6',
      });
      const exhausted = byType.get('RetriesExhaustedError');
      expect(exhausted?.headers[DeadLetterHeaders.attempts]).to.equal('3');
      expect(exhausted?.headers[DeadLetterHeaders.error]).to.contain('service down');
      expect(JSON.parse(String(exhausted?.value))).to.deep.equal({ key: 'k1', seq: 4 });
      expect(exhausted?.headers[DeadLetterHeaders.originOffset]).to.equal('4');
    });

    it('drains in-flight records and commits them on graceful shutdown', async () => {
      await produce(transport, toInput(input, items(40, 40)));
      let started = 0;
      const s = stage(
        (records) =>
          records.pipe(
            concurrentMapByKey(
              async (r) => {
                started += 1;
                await sleep(200);
                return r.value;
              },
              { concurrency: 40 },
            ),
            toTopic(output, serde),
          ),
        { commitIntervalMs: 60_000 },
      );
      await s.start();
      await eventually(() => started > 0, 'work to start');
      const inFlightAtStop = s.health().inFlight;
      await s.stop({ timeoutMs: 10_000 });
      expect(inFlightAtStop).to.be.greaterThan(0);
      expect(s.health().inFlight).to.equal(0);
      expect(await committedTotal(transport, group, input)).to.equal(started);
      expect((await readTopic(transport, output, started)).length).to.equal(started);
    });

    it('never runs two records of one key at once and honours the global limit', async () => {
      await produce(transport, toInput(input, items(200, 10)));
      const running = new Set<string>();
      let overlaps = 0;
      let concurrent = 0;
      let maxConcurrent = 0;
      const lastSeq = new Map<string, number>();
      let outOfOrder = 0;
      const s = stage((records) =>
        records.pipe(
          concurrentMapByKey(
            async (r) => {
              if (running.has(r.value.key)) overlaps += 1;
              if ((lastSeq.get(r.value.key) ?? -1) > r.value.seq) outOfOrder += 1;
              lastSeq.set(r.value.key, r.value.seq);
              running.add(r.value.key);
              concurrent += 1;
              maxConcurrent = Math.max(maxConcurrent, concurrent);
              await sleep(1 + (r.value.seq % 3));
              concurrent -= 1;
              running.delete(r.value.key);
              return r.value;
            },
            { concurrency: 4 },
          ),
          toTopic(output, serde),
        ),
      );
      await s.start();
      await eventually(
        async () => (await committedTotal(transport, group, input)) === 200,
        'all 200 committed',
      );
      expect(overlaps).to.equal(0);
      expect(outOfOrder).to.equal(0);
      expect(maxConcurrent).to.equal(4);
    });

    it('in exactly-once mode, writes outputs and offsets together', async () => {
      await produce(transport, toInput(input, items(50, 5)));
      const s = stage(passThrough, { delivery: 'exactly-once', transactionalId: target.name('tx') });
      await s.start();
      await eventually(
        async () => (await committedTotal(transport, group, input)) === 50,
        'all 50 committed',
      );
      const out = await readTopic(transport, output, 50, { settleMs: 300 });
      expect(out.length).to.equal(50);
      expect(new Set(decodeAll(out).map((i) => i.seq)).size).to.equal(50);
    });
  });
}
