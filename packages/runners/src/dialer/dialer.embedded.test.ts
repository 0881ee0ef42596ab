import type { CallEvent } from '@tm/contracts';
import {
  MemoryBroker,
  type OutboundRecord,
  StageMetrics,
  type Transport,
  type TransportProducer,
} from '@tm/pipeline-core';
import { eventually } from '@tm/pipeline-core/testing';
import { expect } from 'chai';
import { pino } from 'pino';
import { migrateToLatest } from '../campaign/db/migrate.js';
import { engineConfig } from '../campaign/engine/test-support.js';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../embedded/pglite.js';
import { contractSerdes } from '../runtime/serdes.js';
import { transportFor } from '../runtime/transport.js';
import { TelephonyError } from '../telephony/telephony.js';
import { activeOperators } from './active-operators-db.js';
import { createDialer, type Dialer } from './dialer.js';
import { dialerRecords, dialerRows, dialTask, seedOperators, seedTasks } from './dialer.test-support.js';
import { FAKE_SECRET, FakeTelephony } from './fake-telephony.test-support.js';
import { markSent, takePending } from './tasks-db.js';

describe('dialer, embedded (memory transport, PGlite, a fake telephony)', function () {
  this.timeout(60_000);
  let pg: EmbeddedPostgres;
  let broker: MemoryBroker;
  let telephony: FakeTelephony;
  let dialer: Dialer;
  let offsetMs = 0;
  const clock = () => new Date(Date.now() + offsetMs);
  const settings: Parameters<typeof engineConfig>[0] = [
    [['infra', 'transport'], 'memory'],
    [['dialer', 'send', 'initial-delay-ms'], 1000],
    [['dialer', 'send', 'max-delay-ms'], 8000],
    [['dialer', 'send', 'breaker-failures'], 3],
    [['dialer', 'send', 'breaker-half-open-ms'], 200],
  ];
  // One addTask per ADD, so each rule is seen per task; the batched path has tests of its own.
  const config = engineConfig([...settings, [['dialer', 'send', 'add-batch-size'], 1]]);
  const batchedConfig = engineConfig([...settings, [['dialer', 'send', 'add-batch-size'], 2]]);
  const records = dialerRecords(config);
  const serdes = contractSerdes(config);
  let tasks: number[];
  let metrics: StageMetrics;

  /** Sends of the dialer's producers fail while this is above 0 (counted down per send). */
  let failSends = 0;
  const flakyTransport = (): Transport => {
    const inner = transportFor(config, { memoryBroker: broker });
    return Object.assign(Object.create(inner) as Transport, {
      createProducer: (options: Parameters<Transport['createProducer']>[0]) => {
        const producer = inner.createProducer(options);
        return Object.assign(Object.create(producer) as TransportProducer, {
          send: async (batch: readonly OutboundRecord[]) => {
            if (failSends > 0) {
              failSends -= 1;
              throw new Error('broker down');
            }
            return producer.send(batch);
          },
        });
      },
    });
  };
  const newDialer = (dialerConfig = config) => {
    metrics = new StageMetrics();
    return createDialer({
      config: dialerConfig,
      transport: flakyTransport(),
      db: pg.knex,
      telephony,
      operatorSecret: FAKE_SECRET,
      logger: pino({ level: 'silent' }),
      metrics,
      clock,
      schedules: false,
    });
  };
  const callEvents = (): CallEvent[] =>
    broker
      .records(config.topics.callEvents)
      .map((r) => serdes.callEvent.decode(r.value as Buffer) as CallEvent);
  const rowsNow = () => dialerRows(pg.knex);
  const rowOf = async (id: string) => (await rowsNow()).find((r) => r.dialTaskId === id);
  const stored = (n: number) => eventually(async () => (await rowsNow()).length === n, `${n} rows stored`);

  before(async () => {
    pg = await startEmbeddedPostgres();
    await migrateToLatest(pg.knex);
  });
  after(async () => {
    await pg?.close();
  });
  beforeEach(async () => {
    offsetMs = 0;
    failSends = 0;
    await pg.knex.raw('TRUNCATE TM$MIGHTYCALL_TASKS, TM$MIGHTYCALL_ACTIVE_OPERATORS');
    tasks = await seedTasks(pg.knex, 6);
    await seedOperators(pg.knex, [11, 12]);
    broker = new MemoryBroker();
    telephony = new FakeTelephony();
    dialer = newDialer();
    await dialer.start();
  });
  afterEach(async () => {
    await dialer?.stop();
  });

  describe('dial tasks', () => {
    it('stores a redelivered ADD once and sends it to the telephony once, recording its id', async () => {
      const add = dialTask('ADD', tasks[0] as number);
      broker.append([records.dialTask(add), records.dialTask(add)]);
      await stored(1);
      await dialer.sendNow();
      await dialer.sendNow();
      expect(telephony.addTaskCounts.get(add.dialTaskId)).to.equal(1);
      const row = await rowOf(add.dialTaskId);
      expect(row).to.include({
        state: 'IN_PROGRESS',
        externalId: telephony.externalIdOf(add.dialTaskId),
        tries: 1,
      });
    });

    it('a DELETE whose ADD never reached the telephony is done locally, and the ADD is never sent', async () => {
      const id = tasks[0] as number;
      broker.append([records.dialTask(dialTask('ADD', id)), records.dialTask(dialTask('DELETE', id))]);
      await stored(2);
      await dialer.sendNow();
      expect(telephony.calls.addTask).to.equal(0);
      expect(telephony.calls.deleteTask).to.equal(0);
      expect((await rowsNow()).map((r) => r.state)).to.deep.equal(['DONE', 'DONE']);
    });

    it('a DELETE with no ADD at all is done locally', async () => {
      broker.append([records.dialTask(dialTask('DELETE', tasks[1] as number))]);
      await stored(1);
      await dialer.sendNow();
      expect(telephony.calls.deleteTask).to.equal(0);
      expect((await rowsNow())[0]).to.include({ state: 'DONE', lastError: 'done locally' });
    });

    it('a DELETE of a sent task deletes it at the telephony; ALREADY_CALLED and NOT_FOUND are outcomes', async () => {
      const [a, b, c] = tasks as [number, number, number];
      broker.append([a, b, c].map((t) => records.dialTask(dialTask('ADD', t))));
      await stored(3);
      await dialer.sendNow();
      const extB = telephony.externalIdOf(`ADD:${b}:1`) as string;
      const extC = telephony.externalIdOf(`ADD:${c}:1`) as string;
      telephony.startCall(extB, 11);
      await telephony.deleteTask(extC); // gone at the telephony already
      broker.append([a, b, c].map((t) => records.dialTask(dialTask('DELETE', t))));
      await stored(6);
      await dialer.sendNow();
      expect(telephony.calls.deleteTask).to.equal(4);
      expect(await rowOf(`DELETE:${a}:1`)).to.include({ state: 'DONE', lastError: 'DELETED' });
      expect(await rowOf(`ADD:${a}:1`)).to.include({ state: 'DONE' });
      expect(await rowOf(`DELETE:${b}:1`)).to.include({ state: 'DONE', lastError: 'ALREADY_CALLED' });
      expect(await rowOf(`ADD:${b}:1`)).to.include({ state: 'IN_PROGRESS' }); // its call's end closes it
      expect(await rowOf(`DELETE:${c}:1`)).to.include({ state: 'DONE', lastError: 'NOT_FOUND' });
    });

    it('a failed send stays pending with TRIES and LAST_ERROR, waits for its backoff, and is sent once later', async () => {
      const add = dialTask('ADD', tasks[0] as number);
      telephony.failNext('addTask', new TelephonyError('UNAVAILABLE', 'HTTP 503', 503), 2);
      broker.append([records.dialTask(add)]);
      await stored(1);
      await dialer.sendNow();
      expect(await rowOf(add.dialTaskId)).to.include({ state: 'NEW', tries: 1, externalId: null });
      expect((await rowOf(add.dialTaskId))?.lastError).to.contain('503');
      expect(await dialer.sendNow(), 'not due before its backoff').to.equal(0);
      offsetMs += 1_100; // past the first delay (500-1000 ms)
      await dialer.sendNow();
      expect(await rowOf(add.dialTaskId)).to.include({ state: 'NEW', tries: 2 });
      offsetMs += 800; // the second delay is 1000-2000 ms
      expect(await dialer.sendNow(), 'the second delay is longer').to.equal(0);
      offsetMs += 1_300;
      await dialer.sendNow();
      expect(await rowOf(add.dialTaskId)).to.include({ state: 'IN_PROGRESS', tries: 3, lastError: null });
      expect(telephony.addTaskCounts.get(add.dialTaskId)).to.equal(1);
      expect(telephony.calls.addTask).to.equal(3);
    });

    it('the breaker opens after failures in a row: nothing is taken until it lets a call through', async () => {
      telephony.down = true;
      broker.append(tasks.slice(0, 4).map((t) => records.dialTask(dialTask('ADD', t))));
      await stored(4);
      await dialer.sendNow();
      expect(telephony.calls.addTask, 'all four were in flight together').to.equal(4);
      offsetMs += 20_000;
      expect(await dialer.sendNow(), 'open: nothing taken').to.equal(0);
      expect(telephony.calls.addTask, 'no call while open').to.equal(4);
      expect((await rowsNow()).every((r) => r.state === 'NEW')).to.equal(true);
      const ready = dialer.runnables.find((r) => r.name === 'dialer.sender')?.health();
      expect(ready?.ready).to.equal(false);
      expect(ready?.error).to.contain('breaker');
      telephony.down = false;
      await new Promise((r) => setTimeout(r, 250));
      expect(await dialer.sendNow(), 'half-open: one call tests the telephony').to.equal(1);
      offsetMs += 20_000;
      expect(await dialer.sendNow(), 'closed: the rest').to.equal(3);
      expect((await rowsNow()).every((r) => r.state === 'IN_PROGRESS' && r.externalId)).to.equal(true);
      expect([...telephony.addTaskCounts.values()]).to.deep.equal([1, 1, 1, 1]);
    });

    it('a REJECTED task is closed with its error (retrying cannot help)', async () => {
      telephony.failNext('addTask', new TelephonyError('REJECTED', 'HTTP 400', 400));
      const add = dialTask('ADD', tasks[0] as number);
      broker.append([records.dialTask(add)]);
      await stored(1);
      await dialer.sendNow();
      expect((await rowOf(add.dialTaskId))?.lastError).to.match(/^REJECTED/);
      expect((await rowOf(add.dialTaskId))?.state).to.equal('DONE');
    });

    /** Stores the records, takes every instruction and "kills" the dialer before any answer was written; restarts it. */
    const crashDuringSends = async (instructions: ReturnType<typeof dialTask>[], reached: string[]) => {
      broker.append(instructions.map((i) => records.dialTask(i)));
      await stored(instructions.length);
      await dialer.stop();
      const taken = await takePending(pg.knex, clock(), 10);
      // Of the sends in flight at the crash, these reached the telephony (their answers never came back).
      for (const i of taken.filter((t) => reached.includes(t.dialTaskId)))
        await telephony.addTask({ reference: i.dialTaskId, taskId: i.taskId, attempt: 1, phone: i.phone });
      dialer = newDialer();
      await dialer.start();
    };

    it('after a crash during sends, each ADD is looked up: one the telephony has is stored, not sent again; the others are sent (ADR 0169)', async () => {
      const [a, b, c] = tasks as [number, number, number];
      await crashDuringSends([dialTask('ADD', a), dialTask('DELETE', b), dialTask('ADD', c)], [`ADD:${a}:1`]);
      expect(await rowOf(`ADD:${a}:1`), 'pending again after the restart').to.include({
        state: 'NEW',
        lastError: 'INTERRUPTED: the dialer stopped during the send',
      });
      await dialer.sendNow();
      expect(telephony.calls.findTask, 'both ADDs looked up').to.equal(2);
      expect(telephony.addTaskCounts.get(`ADD:${a}:1`), 'a: never sent twice').to.equal(1);
      expect(telephony.addTaskCounts.get(`ADD:${c}:1`), 'c: sent, as the telephony never had it').to.equal(1);
      expect(await rowOf(`ADD:${a}:1`)).to.include({
        state: 'IN_PROGRESS',
        externalId: telephony.externalIdOf(`ADD:${a}:1`),
      });
      expect(await rowOf(`ADD:${c}:1`)).to.include({ state: 'IN_PROGRESS', lastError: null });
      expect(await rowOf(`DELETE:${b}:1`), 'an interrupted DELETE is simply done again').to.include({
        state: 'DONE',
      });
    });

    it('a DELETE of an ADD pending after an unanswered send looks it up: found, it is deleted at the telephony; not found, closed unsent', async () => {
      const [a, c] = tasks as [number, number];
      await crashDuringSends([dialTask('ADD', a), dialTask('ADD', c)], [`ADD:${a}:1`]);
      broker.append([records.dialTask(dialTask('DELETE', a)), records.dialTask(dialTask('DELETE', c))]);
      await stored(4);
      await dialer.sendNow();
      expect(await rowOf(`ADD:${c}:1`)).to.include({
        state: 'DONE',
        lastError: 'DELETED before it was sent',
      });
      expect(await rowOf(`ADD:${a}:1`), 'found at the telephony').to.include({
        state: 'IN_PROGRESS',
        externalId: telephony.externalIdOf(`ADD:${a}:1`),
      });
      await dialer.sendNow();
      expect(await rowOf(`DELETE:${a}:1`)).to.include({ state: 'DONE', lastError: 'DELETED' });
      expect(await rowOf(`ADD:${a}:1`)).to.include({ state: 'DONE' });
      expect(telephony.tasks.get(telephony.externalIdOf(`ADD:${a}:1`) as string)?.state).to.equal('DELETED');
      expect(telephony.addTaskCounts.get(`ADD:${c}:1`), 'c never sent').to.equal(undefined);
      expect(telephony.calls.addTask, 'only the send that reached it before the crash').to.equal(1);
    });

    /** A dialer on batchedConfig instead, with `n` ADDs stored. */
    const batchedAdds = async (n: number) => {
      await dialer.stop();
      dialer = newDialer(batchedConfig);
      await dialer.start();
      const adds = tasks.slice(0, n).map((t) => dialTask('ADD', t));
      broker.append(adds.map((a) => records.dialTask(a)));
      await stored(n);
      return adds;
    };

    it('sends first-time ADDs add-batch-size to an addTasks request; a task refused in it is closed, the others sent', async () => {
      const adds = await batchedAdds(5);
      telephony.refuseInBatch.add(adds[1]?.dialTaskId as string);
      await dialer.sendNow();
      expect(telephony.calls.addTasks, '5 ADDs in batches of 2').to.equal(3);
      expect(telephony.calls.addTask).to.equal(0);
      expect((await rowOf(adds[1]?.dialTaskId as string))?.lastError).to.match(/^REJECTED/);
      for (const add of [adds[0], adds[2], adds[3], adds[4]])
        expect(await rowOf(add?.dialTaskId as string)).to.include({
          state: 'IN_PROGRESS',
          externalId: telephony.externalIdOf(add?.dialTaskId as string),
        });
    });

    it('a batch the telephony did not answer is pending again; each task is then looked up and sent on its own', async () => {
      await batchedAdds(2);
      telephony.failNext('addTasks', new TelephonyError('UNAVAILABLE', 'no answer (timeout)'));
      await dialer.sendNow();
      expect((await rowsNow()).map((r) => r.state)).to.deep.equal(['NEW', 'NEW']);
      offsetMs += 1_100;
      await dialer.sendNow();
      expect([telephony.calls.addTasks, telephony.calls.findTask, telephony.calls.addTask]).to.deep.equal([
        1, 2, 2,
      ]);
      expect((await rowsNow()).every((r) => r.state === 'IN_PROGRESS' && r.externalId)).to.equal(true);
    });

    it('a click-to-call goes to the telephony with its operator; one older than its limit is dropped', async () => {
      const request = {
        requestId: '0d1c6c41-7d27-4c35-a39f-6a2fb0a0f001',
        operatorId: 11,
        communicationId: 5,
        taskId: tasks[0] as number,
        attempt: 1,
        phone: '79001234567',
        requestedAt: Date.now(),
      };
      broker.append([records.callback(request)]);
      await stored(1);
      await dialer.sendNow();
      const sent = telephony.tasks.get(telephony.externalIdOf(request.requestId) as string);
      expect(sent).to.include({ operatorId: 11, taskId: tasks[0], reference: request.requestId });

      const late = { ...request, requestId: '0d1c6c41-7d27-4c35-a39f-6a2fb0a0f002' };
      broker.append([records.callback(late)]);
      await stored(2);
      offsetMs += 31_000;
      await dialer.sendNow();
      expect(telephony.addTaskCounts.has(late.requestId)).to.equal(false);
      expect((await rowOf(late.requestId))?.lastError).to.match(/^EXPIRED/);
    });
  });

  describe('operators and call events', () => {
    const open = async (...ids: number[]) => {
      broker.append(ids.map((id) => records.session(id, 'OPEN')));
      await eventually(async () => (await activeOperators(pg.knex)).length === ids.length, 'sessions open');
    };
    const sendOne = async (taskId: number) => {
      broker.append([records.dialTask(dialTask('ADD', taskId))]);
      await eventually(async () => (await rowOf(`ADD:${taskId}:1`)) !== undefined, 'stored');
      await dialer.sendNow();
      return telephony.externalIdOf(`ADD:${taskId}:1`) as string;
    };

    it('OPEN logs the operator in and sets READY; BREAK sets BREAK; CLOSE stops polling', async () => {
      await open(11);
      await dialer.pollNow();
      expect(telephony.statuses.get(11)).to.equal('READY');
      broker.append([records.session(11, 'BREAK')]);
      await eventually(async () => (await activeOperators(pg.knex))[0]?.status === 'BREAK', 'on a break');
      await dialer.pollNow();
      expect(telephony.statuses.get(11)).to.equal('BREAK');
      broker.append([records.session(11, 'CLOSE')]);
      await eventually(async () => (await activeOperators(pg.knex)).length === 0, 'closed');
      const polls = telephony.calls.pollEvents;
      await dialer.pollNow();
      expect(telephony.calls.pollEvents).to.equal(polls);
      expect(dialer.sessions.active()).to.have.length(0);
    });

    it('publishes CALL_STARTED and CALL_ENDED with task, attempt, operator; the cursor survives a restart', async () => {
      await open(11);
      const ext = await sendOne(tasks[0] as number);
      telephony.startCall(ext, 11);
      telephony.endCall(ext, 11, 42, 'ANSWERED');
      await dialer.pollNow();
      const events = callEvents();
      expect(events.map((e) => e.type)).to.deep.equal(['CALL_STARTED', 'CALL_ENDED']);
      expect(events[1]).to.include({
        taskId: tasks[0],
        attempt: 1,
        operatorId: 11,
        durationSeconds: 42,
        outcome: 'ANSWERED',
        eventId: `call:call-${ext}:ENDED`,
      });
      expect(await rowOf(`ADD:${tasks[0]}:1`)).to.include({ state: 'DONE' });
      expect((await activeOperators(pg.knex))[0]?.cursor).to.equal('2');

      await dialer.stop();
      dialer = newDialer();
      await dialer.start();
      expect(
        dialer.sessions.active().map((o) => o.operatorId),
        'cache loaded from the table',
      ).to.deep.equal([11]);
      await dialer.pollNow();
      expect(callEvents(), 'nothing re-emitted').to.have.length(2);
    });

    it('when the broker refuses the events, the cursor stays, and the next round sends the same event ids', async () => {
      await open(11);
      const ext = await sendOne(tasks[0] as number);
      telephony.startCall(ext, 11);
      failSends = 1;
      let failure: unknown;
      await dialer.pollNow().catch((error: unknown) => {
        failure = error;
      });
      expect(String(failure)).to.contain('broker down');
      expect((await activeOperators(pg.knex))[0]?.cursor).to.equal(null);
      await dialer.pollNow();
      expect(callEvents().map((e) => e.eventId)).to.deep.equal([`call:call-${ext}:STARTED`]);
    });

    it('an expired token is met by logging in again; no event is lost', async () => {
      await open(11);
      await dialer.pollNow();
      expect(telephony.logins).to.deep.equal([11]);
      const ext = await sendOne(tasks[0] as number);
      telephony.startCall(ext, 11);
      telephony.expireTokens(11);
      await dialer.pollNow();
      expect(telephony.logins).to.deep.equal([11, 11]);
      expect(telephony.statuses.get(11)).to.equal('READY');
      expect(callEvents().map((e) => e.type)).to.deep.equal(['CALL_STARTED']);
    });

    it('logs in again before the token expires', async () => {
      telephony.tokenLifetimeMs = 30_000; // refresh-before-expiry is 60 s: every round logs in again
      await open(11);
      await dialer.pollNow();
      await dialer.pollNow();
      expect(telephony.logins).to.deep.equal([11, 11]);
    });

    it('a refused login is reported and retried; the operator stays active', async () => {
      await open(11, 12);
      telephony.failNext('authenticate', new TelephonyError('AUTH', 'invalid credentials', 401));
      await dialer.pollNow();
      const rows = await pg.knex.raw<{ rows: { operator_id: string; login_error: string | null }[] }>(
        'SELECT OPERATOR_ID, LOGIN_ERROR FROM TM$MIGHTYCALL_ACTIVE_OPERATORS ORDER BY OPERATOR_ID',
      );
      expect(rows.rows.map((r) => r.login_error)).to.deep.equal(['invalid credentials', null]);
      expect(await metrics.registry.getSingleMetricAsString('dialer_failing_logins')).to.contain(
        'dialer_failing_logins 1',
      );
      expect(dialer.sessions.active()).to.have.length(2);
      offsetMs += 6_000; // login-retry-ms 5000
      await dialer.pollNow();
      expect(telephony.logins).to.deep.equal([12, 11]);
      expect(await metrics.registry.getSingleMetricAsString('dialer_failing_logins')).to.contain(
        'dialer_failing_logins 0',
      );
    });

    it('a call of a task the dialer never stored waits for it, then is counted and not published', async () => {
      await open(11);
      const { externalId } = await telephony.addTask({
        reference: 'x',
        taskId: 1,
        attempt: 1,
        phone: '79000000000',
      });
      telephony.startCall(externalId, 11);
      await dialer.pollNow();
      expect((await activeOperators(pg.knex))[0]?.cursor, 'held: the cursor stays').to.equal(null);
      offsetMs += 11_000; // past UNKNOWN_GRACE_MS
      await dialer.pollNow();
      expect(callEvents()).to.have.length(0);
      expect((await activeOperators(pg.knex))[0]?.cursor).to.equal('1');
      expect(await metrics.registry.getSingleMetricAsString('dialer_unknown_calls_total')).to.contain(' 1');
    });

    it('a call polled before its task id was stored is published once the id is there', async () => {
      await open(11);
      const add = dialTask('ADD', tasks[0] as number);
      broker.append([records.dialTask(add)]);
      await stored(1);
      const taken = await takePending(pg.knex, clock(), 10); // the sender took it ...
      const { externalId } = await telephony.addTask({
        reference: add.dialTaskId,
        taskId: add.taskId,
        attempt: 1,
        phone: add.phone,
      });
      telephony.startCall(externalId, 11); // ... the telephony called at once ...
      await dialer.pollNow();
      expect(callEvents(), 'not yet: the id is not stored').to.have.length(0);
      await markSent(pg.knex, [{ id: (taken[0] as { id: number }).id, externalId }]); // ... and the id is stored now
      await dialer.pollNow();
      expect(callEvents().map((e) => [e.type, e.taskId, e.attempt])).to.deep.equal([
        ['CALL_STARTED', add.taskId, 1],
      ]);
    });

    it('polls many operators in one round with one send', async () => {
      const ids = Array.from({ length: 40 }, (_, i) => 100 + i);
      await seedOperators(pg.knex, ids);
      await open(...ids);
      const round = await dialer.pollNow();
      expect(round.polled).to.equal(40);
      expect(telephony.statuses.size).to.equal(40);
    });
  });
});
