import { loadPipelineConfig, type PipelineConfig } from '@tm/contracts';
import { MemoryBroker, memoryTransport, type Transport } from '@tm/pipeline-core';
import { eventually } from '@tm/pipeline-core/testing';
import { expect } from 'chai';
import { pino } from 'pino';
import { repoRoot } from '../analyser/analyser.test-support.js';
import { buildKpiHttp } from './kpi-http.js';
import { phoneOf, workingDay } from './kpi-sample-events.js';
import { createKpiService, type KpiService } from './kpi-service.js';

const silent = pino({ level: 'silent' });

function testConfig(): PipelineConfig {
  const config = loadPipelineConfig(`${repoRoot}/config/pipeline.yaml`, {});
  return {
    ...config,
    infra: { ...config.infra, transport: 'memory' },
    kpi: { ...config.kpi, flushIntervalMs: 20 },
  };
}

async function produceAll(
  transport: Transport,
  records: Parameters<ReturnType<Transport['createProducer']>['send']>[0],
) {
  const producer = transport.createProducer();
  await producer.connect();
  await producer.send(records);
  await producer.disconnect();
}

describe('createKpiService (memory transport)', () => {
  const config = testConfig();
  // 2024-03-01 09:00 in Moscow; the clock of the service is 10 minutes after the last event
  const start = Date.parse('2024-03-01T06:00:00Z');
  const day = workingDay(config, start, 40);
  const now = () => day.end + 10 * 60_000;
  let broker: MemoryBroker;
  let transport: Transport;
  let services: KpiService[];
  const service = () => {
    const kpi = createKpiService({ config, transport, logger: silent, clock: now });
    services.push(kpi);
    return kpi;
  };

  beforeEach(() => {
    broker = new MemoryBroker();
    transport = memoryTransport(broker);
    services = [];
  });
  afterEach(async () => {
    for (const s of services) await s.stop().catch(() => {});
  });

  it('aggregates every topic into today, this hour and per-minute series, and serves them as JSON', async () => {
    const kpi = service();
    await kpi.start();
    await produceAll(transport, day.records);
    await eventually(
      () => (kpi.view.totals('day', now()).counters['calls.ended'] ?? 0) === day.expected.calls,
      'every call counted',
    );

    expect(kpi.runnable().health()).to.deep.include({ ready: true, live: true, error: null });
    const http = buildKpiHttp(kpi, { clock: now, webDir: null });
    const snapshot = (await http.inject({ url: '/api/kpi/v1/snapshot' })).json();
    expect(snapshot.today.start).to.equal('2024-02-29T21:00:00.000Z'); // Moscow midnight
    expect(snapshot.today.counters).to.include({
      applications: day.expected.applications,
      candidates: day.expected.candidates,
      rejections: day.expected.rejections,
      'calls.started': day.expected.calls,
      'calls.ANSWERED': day.expected.answered,
      'results.FIXED': day.expected.fixed,
      'results.DRAFT': day.expected.drafts,
    });
    expect(snapshot.today.answerRate).to.equal(
      Math.round((day.expected.answered / day.expected.calls) * 10_000) / 10_000,
    );
    expect(snapshot.gauges).to.deep.include({ draftsWaiting: day.expected.drafts });
    expect(snapshot.gauges.operators).to.deep.equal({ loggedIn: 2, ready: 1, onBreak: 1 });
    expect(snapshot.dimensions).to.deep.equal({ campaigns: ['1'], streams: ['MOBILE_LOANS'] });
    expect(snapshot.operators.map((o: { operatorId: string }) => o.operatorId).sort()).to.deep.equal([
      '101',
      '102',
    ]);

    const filtered = (await http.inject({ url: '/api/kpi/v1/snapshot?campaign=2' })).json();
    expect(filtered.today.counters).to.deep.equal({});

    const series = (
      await http.inject({
        url: '/api/kpi/v1/series?size=minute&count=30&measures=applications,calls.started',
      })
    ).json();
    expect(series.starts).to.have.length(30);
    expect(series.values.applications.reduce((a: number, b: number) => a + b, 0)).to.equal(
      day.expected.applications,
    );
    expect((await http.inject({ url: '/api/kpi/v1/series?size=hour' })).json().starts).to.have.length(60);
    expect((await http.inject({ url: '/api/kpi/v1/series?size=week' })).statusCode).to.equal(400);
    expect((await http.inject({ url: '/api/kpi/v1/series?size=hour&count=0' })).statusCode).to.equal(400);
    expect((await http.inject({ url: '/' })).headers.location).to.equal('/dashboard/');
    await http.close();
  });

  it('after a crash mid-run, restores its state from the changelog and ends with the same totals', async () => {
    const half = Math.floor(day.records.length / 2);
    const first = service();
    await first.start();
    await produceAll(transport, day.records.slice(0, half));
    await eventually(() => first.view.updates > 0 && first.streamTime() !== undefined, 'some windows');
    await first.runnable().abort(); // no graceful stop: whatever was not flushed is lost with the process

    await produceAll(transport, day.records.slice(half));
    const second = service();
    await second.start();
    await eventually(
      () => (second.view.totals('day', now()).counters['calls.ended'] ?? 0) === day.expected.calls,
      'every call counted',
    );
    await new Promise((r) => setTimeout(r, 100)); // a few more flushes: nothing may be counted twice
    const counters = second.view.totals('day', now()).counters;
    expect(counters).to.include({
      applications: day.expected.applications,
      candidates: day.expected.candidates,
      'calls.started': day.expected.calls,
      'results.FIXED': day.expected.fixed,
    });
    expect(second.gauges().operators).to.deep.equal({ loggedIn: 2, ready: 1, onBreak: 1 });
  });

  it('dead-letters a record it cannot decode and goes on', async () => {
    const kpi = service();
    await kpi.start();
    await produceAll(transport, [
      { topic: config.topics.callEvents, key: '1', value: Buffer.from('not avro') },
      ...day.records.slice(0, 5),
    ]);
    await eventually(() => broker.records(`${config.topics.callEvents}.dlq`).length === 1, 'the dead letter');
    await eventually(
      () => (kpi.view.totals('day', now()).counters.applications ?? 0) > 0,
      'the records after it',
    );
    expect(phoneOf(1)).to.match(/^7\d{10}$/);
  });
});
