import { expect } from 'chai';
import { concatMap, mergeMap, of, throwError, timer } from 'rxjs';
import { DependencyUnavailableError } from '../errors.js';
import { toTopic } from '../operators/to-topic.js';
import { bufferSerde } from '../serdes/serde.js';
import { committedTotal, eventually, produce, readTopic } from '../testing/transport-helpers.js';
import { MemoryBroker } from '../transport/memory/broker.js';
import { memoryTransport } from '../transport/memory/memory-transport.js';
import type { ConsumerHandlers, Transport } from '../transport/types.js';
import { createStage } from './stage.js';

describe('Stage lifecycle', () => {
  const make = () =>
    createStage({
      name: 'lifecycle',
      transport: memoryTransport(),
      input: { topics: 'in', serde: bufferSerde() },
      process: (records) => records.pipe(toTopic('out', bufferSerde())),
    });

  it('stops a stage that never started at once', async () => {
    const stage = make();
    const started = Date.now();
    await stage.stop({ timeoutMs: 5000 });
    expect(Date.now() - started).to.be.below(1000);
    expect(stage.state).to.equal('stopped');
    await stage.done;
  });

  it('refuses a bound on uncommitted records smaller than the in-flight bound', () => {
    expect(() =>
      createStage({
        name: 'x',
        transport: memoryTransport(),
        input: { topics: 'in', serde: bufferSerde() },
        process: (r) => r.pipe(toTopic('out', bufferSerde())),
        maxInFlight: 100,
        maxUncommitted: 10,
      }),
    ).to.throw(RangeError);
  });
});

/**
 * Issue 15, defect 4: kafkajs fetches committed offsets without require_stable, so after a rebalance a partition
 * can start below offsets this stage committed a moment ago in a transaction whose markers were not yet written.
 * The redelivered records must not be decided (and their outputs written) a second time.
 */
describe('an exactly-once stage after a rebalance that fetched stale offsets', () => {
  it('skips redelivered records below the offsets its own transactions committed', async () => {
    const broker = new MemoryBroker();
    const inner = memoryTransport(broker);
    let handlers: ConsumerHandlers | undefined;
    const transport: Transport = {
      ...inner,
      createConsumer: (options) => {
        const consumer = inner.createConsumer(options);
        return {
          groupId: consumer.groupId,
          start: (h) => {
            handlers = h;
            return consumer.start(h);
          },
          pause: (p) => consumer.pause(p),
          resume: (p) => consumer.resume(p),
          commit: (o) => consumer.commit(o),
          stop: () => consumer.stop(),
        };
      },
    };
    await inner.ensureTopics([
      { topic: 'in', partitions: 1 },
      { topic: 'out', partitions: 1 },
    ]);
    await produce(
      inner,
      Array.from({ length: 20 }, (_, i) => ({ topic: 'in', key: `k${i}`, value: Buffer.from(String(i)) })),
    );
    const stage = createStage({
      name: 'stale-offsets',
      transport,
      input: { topics: 'in', serde: bufferSerde() },
      delivery: 'exactly-once',
      commitIntervalMs: 20,
      process: (records) => records.pipe(toTopic('out', bufferSerde())),
    });
    await stage.start();
    try {
      await eventually(
        async () => (await committedTotal(inner, 'stale-offsets', 'in')) === 20,
        'all 20 committed',
      );
      const consumed = await readTopic(inner, 'in', 20);
      // The rebalance: the same partition assigned again, and its records delivered from offset 0.
      handlers?.onAssignment([{ topic: 'in', partition: 0 }]);
      await handlers?.onBatch({ topic: 'in', partition: 0, records: consumed, highWatermark: 20 });
      await new Promise((r) => setTimeout(r, 200));
      const out = await readTopic(inner, 'out', 20, { settleMs: 200 });
      expect(out.map((r) => String(r.value))).to.deep.equal(Array.from({ length: 20 }, (_, i) => String(i)));
    } finally {
      await stage.stop();
    }
  });
});

/** ADR 0134: a pipeline failing with DependencyUnavailableError (a database down) is ridden out, within a limit. */
describe('a stage whose dependency is unavailable', () => {
  const setup = async (outageLimitMs: number, failures: number) => {
    const broker = new MemoryBroker();
    const transport = memoryTransport(broker);
    await transport.ensureTopics([
      { topic: 'in', partitions: 1 },
      { topic: 'out', partitions: 1 },
    ]);
    await produce(
      transport,
      Array.from({ length: 10 }, (_, i) => ({ topic: 'in', key: `k${i}`, value: Buffer.from(String(i)) })),
    );
    let left = failures;
    const stage = createStage({
      name: 'dependency',
      transport,
      input: { topics: 'in', serde: bufferSerde() },
      delivery: 'exactly-once',
      commitIntervalMs: 20,
      outageLimitMs,
      process: (records) =>
        records.pipe(
          concatMap((r) =>
            left-- > 0
              ? timer(30).pipe(
                  mergeMap(() =>
                    throwError(() => new DependencyUnavailableError('the database', new Error('down'))),
                  ),
                )
              : of(r),
          ),
          toTopic('out', bufferSerde()),
        ),
    });
    return { transport, stage };
  };

  it('stays live and unready through the outage, then takes every record once', async () => {
    const { transport, stage } = await setup(60_000, 3);
    await stage.start();
    try {
      await eventually(() => stage.health().state === 'recovering' || !stage.health().ready, 'unready');
      expect(stage.health().live).to.equal(true);
      const out = await readTopic(transport, 'out', 10, { settleMs: 100 });
      expect(out.map((r) => String(r.value))).to.deep.equal(Array.from({ length: 10 }, (_, i) => String(i)));
      await eventually(() => stage.health().ready, 'ready again');
    } finally {
      await stage.stop();
    }
  });

  it('fails once the outage outlasts outageLimitMs', async () => {
    const { stage } = await setup(300, 1000);
    await stage.start();
    await eventually(() => stage.state === 'failed', 'the stage to fail', 5000);
    expect(stage.health().error).to.match(/the database is unavailable/);
  });
});

/** Issue 15, defect 9: a stage started while its broker or topics are not there yet waits for them, within a limit. */
describe('a stage whose broker is not there at start', () => {
  /** The memory transport, with its producers refusing to connect `refusals` times. */
  const refusing = (refusals: number, inner = memoryTransport()): Transport & { attempts: number } => {
    const t = {
      ...inner,
      attempts: 0,
      createProducer: (options?: Parameters<Transport['createProducer']>[0]) => {
        const producer = inner.createProducer(options);
        return Object.assign(Object.create(producer) as typeof producer, {
          connect: async () => {
            t.attempts += 1;
            if (t.attempts <= refusals) throw new Error('connect ECONNREFUSED');
            await producer.connect();
          },
        });
      },
    };
    return t;
  };
  const make = (transport: Transport, outageLimitMs: number) =>
    createStage({
      name: 'late-broker',
      transport,
      input: { topics: 'in', serde: bufferSerde() },
      outageLimitMs,
      process: (records) => records.pipe(toTopic('out', bufferSerde())),
    });

  it('is live and unready while it tries again, then consumes', async () => {
    const inner = memoryTransport();
    await inner.ensureTopics([
      { topic: 'in', partitions: 1 },
      { topic: 'out', partitions: 1 },
    ]);
    await produce(inner, [{ topic: 'in', key: 'k', value: Buffer.from('x') }]);
    const transport = refusing(2, inner);
    const stage = make(transport, 60_000);
    const started = stage.start();
    await eventually(() => transport.attempts >= 1, 'a first attempt');
    expect(stage.health()).to.include({ live: true, ready: false });
    await started;
    try {
      expect(transport.attempts).to.equal(3);
      expect((await readTopic(inner, 'out', 1, { settleMs: 50 })).length).to.equal(1);
      expect(stage.health().ready).to.equal(true);
    } finally {
      await stage.stop();
    }
  });

  it('fails once outageLimitMs has passed', async () => {
    const stage = make(refusing(1000), 300);
    let error: unknown;
    await stage.start().catch((e: unknown) => {
      error = e;
    });
    expect(String(error)).to.match(/ECONNREFUSED/);
    expect(stage.state).to.equal('failed');
  });
});
