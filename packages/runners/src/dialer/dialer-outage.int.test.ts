/**
 * The dialer rides out an outage of PostgreSQL or of the telephony (each behind a proxy the test takes down): it keeps
 * running, reports itself unready meanwhile, and loses nothing — dial tasks read during the outage reach the
 * telephony exactly once after it, and their calls come back as call events. Real Kafka, PostgreSQL and the telephony
 * simulator over HTTP; the dialer in this process.
 */
import { randomBytes } from 'node:crypto';
import type { CallEvent } from '@tm/contracts';
import { testServices, uniqueName } from '@tm/infra';
import { kafkaTransport, StageMetrics, type Transport } from '@tm/pipeline-core';
import { eventually, produce } from '@tm/pipeline-core/testing';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { pino } from 'pino';
import { ToggleProxy } from '../arm/tcp-proxy.test-support.js';
import { connectCampaignDb } from '../campaign/db/connect.js';
import { migrateToLatest } from '../campaign/db/migrate.js';
import { collectTopics, engineConfig, type TopicCollector } from '../campaign/engine/test-support.js';
import { contractSerdes } from '../runtime/serdes.js';
import { type RunningSimulators, startSimulators } from '../simulators/start-simulators.js';
import { HttpTelephony } from '../telephony/http-telephony.js';
import { createDialer, type Dialer } from './dialer.js';
import { dialerRecords, dialerRows, dialTask, seedOperators, seedTasks } from './dialer.test-support.js';

const SECRETS = { apiKey: 'outage-key', operatorSecret: 'outage-secret' };

describe('dialer outages of PostgreSQL and the telephony', function () {
  this.timeout(120_000);
  const services = () => testServices();
  const suffix = uniqueName('dialer-outage');
  const schema = `dout_${randomBytes(4).toString('hex')}`;
  const config = engineConfig([
    [['topics', 'dial-tasks'], `tm-dial-tasks-${suffix}`],
    [['topics', 'call-events'], `tm-call-events-${suffix}`],
    [['topics', 'operator-sessions'], `tm-operator-sessions-${suffix}`],
    [['topics', 'callback-requests'], `tm-callback-requests-${suffix}`],
    [['dialer', 'consumer-group'], `tm-dialer-${suffix}`],
    [['dialer', 'poll-interval-ms'], 200],
    [['dialer', 'telephony-timeout-ms'], 500],
    [['dialer', 'send', 'initial-delay-ms'], 200],
    [['dialer', 'send', 'max-delay-ms'], 1000],
    [['dialer', 'send', 'breaker-failures'], 3],
    [['dialer', 'send', 'breaker-half-open-ms'], 500],
    [['simulators', 'telephony', 'port'], 0],
    [['simulators', 'telephony', 'time-scale'], 300],
    [['simulators', 'telephony', 'ring-ms'], 20],
    [['simulators', 'blacklist', 'port'], 0],
    [['simulators', 'casper', 'port'], 0],
    [['simulators', 'abram', 'port'], 0],
  ]);
  const records = dialerRecords(config);
  const serdes = contractSerdes(config);
  let db: Knex;
  let dialerDb: Knex;
  let transport: Transport;
  let simulators: RunningSimulators;
  let telephony: HttpTelephony;
  let dialer: Dialer;
  let collector: TopicCollector;
  let dbProxy: ToggleProxy;
  let telephonyProxy: ToggleProxy;

  const sender = () => dialer.runnables.find((r) => r.name === 'dialer.sender');
  const ready = () => sender()?.health().ready ?? false;
  const callEvents = () =>
    collector
      .records(config.topics.callEvents)
      .map((r) => serdes.callEvent.decode(r.value as Buffer) as CallEvent);

  before(async () => {
    const { databaseUrl, kafkaBrokers } = services();
    const admin = connectCampaignDb(databaseUrl, { poolMax: 1 });
    await admin.raw(`CREATE SCHEMA ${schema}`);
    await admin.destroy();
    db = connectCampaignDb(databaseUrl, { poolMax: 2, searchPath: [schema] });
    await migrateToLatest(db);
    const dbUrl = new URL(databaseUrl);
    dbProxy = new ToggleProxy(dbUrl.hostname, Number(dbUrl.port || 5432));
    await dbProxy.up();
    dialerDb = connectCampaignDb(dbProxy.url(databaseUrl), { poolMax: 4, searchPath: [schema] });
    simulators = await startSimulators(config.simulators, { telephonySecrets: SECRETS });
    const telephonyUrl = new URL(simulators.urls.telephony);
    telephonyProxy = new ToggleProxy('127.0.0.1', Number(telephonyUrl.port));
    await telephonyProxy.up();
    telephony = new HttpTelephony({
      url: telephonyProxy.url(simulators.urls.telephony),
      apiKey: SECRETS.apiKey,
      timeoutMs: 500,
    });
    transport = kafkaTransport({ brokers: [...kafkaBrokers], clientId: suffix });
    await seedOperators(db, [21, 22]);
    dialer = createDialer({
      config,
      transport,
      db: dialerDb,
      telephony,
      operatorSecret: SECRETS.operatorSecret,
      logger: pino({ level: 'silent' }),
      metrics: new StageMetrics(),
    });
    await dialer.start();
    collector = await collectTopics(transport, [config.topics.callEvents], `${suffix}-collector`);
    await produce(transport, [records.session(21, 'OPEN'), records.session(22, 'OPEN')]);
    await eventually(() => dialer.sessions.active().length === 2, 'two sessions open', 30_000);
  });

  after(async () => {
    await collector?.stop();
    await dialer?.stop();
    await telephony?.close();
    await simulators?.close();
    await transport?.close();
    await dbProxy?.down();
    await telephonyProxy?.down();
    await dialerDb?.destroy();
    await db?.raw(`DROP SCHEMA ${schema} CASCADE`);
    await db?.destroy();
  });

  /** Every task reached the telephony once, and each call came back as one start and one end. */
  async function expectAllCalled(tasks: readonly number[]): Promise<void> {
    const references = tasks.map((t) => `ADD:${t}:1`);
    await eventually(
      () => references.every((r) => simulators.telephony.model.addTaskCount(r) === 1),
      'every task at the telephony',
      60_000,
    );
    await eventually(
      () =>
        tasks.every((t) => callEvents().filter((e) => e.taskId === t && e.type === 'CALL_ENDED').length >= 1),
      'every call ended and published',
      60_000,
    );
    expect(references.map((r) => simulators.telephony.model.addTaskCount(r))).to.deep.equal(
      references.map(() => 1),
    );
    const ids = new Set(callEvents().map((e) => e.eventId));
    const started = [...ids].filter((id) => id.endsWith(':STARTED')).length;
    expect(started).to.equal(simulators.telephony.model.stats().callsMade);
  }

  it('database down: unready, still running; dial tasks read during it are sent after, once', async () => {
    await eventually(ready, 'ready before the outage');
    await dbProxy.down();
    const tasks = await seedTasks(db, 5);
    await produce(
      transport,
      tasks.map((t) => records.dialTask(dialTask('ADD', t, 1, `79${String(t).padStart(9, '0')}`))),
    );
    await eventually(() => !ready(), 'unready during the outage', 10_000);
    await new Promise((r) => setTimeout(r, 3000));
    expect(dialer.runnables.every((r) => r.health().live)).to.equal(true);
    expect(tasks.some((t) => simulators.telephony.model.addTaskCount(`ADD:${t}:1`) > 0)).to.equal(false);
    await dbProxy.up();
    await eventually(ready, 'ready again', 20_000);
    await expectAllCalled(tasks);
  });

  it('telephony down: the breaker opens, unready; tasks stay pending and go once it is back, once', async () => {
    await eventually(ready, 'ready before the outage');
    await telephonyProxy.down();
    const tasks = await seedTasks(db, 5);
    await produce(
      transport,
      tasks.map((t) => records.dialTask(dialTask('ADD', t, 1, `79${String(t).padStart(9, '0')}`))),
    );
    await eventually(() => !ready(), 'unready: breaker open', 20_000);
    const ours = async () =>
      (await dialerRows(db)).filter((r) => tasks.some((t) => r.dialTaskId === `ADD:${t}:1`));
    await eventually(
      async () => (await ours()).length === tasks.length,
      'stored while the telephony is down',
    );
    await new Promise((r) => setTimeout(r, 1500)); // past the half-open time: a probe is tried and fails
    // Pending, not lost: NEW, no telephony id; those tried carry their error (the open breaker stops the others).
    const pending = await ours();
    expect(pending.map((r) => [r.state, r.externalId])).to.deep.equal(tasks.map(() => ['NEW', null]));
    expect(pending.filter((r) => r.tries > 0).every((r) => r.lastError !== null)).to.equal(true);
    await new Promise((r) => setTimeout(r, 2000));
    expect(dialer.runnables.every((r) => r.health().live)).to.equal(true);
    await telephonyProxy.up();
    await eventually(ready, 'ready again', 20_000);
    await expectAllCalled(tasks);
  });
});
