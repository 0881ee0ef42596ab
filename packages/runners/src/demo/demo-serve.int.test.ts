/**
 * `pnpm demo -- --serve` in a real browser (Debian's Chromium through playwright-core, ADR 0114): the demo runs
 * in-process at a person's pace, and the login it prints opens the operator page the ARM serves; the demo operator
 * takes calls beside three simulated ones. Needs no Kafka, PostgreSQL or Redis (the demo is embedded); it sits with
 * the browser tests in the integration suite. Screenshots go to test-artifacts/demo-serve/.
 */
import { type BrowserSession, ensureWebBuild, openBrowserSession } from '@tm/infra';
import { expect } from 'chai';
import { formatServing } from '../commands/demo.js';
import { type DemoServing, type DemoSummary, runDemo } from './run-demo.js';

describe('pnpm demo -- --serve, tried in Chromium', function () {
  this.timeout(300_000);
  const stop = new AbortController();
  let serving: DemoServing;
  let demo: Promise<DemoSummary>;
  let session: BrowserSession | undefined;
  const pageErrors: string[] = [];

  before(async function () {
    this.timeout(300_000);
    await ensureWebBuild(); // the ARM serves packages/web/dist/operator at /, the KPI stage the dashboard
    const ready = new Promise<DemoServing>((resolve, reject) => {
      demo = runDemo({ rows: 300, seed: 5, serve: { signal: stop.signal, onReady: resolve } });
      demo.catch(reject);
    });
    serving = await ready;
  });

  after(async () => {
    await session?.close();
    stop.abort();
    await demo?.catch(() => {});
  });

  it('prints where the page, the dashboard and the demo login are', () => {
    const printed = formatServing(serving);
    expect(printed).to.match(/operator page +http:\/\/127\.0\.0\.1:\d+\//);
    expect(printed).to.match(/KPI dashboard +http:\/\/127\.0\.0\.1:\d+\/dashboard\//);
    expect(printed).to.contain(`login ${serving.login}, password ${serving.password}`);
  });

  it('serves the KPI dashboard', async () => {
    const page = await fetch(serving.dashboard);
    expect(page.status).to.equal(200);
    expect(page.headers.get('content-type')).to.match(/text\/html/);
    const snapshot = await fetch(new URL('/api/kpi/v1/snapshot', serving.dashboard));
    expect(snapshot.status).to.equal(200);
  });

  it('lets the demo operator log in on the page, see the rework list, and take a simulated call', async () => {
    session = await openBrowserSession('demo-serve');
    const { page } = session;
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(serving.operatorPage);
    await page.getByLabel('Логин').fill(serving.login);
    await page.getByLabel('Пароль').fill(serving.password);
    await page.getByRole('button', { name: 'Войти' }).click();
    await page.getByRole('region', { name: 'Карточки на доработку' }).waitFor({ timeout: 30_000 });
    await session.shot('1-logged-in');

    // The demo operator is READY at login: the telephony gives it calls like the simulated operators.
    const card = page.getByRole('article');
    await card.first().waitFor({ timeout: 180_000 });
    await session.shot('2-card');
    expect(await card.first().isVisible()).to.equal(true);
    expect(pageErrors).to.deep.equal([]);
  });

  it('stops on the signal and reports the loop it ran', async () => {
    stop.abort();
    const summary = await demo;
    expect(summary.operators.simulated).to.equal(3);
    expect(summary.calls.made).to.be.greaterThan(0);
    expect(summary.overrides.join(' ')).to.contain('ARM result window: 60 s');
  });
});
