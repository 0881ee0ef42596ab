import type { DialTask } from '@tm/contracts';
import type { OutboundRecord, TransportProducer } from '@tm/pipeline-core';
import { expect } from 'chai';
import { contractSerdes } from '../../runtime/serdes.js';
import { ingestCandidates } from '../db/ingest.js';
import { at, candidate, outbox, rules, tasks, useCampaignDb } from '../db/test-support.js';
import { Dispatcher, type OutboxPublisherMode } from './dispatcher.js';

const phone = (i: number) => `7900${String(i).padStart(7, '0')}`;

/** A producer that keeps what it was asked to send, taking `delayMs` per send (Kafka's acknowledgement). */
function recordingProducer(delayMs = 0): TransportProducer & { sent: OutboundRecord[]; failNext: boolean } {
  const producer = {
    sent: [] as OutboundRecord[],
    failNext: false,
    connect: async () => {},
    disconnect: async () => {},
    transaction: async () => {
      throw new Error('not used');
    },
    send: async (records: readonly OutboundRecord[]) => {
      await new Promise((r) => setTimeout(r, delayMs));
      if (producer.failNext) {
        producer.failNext = false;
        throw new Error('broker unavailable');
      }
      producer.sent.push(...records);
    },
  };
  return producer;
}

const dialTasks = (records: readonly OutboundRecord[]): DialTask[] =>
  records.map((r) => contractSerdes().dialTask.decode(r.value as Buffer) as DialTask);

describe('Dispatcher (PostgreSQL)', function () {
  this.timeout(60_000);
  const { db } = useCampaignDb({ poolMax: 6 });

  const dispatcher = (
    producer: TransportProducer,
    mode: OutboxPublisherMode = 'advisory-lock',
    batchSize = 10,
  ) =>
    new Dispatcher({
      db: db(),
      producer,
      serde: contractSerdes().dialTask,
      topic: 'dial-tasks',
      campaigns: rules(),
      batchSize,
      mode,
      clock: () => at(9),
    });

  async function ingest(from: number, count: number): Promise<void> {
    await ingestCandidates(
      db(),
      Array.from({ length: count }, (_, i) => candidate(`${from + i}`, phone(from + i))),
      at(8),
    );
  }

  for (const mode of ['advisory-lock', 'single-process'] as const) {
    it(`${mode}: one round claims batch after batch and publishes them all, in outbox order, keyed by phone`, async () => {
      await ingest(1, 35);
      const producer = recordingProducer(2);
      expect(await dispatcher(producer, mode).round()).to.deep.equal({ claimed: 35, published: 35 });
      const sent = dialTasks(producer.sent);
      expect(sent.map((t) => t.dialTaskId)).to.deep.equal(
        Array.from({ length: 35 }, (_, i) => `ADD:${i + 1}:1`),
      );
      expect(producer.sent.map((r) => r.key)).to.deep.equal(sent.map((t) => t.phone));
      expect(producer.sent.every((r) => r.topic === 'dial-tasks')).to.equal(true);
      expect((await outbox(db())).every((row) => row.endsWith('published'))).to.equal(true);
      expect((await tasks(db())).every((t) => t.state === 'IN_PROGRESS' && t.attempt === 1)).to.equal(true);
    });
  }

  it('a failed publish leaves the claimed tasks IN_PROGRESS with their dial tasks pending; the next round sends them', async () => {
    await ingest(1, 5);
    const producer = recordingProducer();
    producer.failNext = true;
    const d = dispatcher(producer);
    const failed = await d.round().catch((e: unknown) => e);
    expect(failed).to.be.instanceOf(Error);
    expect((await outbox(db())).filter((row) => row.endsWith('pending'))).to.have.length(5);
    expect(await d.round()).to.deep.equal({ claimed: 0, published: 5 });
    expect(dialTasks(producer.sent).map((t) => t.dialTaskId)).to.deep.equal(
      [1, 2, 3, 4, 5].map((i) => `ADD:${i}:1`),
    );
  });

  it('two engines dispatching at once while candidates keep arriving: every task claimed and sent once', async () => {
    const producers = [recordingProducer(3), recordingProducer(3)];
    const dispatchers = producers.map((p) => dispatcher(p, 'advisory-lock', 25));
    let arriving = true;
    const rounds = dispatchers.map(async (d) => {
      while (arriving) await d.round();
      await d.round();
    });
    for (let from = 1; from <= 400; from += 50) {
      await ingest(from, 50);
      await new Promise((r) => setTimeout(r, 5));
    }
    arriving = false;
    await Promise.all(rounds);
    // A last round of each picks up whatever the other claimed while it held the publisher lock.
    for (const d of dispatchers) await d.round();

    const sent = producers.flatMap((p) => dialTasks(p.sent));
    const ids = sent.map((t) => t.dialTaskId);
    expect(ids).to.have.length(400);
    expect(new Set(ids).size, 'each dial task sent once').to.equal(400);
    expect(
      producers.every((p) => p.sent.length > 0),
      'both engines published',
    ).to.equal(true);
    const all = await tasks(db());
    expect(all.filter((t) => t.state === 'IN_PROGRESS' && t.attempt === 1)).to.have.length(400);
  });
});
