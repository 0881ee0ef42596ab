/**
 * The KPI dashboard in a real browser (Debian's Chromium through playwright-core) against the KPI stage on real
 * Kafka: it shows what the topics hold, and a change the test causes appears by itself within seconds.
 * Screenshots of each screen go to test-artifacts/kpi/.
 */

import type { PipelineConfig } from '@tm/contracts';
import {
  type BrowserSession,
  ensureWebBuild,
  expectText,
  openBrowserSession,
  testServices,
  uniqueName,
} from '@tm/infra';
import { kafkaTransport, type Transport } from '@tm/pipeline-core';
import { produce } from '@tm/pipeline-core/testing';
import { expect } from 'chai';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { engineConfig } from '../campaign/engine/test-support.js';
import { dashboardTile, tileNumber } from './kpi-dashboard.test-support.js';
import { buildKpiHttp } from './kpi-http.js';
import { kpiEvents, kpiRecords, phoneOf, workingDay } from './kpi-sample-events.js';
import { createKpiService, type KpiService } from './kpi-service.js';
import { kpiOverrides } from './kpi-test-config.test-support.js';

describe('KPI dashboard in Chromium (Kafka)', function () {
  this.timeout(240_000);
  let transport: Transport;
  let kpi: KpiService;
  let http: FastifyInstance;
  let session: BrowserSession;
  let url: string;
  let config: PipelineConfig;
  const browserRequests: string[] = [];
  const pageErrors: string[] = [];

  before(async () => {
    const webDir = await ensureWebBuild();
    config = engineConfig([...kpiOverrides(uniqueName, testServices().kafkaBrokers)]);
    transport = kafkaTransport({ brokers: testServices().kafkaBrokers });
    kpi = createKpiService({ config, transport, logger: pino({ level: 'warn' }) });
    await kpi.start();
    http = buildKpiHttp(kpi, { webDir });
    url = await http.listen({ host: '127.0.0.1', port: 0 });
    // half an hour of work up to now, so the per-minute charts have a shape
    const day = workingDay(config, Date.now() - 30 * 60_000, 60, 6_000);
    await produce(transport, day.records);
    session = await openBrowserSession('kpi');
    session.page.on('request', (request) => browserRequests.push(request.url()));
    session.page.on('pageerror', (error) => pageErrors.push(error.message));
    session.page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
  });

  after(async () => {
    await session?.close();
    await http?.close();
    await kpi?.stop();
    await transport?.close();
  });

  const tile = (label: string) => dashboardTile(session.page, label);

  it('shows today’s figures, the current state and the charts', async () => {
    const { page } = session;
    await page.goto(`${url}/`);
    expect(new URL(page.url()).pathname).to.equal('/dashboard/');
    expect(await page.getByRole('heading', { name: 'KPI телемаркетинга' }).isVisible()).to.equal(true);
    await expectText(tile('Звонки'), (t) => tileNumber(t) === 48, 'the 48 calls of the working day');
    await expectText(tile('Заявки'), (t) => tileNumber(t) === 60, '60 applications');
    await expectText(tile('Отказы фильтров'), (t) => tileNumber(t) === 12, '12 rejections');
    await expectText(tile('Операторы в системе'), (t) => tileNumber(t) === 2, 'two operators logged in');
    await expectText(tile('На перерыве'), (t) => tileNumber(t) === 1, 'one on a break');
    await expectText(tile('Дозвон'), (t) => /^75\s*%$/.test(t), 'the answer rate of 36 in 48');
    const rejections = page.getByRole('table', { name: 'Отказы по фильтрам' });
    expect(await rejections.getByRole('row').count()).to.equal(3); // header, AGE, PHONE_BLACK_LIST
    // three uPlot charts, each drawn on a canvas sized to its box
    await page.locator('figure.chart canvas').nth(2).waitFor();
    expect(await page.locator('figure.chart canvas').count()).to.equal(3);
    const axis = await page.locator('figure.chart').first().boundingBox();
    expect(axis?.width ?? 0).to.be.greaterThan(400);
    await session.shot('dashboard');
  });

  it('shows a change the test causes within seconds, without a reload', async () => {
    const before = tileNumber(await expectText(tile('Звонки'), (t) => t.length > 0, 'the calls tile'));
    const r = kpiRecords(config);
    const now = Date.now();
    const n = 9_001;
    const changedAt = Date.now();
    await produce(transport, [
      r.application(kpiEvents.application(n, now)),
      r.candidate(kpiEvents.candidate(n, now)),
      r.dial(kpiEvents.dial(n, 99_001, now)),
      r.call(kpiEvents.callStarted(n, 99_001, 103, now)),
      r.session(kpiEvents.session(103, 'OPEN', now)),
    ]);
    await expectText(tile('Звонки'), (t) => tileNumber(t) === before + 1, 'the new call');
    const visibleAfterMs = Date.now() - changedAt;
    await expectText(tile('Операторы в системе'), (t) => tileNumber(t) === 3, 'the third operator');
    await expectText(tile('Идут разговоры'), (t) => tileNumber(t) === 1, 'the call under way');
    expect(visibleAfterMs).to.be.below(10_000);
    expect(phoneOf(n)).to.match(/^7900/);
    await session.shot('dashboard-after-change');
  });

  it('filters by campaign, and fetches nothing from anywhere but its own server', async () => {
    const { page } = session;
    await page.getByLabel('Кампания').selectOption('1');
    await expectText(
      tile('Заявки'),
      (t) => tileNumber(t) === 0,
      'no applications under a campaign (they precede it)',
    );
    await expectText(tile('Кандидаты'), (t) => tileNumber(t) === 49, 'the campaign’s 49 candidates');
    await session.shot('dashboard-campaign-1');
    const origin = new URL(url).origin;
    expect(browserRequests.filter((u) => !u.startsWith(origin) && !u.startsWith('data:'))).to.deep.equal([]);
    expect(pageErrors).to.deep.equal([]);
  });
});
