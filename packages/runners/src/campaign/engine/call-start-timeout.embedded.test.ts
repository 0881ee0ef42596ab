import { MemoryBroker } from '@tm/pipeline-core';
import { eventually } from '@tm/pipeline-core/testing';
import { expect } from 'chai';
import { pino } from 'pino';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../../embedded/pglite.js';
import { transportFor } from '../../runtime/transport.js';
import { findInvariantViolations } from '../db/invariants.js';
import { callEvent, candidate, tasks } from '../db/test-support.js';
import { type CampaignEngine, createCampaignEngine } from './engine.js';
import { dialTasksOf, encode, engineConfig } from './test-support.js';

const TIMEOUT_MS = 60_000;

describe('campaign engine: a call that does not start in time (ADR 0087)', function () {
  this.timeout(60_000);
  let pg: EmbeddedPostgres;
  let engine: CampaignEngine;
  let broker: MemoryBroker;
  /** Dispatch time is the outbox row's WTIME, on the database's clock: the test makes the open ADDs older. */
  const age = (ms: number) =>
    pg.knex.raw(
      `UPDATE TM$DIAL_TASK_OUTBOX SET WTIME = WTIME - ?::int * interval '1 millisecond' WHERE ACTION = 'ADD'`,
      [ms],
    );
  const config = engineConfig([
    [['infra', 'transport'], 'memory'],
    [['campaign-engine', 'defaults', 'calling-hours'], { from: '00:00', to: '24:00' }],
    [['campaign-engine', 'campaigns'], []],
    [['campaign-engine', 'defaults', 'attempt-limit'], 2],
    [['campaign-engine', 'dispatch', 'call-start-timeout-ms'], TIMEOUT_MS],
    [['campaign-engine', 'ingest', 'linger-ms'], 10],
  ]);
  const { topics } = config;
  const dialTaskIds = () => dialTasksOf(broker.records(topics.dialTasks)).map((t) => t.dialTaskId);
  const task = async (id: number) => (await tasks(pg.knex)).find((t) => t.id === id);

  before(async () => {
    pg = await startEmbeddedPostgres();
    broker = new MemoryBroker();
    engine = createCampaignEngine({
      config,
      transport: transportFor(config, { memoryBroker: broker }),
      db: pg.knex,
      logger: pino({ level: 'silent' }),
      schedules: false,
    });
    await engine.start();
    broker.append([
      encode.candidate(topics.candidates, candidate('1', '79000000001')),
      encode.candidate(topics.candidates, candidate('2', '79000000002')),
    ]);
    await eventually(async () => (await tasks(pg.knex)).length === 2, 'two tasks stored');
  });
  after(async () => {
    await engine?.stop();
    await pg?.close();
  });

  it('sends a DELETE for the attempt first, then requeues the task; its next dispatch is a new attempt', async () => {
    expect(await engine.dispatchNow()).to.equal(2);
    // Task 2's call starts: it is not timed out.
    broker.append([
      encode.callEvent(topics.callEvents, callEvent('CALL_STARTED', 2, 'call-2', { attempt: 1 })),
    ]);
    await eventually(async () => {
      const { rows } = await pg.knex.raw<{ rows: unknown[] }>('SELECT 1 FROM TM$COMMUNICATIONS');
      return rows.length === 1;
    }, 'call of task 2 started');

    expect(await engine.timeOutUnstartedNow(), 'not yet').to.deep.equal({ requeued: 0, closed: 0 });
    await age(TIMEOUT_MS + 1000);
    expect(await engine.timeOutUnstartedNow()).to.deep.equal({ requeued: 1, closed: 0 });
    expect(dialTaskIds()).to.deep.equal(['ADD:1:1', 'ADD:2:1', 'DELETE:1:1']);
    expect(await task(1)).to.include({ state: 'NEW', attempt: 1 });
    expect(await task(2)).to.include({ state: 'IN_PROGRESS' });

    expect(await engine.dispatchNow()).to.equal(1);
    expect(dialTaskIds(), 'the DELETE goes out before the new ADD').to.deep.equal([
      'ADD:1:1',
      'ADD:2:1',
      'DELETE:1:1',
      'ADD:1:2',
    ]);
    expect(await engine.timeOutUnstartedNow(), 'the new attempt has its own time').to.deep.equal({
      requeued: 0,
      closed: 0,
    });
  });

  it('a call of the old attempt that starts late does not close the new attempt', async () => {
    broker.append([
      encode.callEvent(topics.callEvents, callEvent('CALL_STARTED', 1, 'late-1', { attempt: 1 })),
      encode.callEvent(topics.callEvents, callEvent('CALL_ENDED', 1, 'late-1', { attempt: 1 })),
    ]);
    await eventually(async () => {
      const { rows } = await pg.knex.raw<{ rows: unknown[] }>(
        "SELECT 1 FROM TM$COMMUNICATIONS WHERE CALL_ID = 'late-1' AND ENDED_AT IS NOT NULL",
      );
      return rows.length === 1;
    }, 'late call recorded');
    expect(await task(1)).to.include({ state: 'IN_PROGRESS', attempt: 2 });
  });

  it('closes the task when the timed-out attempt was its last', async () => {
    await age(TIMEOUT_MS + 1000);
    // Attempt 2 of task 1 has no communication of its own (the late call belonged to attempt 1).
    expect(await engine.timeOutUnstartedNow()).to.deep.equal({ requeued: 0, closed: 1 });
    expect(await task(1)).to.include({ state: 'DONE', attempt: 2 });
    expect(dialTaskIds().at(-1)).to.equal('DELETE:1:2');
    expect(await findInvariantViolations(pg.knex)).to.deep.equal([]);
  });
});
