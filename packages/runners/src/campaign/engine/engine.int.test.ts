/**
 * The campaign engine in this process on real Kafka and PostgreSQL, driven only through its topics: candidates,
 * call events and results go in as the analyser, dialer and ARM would produce them; dial tasks and dead letters are
 * read back from their topics; the database is read to check states. Each test has its own topics and groups.
 */
import type { Candidate, PipelineConfig } from '@tm/contracts';
import { testServices, uniqueName } from '@tm/infra';
import type { OutboundRecord, RawRecord, Transport } from '@tm/pipeline-core';
import { committedTotal, eventually, produce } from '@tm/pipeline-core/testing';
import { expect } from 'chai';
import { pino } from 'pino';
import { transportFor } from '../../runtime/transport.js';
import { callEvent, candidate, resultEvent, tasks, useCampaignDb } from '../db/test-support.js';
import { type CampaignEngine, createCampaignEngine } from './engine.js';
import {
  type ConfigOverride,
  collectTopics,
  databaseSnapshot,
  dialTasksOf,
  type EngineNames,
  encode,
  engineConfig,
  engineNames,
  moscowTime,
  namesOverrides,
  type TopicCollector,
} from './test-support.js';

const phone = (i: number) => `7900${String(i).padStart(7, '0')}`;
const MINUTE = 60_000;

describe('campaign engine on Kafka and PostgreSQL, driven through its topics', function () {
  this.timeout(120_000);
  const { db } = useCampaignDb({ poolMax: 6 });
  let names: EngineNames;
  let config: PipelineConfig;
  let transport: Transport;
  let engine: CampaignEngine | undefined;
  let out: TopicCollector | undefined;
  let now: number;

  /** Starts an engine on this test's topics, with `overrides` and the test's clock. */
  async function startEngine(
    overrides: ConfigOverride[],
    options: { schedules?: boolean; realClock?: boolean } = {},
  ): Promise<void> {
    names = engineNames(uniqueName);
    sent = new Map();
    config = engineConfig([
      ...namesOverrides(names),
      [['infra', 'kafka', 'brokers'], testServices().kafkaBrokers.join(',')],
      [['infra', 'kafka', 'session-timeout-ms'], 6000],
      [['campaign-engine', 'ingest', 'linger-ms'], 20],
      // Every campaign gets the defaults a test sets, unless the test sets campaigns itself.
      [['campaign-engine', 'campaigns'], []],
      ...overrides,
    ]);
    transport = transportFor(config);
    engine = createCampaignEngine({
      config,
      transport,
      db: db(),
      logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'warn' }),
      clock: options.realClock ? () => new Date() : () => new Date(now),
      schedules: options.schedules ?? false,
      dbRetry: { maxAttempts: 3, initialDelayMs: 10 },
    });
    await engine.start();
    out = await collectTopics(
      transport,
      [names.dialTasks, dlq(names.candidates), dlq(names.callEvents), dlq(names.results)],
      uniqueName('ce-reader'),
    );
  }

  const dlq = (topic: string) => `${topic}.dlq`;
  const dialTasks = () => dialTasksOf(out?.records(names.dialTasks) ?? []);
  const dialTaskIds = () => dialTasks().map((t) => t.dialTaskId);
  const taskStates = async () => (await tasks(db())).map((t) => `${t.id}:${t.state}:${t.attempt}`);
  /** Records produced per topic by this test. */
  let sent = new Map<string, number>();
  const send = async (records: OutboundRecord[]) => {
    await produce(transport, records);
    for (const r of records) sent.set(r.topic, (sent.get(r.topic) ?? 0) + 1);
  };
  const waitForDialTasks = (count: number, what: string) =>
    eventually(() => dialTasks().length >= count, what, 20_000);

  afterEach(async () => {
    await engine?.stop();
    await out?.stop();
    await transport?.close();
    engine = undefined;
    out = undefined;
  });

  it('takes a candidate through every state: NEW, dispatched, call started and ended, DONE, results, re-call, attempt limit; redelivery of every input changes nothing', async () => {
    now = Date.UTC(2024, 0, 10, 9); // 12:00 in Moscow
    await startEngine([
      [['campaign-engine', 'defaults', 'calling-hours'], { from: '09:00', to: '21:00' }],
      [['campaign-engine', 'defaults', 'recall-block-minutes'], 60],
      [['campaign-engine', 'defaults', 'attempt-limit'], 2],
      [
        ['campaign-engine', 'defaults', 'call-again-results'],
        ['NO_ANSWER', 'CALL_BACK_LATER'],
      ],
    ]);
    const topics = config.topics;

    // ingest → NEW; a candidate of a campaign the database does not know is dead-lettered. One at a time, so
    // that task ids follow the candidates (clients on different partitions may be stored in any order).
    await send([encode.candidate(topics.candidates, candidate('100', phone(1)))]);
    await eventually(async () => (await tasks(db())).length === 1, 'first task stored');
    await send([
      encode.candidate(topics.candidates, candidate('200', phone(2), { campaignId: 2 })),
      encode.candidate(topics.candidates, candidate('300', phone(3), { campaignId: 99 })),
    ]);
    await eventually(async () => (await tasks(db())).length === 2, 'two tasks stored');
    expect(await taskStates()).to.deep.equal(['1:NEW:0', '2:NEW:0']);
    await eventually(
      () => (out?.records(dlq(topics.candidates)).length ?? 0) === 1,
      'unknown campaign to DLQ',
    );
    const dead = out?.records(dlq(topics.candidates))[0] as RawRecord;
    expect(dead.key?.toString()).to.equal(phone(3));
    expect(dead.headers['dlq.error']).to.equal('300:99: no campaign 99 in the campaign database');

    // NEW → IN_PROGRESS, an ADD dial task on the topic, keyed by phone
    expect(await engine?.dispatchNow()).to.equal(2);
    await waitForDialTasks(2, 'two ADD dial tasks');
    expect(
      dialTasks()
        .map((t) => [t.dialTaskId, t.action, t.taskId, t.attempt, t.key])
        .sort(),
    ).to.deep.equal([
      ['ADD:1:1', 'ADD', 1, 1, phone(1)],
      ['ADD:2:1', 'ADD', 2, 1, phone(2)],
    ]);
    expect(await taskStates()).to.deep.equal(['1:IN_PROGRESS:1', '2:IN_PROGRESS:1']);

    // CALL_STARTED → a NEW communication; CALL_ENDED → task DONE; a call of an unknown task is dead-lettered
    await send([
      encode.callEvent(topics.callEvents, callEvent('CALL_STARTED', 1, 'call-1')),
      encode.callEvent(topics.callEvents, callEvent('CALL_STARTED', 2, 'call-2')),
    ]);
    await eventually(async () => (await communications()).length === 2, 'two communications');
    await send([
      encode.callEvent(topics.callEvents, callEvent('CALL_ENDED', 1, 'call-1')),
      encode.callEvent(topics.callEvents, callEvent('CALL_ENDED', 2, 'call-2')),
      encode.callEvent(topics.callEvents, callEvent('CALL_STARTED', 404, 'call-404')),
    ]);
    await eventually(
      async () => (await taskStates()).join() === '1:DONE:1,2:DONE:1',
      'both tasks DONE after their calls ended',
    );
    await eventually(() => (out?.records(dlq(topics.callEvents)).length ?? 0) === 1, 'unknown task to DLQ');

    // results: a draft, then a final result that closes task 1; "no answer" re-schedules task 2 after the block
    await send([
      encode.result(topics.communicationResults, resultEvent(1, 1, 'DRAFT', null, 'r-1a')),
      encode.result(topics.communicationResults, resultEvent(1, 1, 'FIXED', 'INTERESTED', 'r-1b')),
      encode.result(topics.communicationResults, resultEvent(2, 2, 'FIXED', 'NO_ANSWER', 'r-2a')),
      encode.result(topics.communicationResults, resultEvent(77, 2, 'FIXED', 'NO_ANSWER', 'r-unknown')),
    ]);
    await eventually(async () => (await taskStates()).join() === '1:DONE:1,2:NEW:1', 'task 2 NEW again');
    await eventually(
      () => (out?.records(dlq(topics.communicationResults)).length ?? 0) === 1,
      'result to DLQ',
    );
    expect((await communications()).map((c) => `${c.id}:${c.state}:${c.result}`)).to.deep.equal([
      '1:FIXED:INTERESTED',
      '2:FIXED:NO_ANSWER',
    ]);
    const [, task2] = await tasks(db());
    expect(task2?.taskTime.getTime()).to.equal(now + 60 * MINUTE);

    // blocked until the block time has passed, then dispatched again as attempt 2
    now += 59 * MINUTE;
    expect(await engine?.dispatchNow(), 'still blocked').to.equal(0);
    now += MINUTE;
    expect(await engine?.dispatchNow(), 'due again').to.equal(1);
    await waitForDialTasks(3, 'the re-call dial task');
    expect(dialTaskIds()).to.include('ADD:2:2');

    // the second call again ends with "no answer": the attempt limit (2) is reached, the task stays DONE
    await send([
      encode.callEvent(topics.callEvents, callEvent('CALL_STARTED', 2, 'call-2b')),
      encode.callEvent(topics.callEvents, callEvent('CALL_ENDED', 2, 'call-2b')),
    ]);
    await eventually(async () => (await taskStates()).join() === '1:DONE:1,2:DONE:2', 'second call ended');
    // Communication ids come from a sequence that an upsert of a call's end also draws from: find it by call.
    const secondCall = (await communications()).find((c) => c.callId === 'call-2b')?.id as number;
    await send([
      encode.result(topics.communicationResults, resultEvent(secondCall, 2, 'FIXED', 'NO_ANSWER', 'r-2b')),
    ]);
    await eventually(
      async () => (await communications()).find((c) => c.id === secondCall)?.state === 'FIXED',
      'second result stored',
    );
    now += 120 * MINUTE;
    expect(await engine?.dispatchNow(), 'attempt limit reached: no third call').to.equal(0);
    expect(await taskStates()).to.deep.equal(['1:DONE:1', '2:DONE:2']);

    // redelivery: every record of every input topic again, in order
    const inputs = [
      [topics.candidates, `${names.group}.candidates`],
      [topics.callEvents, `${names.group}.call-events`],
      [topics.communicationResults, `${names.group}.communication-results`],
    ] as const;
    const consumed = (topic: string, group: string, count: number) =>
      eventually(
        async () => (await committedTotal(transport, group, topic)) === count,
        `${count} records of ${topic} consumed and committed`,
      );
    for (const [topic, group] of inputs) await consumed(topic, group, sent.get(topic) ?? 0);
    const before = await databaseSnapshot(db());
    const dialTasksBefore = dialTaskIds().length;
    for (const [topic] of inputs) {
      const records = await readAll(topic, sent.get(topic) ?? 0);
      await send(records.map((r) => ({ topic, key: r.key, value: r.value })));
    }
    for (const [topic, group] of inputs) await consumed(topic, group, sent.get(topic) ?? 0);
    expect(await engine?.dispatchNow()).to.equal(0);
    expect(await databaseSnapshot(db()), 'database after redelivery').to.deep.equal(before);
    await new Promise((r) => setTimeout(r, 500));
    expect(dialTaskIds(), 'no dial task after redelivery').to.have.length(dialTasksBefore);
  });

  it('cancels and replaces: a new candidate of a client with an IN_PROGRESS task gets a DELETE dial task for the old one', async () => {
    now = Date.UTC(2024, 0, 10, 9);
    await startEngine([[['campaign-engine', 'defaults', 'calling-hours'], { from: '09:00', to: '21:00' }]]);
    await storeInOrder([candidate('1', phone(1)), candidate('2', phone(2))]);
    expect(await engine?.dispatchNow()).to.equal(2);
    await waitForDialTasks(2, 'two ADDs');

    // phone 1 IN_PROGRESS is replaced (DELETE, published without waiting for a dispatch); a NEW task of phone 3
    // replaced before any dispatch never reaches the dialer
    await storeInOrder([candidate('1b', phone(1)), candidate('3', phone(3)), candidate('3b', phone(3))]);
    await waitForDialTasks(3, 'the DELETE of the replaced IN_PROGRESS task');
    const deleted = dialTasks().find((t) => t.action === 'DELETE');
    expect(deleted).to.include({
      dialTaskId: 'DELETE:1:1',
      action: 'DELETE',
      taskId: 1,
      attempt: 1,
      key: phone(1),
    });
    expect((await tasks(db())).map((t) => `${t.candidateId}:${t.state}`)).to.deep.equal([
      '1:1:CANCELED',
      '2:1:IN_PROGRESS',
      '1b:1:NEW',
      '3:1:CANCELED',
      '3b:1:NEW',
    ]);

    expect(await engine?.dispatchNow()).to.equal(2);
    await waitForDialTasks(5, 'ADDs of the replacements');
    expect([...dialTaskIds()].sort()).to.deep.equal([
      'ADD:1:1',
      'ADD:2:1',
      'ADD:3:1',
      'ADD:5:1',
      'DELETE:1:1',
    ]);
    // On phone 1's partition: the old task's ADD, its DELETE, then the replacement's ADD.
    const phone1 = dialTasks()
      .filter((t) => t.key === phone(1))
      .map((t) => t.dialTaskId);
    expect(phone1).to.deep.equal(['ADD:1:1', 'DELETE:1:1', 'ADD:3:1']);
    expect(
      dialTaskIds().filter((id) => id.endsWith(':4:1')),
      'task 4 (phone 3, replaced while NEW)',
    ).to.deep.equal([]);
  });

  it('dispatches only inside calling hours, in each client’s own time zone', async () => {
    now = Date.UTC(2024, 0, 10, 6); // Moscow 09:00, Kaliningrad 08:00, Vladivostok 16:00
    await startEngine([
      [
        ['campaign-engine', 'campaigns'],
        [{ 'campaign-id': 1, 'calling-hours': { from: '10:00', to: '20:00' } }],
      ],
      [['campaign-engine', 'defaults', 'calling-hours'], { from: '22:00', to: '02:00' }],
    ]);
    const topics = config.topics;
    await send([
      encode.candidate(topics.candidates, candidate('1', phone(1), { timeZone: 'Europe/Moscow' })),
      encode.candidate(topics.candidates, candidate('2', phone(2), { timeZone: 'Europe/Kaliningrad' })),
      encode.candidate(topics.candidates, candidate('3', phone(3), { timeZone: 'Asia/Vladivostok' })),
      encode.candidate(topics.candidates, candidate('4', phone(4), { timeZone: null })), // Casper knows nothing: Moscow
      encode.candidate(
        topics.candidates,
        candidate('5', phone(5), { campaignId: 2, timeZone: 'Europe/Moscow' }),
      ),
    ]);
    await eventually(async () => (await tasks(db())).length === 5, 'five tasks');
    const dispatchedAt = async (hhmm: string) => {
      const claimed = await engine?.dispatchNow();
      return `${hhmm} MSK: ${claimed}`;
    };

    expect(await dispatchedAt('09:00')).to.equal('09:00 MSK: 1'); // Vladivostok 16:00
    now = Date.UTC(2024, 0, 10, 7); // Moscow 10:00 opens (end exclusive, start inclusive)
    expect(await dispatchedAt('10:00')).to.equal('10:00 MSK: 2'); // Moscow, and the client with no zone
    now = Date.UTC(2024, 0, 10, 8) - MINUTE; // Kaliningrad 09:59
    expect(await dispatchedAt('10:59')).to.equal('10:59 MSK: 0');
    now = Date.UTC(2024, 0, 10, 8); // Kaliningrad 10:00
    expect(await dispatchedAt('11:00')).to.equal('11:00 MSK: 1');
    now = Date.UTC(2024, 0, 10, 19); // 22:00 Moscow: campaign 2's window spans midnight
    expect(await dispatchedAt('22:00')).to.equal('22:00 MSK: 1');
    await waitForDialTasks(5, 'five ADDs');
    const candidateOf = new Map((await tasks(db())).map((t) => [t.id, t.candidateId]));
    expect(dialTasks().map((t) => `${candidateOf.get(t.taskId)} ${t.clientTimeZone}`)).to.have.members([
      '1:1 Europe/Moscow',
      '2:1 Europe/Kaliningrad',
      '3:1 Asia/Vladivostok',
      '4:1 Europe/Moscow',
      '5:2 Europe/Moscow',
    ]);
  });

  it('dispatches on the configured schedule, without being asked', async () => {
    now = Date.now();
    await startEngine(
      [
        [['campaign-engine', 'dispatch', 'interval-ms'], 200],
        // A window around the current Moscow time: open now and for the next hours.
        [
          ['campaign-engine', 'defaults', 'calling-hours'],
          { from: moscowTime(new Date(now), -60), to: moscowTime(new Date(now), 180) },
        ],
      ],
      { schedules: true, realClock: true },
    );
    await send([1, 2, 3].map((i) => encode.candidate(config.topics.candidates, candidate(`${i}`, phone(i)))));
    await waitForDialTasks(3, 'three ADDs from the scheduled dispatch');
    expect([...dialTaskIds()].sort()).to.deep.equal(['ADD:1:1', 'ADD:2:1', 'ADD:3:1']);
  });

  it('prunes published dial tasks and consumed event ids on the housekeeping schedule, keeping the ADD of an IN_PROGRESS task', async () => {
    now = Date.now();
    await startEngine(
      [
        [['campaign-engine', 'dispatch', 'interval-ms'], 100],
        [
          ['campaign-engine', 'defaults', 'calling-hours'],
          { from: moscowTime(new Date(now), -60), to: moscowTime(new Date(now), 180) },
        ],
        [
          ['campaign-engine', 'housekeeping'],
          // Retention of a few milliseconds, so the first run (after 1 s) prunes what is there.
          {
            'interval-ms': 1000,
            'keep-published-dial-tasks-hours': 1e-6,
            'keep-consumed-event-ids-hours': 1e-6,
          },
        ],
      ],
      { schedules: true, realClock: true },
    );
    const topics = config.topics;
    await storeInOrder([candidate('1', phone(1)), candidate('2', phone(2))]);
    await waitForDialTasks(2, 'two ADDs');
    await send([
      encode.callEvent(topics.callEvents, callEvent('CALL_STARTED', 1, 'call-1')),
      encode.callEvent(topics.callEvents, callEvent('CALL_ENDED', 1, 'call-1')),
    ]);
    await eventually(async () => (await taskStates()).join() === '1:DONE:1,2:IN_PROGRESS:1', 'task 1 DONE');
    const rows = async (sql: string) =>
      (await db().raw<{ rows: { id: string }[] }>(sql)).rows.map((r) => r.id);
    await eventually(
      async () =>
        (await rows('SELECT DIAL_TASK_ID AS id FROM TM$DIAL_TASK_OUTBOX')).join() === 'ADD:2:1' &&
        (await rows('SELECT EVENT_ID AS id FROM TM$CONSUMED_EVENTS')).length === 0,
      'the ADD of DONE task 1 and the consumed event ids pruned; the ADD of IN_PROGRESS task 2 kept',
      10_000,
    );
  });

  async function communications(): Promise<
    { id: number; callId: string; state: string; result: string | null }[]
  > {
    const { rows } = await db().raw<{
      rows: { id: string; call_id: string; state: string; result_details: { result?: string } | null }[];
    }>('SELECT ID, CALL_ID, STATE, RESULT_DETAILS FROM TM$COMMUNICATIONS ORDER BY ID');
    return rows.map((r) => ({
      id: Number(r.id),
      callId: r.call_id,
      state: r.state,
      result: r.result_details?.result ?? null,
    }));
  }

  /** Sends candidates one at a time, each once the previous one is stored, so task ids follow their order. */
  async function storeInOrder(candidates: Candidate[]): Promise<void> {
    for (const c of candidates) {
      const count = (await tasks(db())).length;
      await send([encode.candidate(config.topics.candidates, c)]);
      await eventually(async () => (await tasks(db())).length === count + 1, `${c.candidateId} stored`);
    }
  }

  /** The first `count` records of a topic, partition by partition, read with a group of its own. */
  async function readAll(topic: string, count: number): Promise<RawRecord[]> {
    const reader = await collectTopics(transport, [topic], uniqueName('ce-redeliver'));
    try {
      await eventually(() => reader.records(topic).length >= count, `all ${count} records of ${topic}`);
      return reader.records(topic);
    } finally {
      await reader.stop();
    }
  }
});
