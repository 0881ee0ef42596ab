import { MemoryBroker } from '@tm/pipeline-core';
import { eventually } from '@tm/pipeline-core/testing';
import { expect } from 'chai';
import { pino } from 'pino';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../../embedded/pglite.js';
import { transportFor } from '../../runtime/transport.js';
import { findInvariantViolations } from '../db/invariants.js';
import { callEvent, candidate, resultEvent, tasks } from '../db/test-support.js';
import { type CampaignEngine, createCampaignEngine } from './engine.js';
import { dialTasksOf, encode, engineConfig } from './test-support.js';

const phone = (i: number) => `7900${String(i).padStart(7, '0')}`;

describe('campaign engine, embedded profile (memory transport, PGlite with one connection)', function () {
  this.timeout(60_000);
  let pg: EmbeddedPostgres;
  let engine: CampaignEngine;
  let broker: MemoryBroker;

  // 12:00 in Moscow: inside every calling window of the test config.
  let now = Date.UTC(2024, 0, 10, 9);
  const config = engineConfig([
    [['infra', 'transport'], 'memory'],
    [['campaign-engine', 'defaults', 'recall-block-minutes'], 30],
    [['campaign-engine', 'defaults', 'attempt-limit'], 2],
    [['campaign-engine', 'defaults', 'call-again-results'], ['NO_ANSWER']],
    [['campaign-engine', 'ingest', 'linger-ms'], 10],
  ]);
  const { topics } = config;

  before(async () => {
    pg = await startEmbeddedPostgres();
    broker = new MemoryBroker();
    engine = createCampaignEngine({
      config,
      transport: transportFor(config, { memoryBroker: broker }),
      db: pg.knex,
      logger: pino({ level: 'silent' }),
      clock: () => new Date(now),
      schedules: false,
    });
    await engine.start();
  });
  after(async () => {
    await engine?.stop();
    await pg?.close();
  });

  it('takes candidates to dial tasks, applies call events and results, and re-calls after the block time', async () => {
    broker.append([
      encode.candidate(topics.candidates, candidate('1', phone(1))),
      encode.candidate(topics.candidates, candidate('2', phone(2), { campaignId: 2 })),
      encode.candidate(topics.candidates, candidate('3', phone(3), { campaignId: 99 })),
    ]);
    await eventually(async () => (await tasks(pg.knex)).length === 2, 'two tasks stored');
    await eventually(
      () => broker.records(`${topics.candidates}.dlq`).length === 1,
      'unknown campaign dead-lettered',
    );

    expect(await engine.dispatchNow()).to.equal(2);
    const added = dialTasksOf(broker.records(topics.dialTasks));
    expect(added.map((t) => [t.dialTaskId, t.key]).sort()).to.deep.equal([
      ['ADD:1:1', phone(1)],
      ['ADD:2:1', phone(2)],
    ]);

    broker.append([
      encode.callEvent(topics.callEvents, callEvent('CALL_STARTED', 1, 'call-1')),
      encode.callEvent(topics.callEvents, callEvent('CALL_ENDED', 1, 'call-1')),
      encode.callEvent(topics.callEvents, callEvent('CALL_STARTED', 404, 'call-404')),
    ]);
    await eventually(
      async () => (await tasks(pg.knex)).find((t) => t.id === 1)?.state === 'DONE',
      'task 1 DONE after its call ended',
    );
    await eventually(
      () => broker.records(`${topics.callEvents}.dlq`).length === 1,
      'unknown task dead-lettered',
    );

    broker.append([
      encode.result(topics.communicationResults, resultEvent(1, 1, 'FIXED', 'NO_ANSWER', 'res-1')),
    ]);
    await eventually(
      async () => (await tasks(pg.knex)).find((t) => t.id === 1)?.state === 'NEW',
      'task 1 NEW again after a call-again result',
    );
    expect(await engine.dispatchNow(), 'blocked for 30 minutes').to.equal(0);
    now += 30 * 60_000;
    expect(await engine.dispatchNow(), 'due after the block time').to.equal(1);
    expect(dialTasksOf(broker.records(topics.dialTasks)).map((t) => t.dialTaskId)).to.include('ADD:1:2');
    expect(await findInvariantViolations(pg.knex)).to.deep.equal([]);
  });
});

describe('campaign engine start while the broker cannot make its topics ready', () => {
  it('prepare fails, and a later prepare tries again instead of repeating the first failure (ADR 0134)', async function () {
    this.timeout(60_000); // PGlite and the migrations
    const pg = await startEmbeddedPostgres();
    const config = engineConfig([[['infra', 'transport'], 'memory']]);
    const inner = transportFor(config, { memoryBroker: new MemoryBroker() });
    let refusals = 1;
    const engine = createCampaignEngine({
      config,
      transport: {
        ...inner,
        ensureTopics: async (topics) => {
          if (refusals-- > 0) throw new Error('This server does not host this topic-partition');
          await inner.ensureTopics(topics);
        },
      },
      db: pg.knex,
      logger: pino({ level: 'silent' }),
      schedules: false,
    });
    try {
      const first = await engine.prepare().catch((e: unknown) => e);
      expect(first).to.be.instanceOf(Error);
      await engine.prepare();
    } finally {
      await engine.stop();
      await pg.close();
    }
  });
});
