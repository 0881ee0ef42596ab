/**
 * The KPI stage rides out a broker outage of a minute: a broker of the test's own is frozen (SIGSTOP) for 60 s while
 * the stage has records to count; the stage reports itself unready meanwhile, does not exit, and once the broker is
 * back counts everything exactly once.
 */
import { JvmKafkaBroker } from '@tm/infra';
import { kafkaTransport, type Transport } from '@tm/pipeline-core';
import { eventually, produce } from '@tm/pipeline-core/testing';
import { expect } from 'chai';
import { logLevel } from 'kafkajs';
import { pino } from 'pino';
import { engineConfig } from '../campaign/engine/test-support.js';
import { workingDay } from './kpi-sample-events.js';
import { createKpiService, type KpiService } from './kpi-service.js';
import { kpiOverrides } from './kpi-test-config.test-support.js';

const OUTAGE_MS = 60_000;

describe('KPI stage through a broker outage of a minute', function () {
  this.timeout(300_000);
  let broker: JvmKafkaBroker | undefined;
  let transport: Transport | undefined;
  let kpi: KpiService | undefined;
  let frozen = false;

  after(async () => {
    if (broker && frozen) process.kill(broker.pid, 'SIGCONT');
    await kpi?.stop().catch(() => {});
    await transport?.close().catch(() => {});
    await broker?.stop();
  });

  it('is unready while the broker is down, does not fail, and counts every record once it is back', async () => {
    broker = await JvmKafkaBroker.start();
    let n = 0;
    const unique = (base: string) => `${base}-outage-${++n}`;
    const config = engineConfig([
      ...kpiOverrides(unique, [broker.brokers]),
      [['infra', 'kafka', 'session-timeout-ms'], 10_000],
    ]);
    transport = kafkaTransport({ brokers: [broker.brokers], logLevel: logLevel.NOTHING });
    kpi = createKpiService({ config, transport, logger: pino({ level: 'warn' }) });
    await kpi.start();
    const runnable = kpi.runnable();
    const day = workingDay(config, Date.now() - 60_000, 400, 20);
    const half = Math.floor(day.records.length / 2);
    await produce(transport, day.records.slice(0, half));
    const calls = () => kpi?.view.totals('day', Date.now()).counters['calls.started'] ?? 0;
    await eventually(() => calls() > 0, 'the first half counted', 60_000);
    await eventually(() => runnable.health().ready, 'ready before the outage', 30_000);

    process.kill(broker.pid, 'SIGSTOP');
    frozen = true;
    const downAt = Date.now();
    await eventually(() => !runnable.health().ready, 'unready during the outage', 45_000);
    const unreadyAfterMs = Date.now() - downAt;
    while (Date.now() - downAt < OUTAGE_MS) {
      expect(runnable.health().live, 'still live during the outage').to.equal(true);
      await new Promise((r) => setTimeout(r, 1_000));
    }
    process.kill(broker.pid, 'SIGCONT');
    frozen = false;

    await eventually(() => runnable.health().ready, 'ready again after the outage', 120_000);
    await produce(transport, day.records.slice(half));
    await eventually(() => calls() === day.expected.calls, 'every call counted', 120_000);
    await new Promise((r) => setTimeout(r, 2_000));
    const counters = kpi.view.totals('day', Date.now()).counters;
    expect({
      applications: counters.applications,
      candidates: counters.candidates,
      calls: counters['calls.started'],
      fixed: counters['results.FIXED'],
    }).to.deep.equal({
      applications: day.expected.applications,
      candidates: day.expected.candidates,
      calls: day.expected.calls,
      fixed: day.expected.fixed,
    });
    expect(runnable.state).to.equal('running');
    expect(unreadyAfterMs).to.be.below(45_000);
  });
});
