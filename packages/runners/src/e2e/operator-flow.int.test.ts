/**
 * The operator's whole flow in a real browser (Debian's Chromium through playwright-core) against the runners as they
 * run in production: `tm run simulators` (the telephony), `campaign`, `security`, `arm`, `dialer` and `kpi` as six
 * processes on the real broker, PostgreSQL and Redis (ADR 0150). Nothing is injected between them: the test publishes
 * candidates on tml-candidates as the analyser would; the engine dispatches them, the dialer hands them to the
 * simulated telephony, which calls the logged-in operator; the page shows the card, the operator saves the result
 * within the 60 s; the KPI dashboard (its own page, served by `tm run kpi`) shows each step. Then a card left unsaved
 * comes back for rework, Позвонить makes the telephony call the client back and connect this operator, and the rework
 * card is saved.
 *
 * The services run on real time. The operator page runs on Playwright's `page.clock` (installed before the page
 * loads, never frozen), so the 60 s of the unsaved card are run out by fast-forwarding the page alone; the page then
 * drafts first, as it does live (ADR 0116). Screenshots go to test-artifacts/operator-flow/.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPipelineConfig, type PipelineConfig } from '@tm/contracts';
import {
  artifactDir,
  type BrowserSession,
  ensureWebBuild,
  expectText,
  openBrowserSession,
  testServices,
  uniqueName,
} from '@tm/infra';
import { kafkaTransport, type Transport } from '@tm/pipeline-core';
import { eventually, produce } from '@tm/pipeline-core/testing';
import { expect } from 'chai';
import type { Knex } from 'knex';
import type { Page } from 'playwright-core';
import {
  expectNotSavedNotice,
  expectReworkListEmpty,
  expectSaved,
  fillResult,
  logIn,
  type PageWatch,
  watchPage,
} from '../arm/operator-page.test-support.js';
import { TEST_SCRYPT_COST } from '../arm/test-support.js';
import { connectCampaignDb } from '../campaign/db/connect.js';
import { candidate } from '../campaign/db/test-support.js';
import { encode } from '../campaign/engine/test-support.js';
import { dashboardTile, tileNumber } from '../kpi/kpi-dashboard.test-support.js';
import { addOperator } from '../security/operators-db.js';
import { PasswordHasher } from '../security/password.js';
import type { TelephonyStats } from '../simulators/telephony-model.js';
import {
  PipelineProcesses,
  type PipelineProcessName,
  patchPipelineConfig,
  privateSchemaUrl,
  writePipelineConfig,
} from './pipeline-processes.js';

/** Two clients: the first call is saved in time, the second left for rework (the candidate fixture's numbers). */
const FIRST = { phone: '79001234567', application: '23456701', masked: '+7 (***) ***-45-67' };
const SECOND = { phone: '79005550011', application: '55001101', masked: '+7 (***) ***-00-11' };
/** Simulated talk time of every call: 240 s at the simulator's 60× is 4 s of real time. */
const TALK_SECONDS = 240;
const SUITE = 'operator-flow';
/** How long each runner may take to be ready. */
const READY_TIMEOUT_MS = 150_000;

describe('the operator’s flow in Chromium against tm run simulators, campaign, security, arm, dialer and kpi', function () {
  this.timeout(240_000);
  let workDir: string;
  let processes: PipelineProcesses | undefined;
  let db: Knex | undefined;
  let transport: Transport | undefined;
  let config: PipelineConfig;
  let operator: BrowserSession | undefined;
  let dashboard: { page: Page; close(): Promise<void> } | undefined;
  const watches: PageWatch[] = [];

  before(async function () {
    this.timeout(2 * READY_TIMEOUT_MS + 60_000);
    const startedAt = Date.now();
    await ensureWebBuild(); // the ARM serves the operator page, the KPI runner the dashboard
    workDir = mkdtempSync(join(tmpdir(), 'tm-operator-flow-'));
    const services = testServices();
    const suffix = uniqueName('opflow');
    const schema = `opflow_${suffix.replace(/[^a-z0-9]/gi, '_').toLowerCase()}`;
    const written = await writePipelineConfig({
      workDir,
      brokers: services.kafkaBrokers,
      databaseUrl: await privateSchemaUrl(services.databaseUrl, schema),
      suffix,
      redisKeyPrefix: `${services.redisKeyPrefix}${suffix}:`,
    });
    patchPipelineConfig(written.file, [
      // every call answered, each lasting TALK_SECONDS; the telephony's answers and the dialer's polls quick
      [['simulators', 'telephony', 'outcomes'], { answered: 1, 'no-answer': 0, busy: 0, failed: 0 }],
      [
        ['simulators', 'telephony', 'talk-seconds'],
        { median: TALK_SECONDS, spread: 0, min: TALK_SECONDS, max: TALK_SECONDS },
      ],
      [['simulators', 'telephony', 'ring-ms'], 50],
      [['simulators', 'telephony', 'latency'], { 'fixed-ms': 1, 'jitter-ms': 1 }],
      [['dialer', 'poll-interval-ms'], 200],
      [['security', 'password', 'scrypt-cost'], TEST_SCRYPT_COST],
    ]);
    config = loadPipelineConfig(written.file, {});
    db = connectCampaignDb(services.databaseUrl, { poolMax: 2, searchPath: [schema] });
    transport = kafkaTransport({ brokers: [...services.kafkaBrokers], clientId: `${suffix}-test` });
    processes = new PipelineProcesses(written.file, workDir, suffix);
    const env = {
      REDIS_URL: services.redisUrl,
      TM_ACCESS_CACHE_KEY: randomBytes(32).toString('hex'), // the ARM checks tokens through the access cache
    };
    // Each runner loads its sources through tsx at start: at a load average of 40 on 2 cores one took more than
    // the harness's usual minute to be ready, so each gets READY_TIMEOUT_MS. The campaign engine first: it migrates
    // the database and creates most topics. All six at once failed before ADR 0160 (a stage's start meeting a topic
    // another runner had just created, before its partitions had a leader); 0160 retries a stage's start, but the
    // order keeps the runners from racing to create the same topics.
    const start = (name: PipelineProcessName) =>
      (processes as PipelineProcesses).start(name, { env, readyTimeoutMs: READY_TIMEOUT_MS });
    await Promise.all([start('simulators'), start('campaign')]);
    await Promise.all([start('security'), start('arm'), start('dialer'), start('kpi')]);
    const hasher = new PasswordHasher(config.security.password);
    await addOperator(db, {
      login: 'anna',
      passwordHash: await hasher.hash('secret-1'),
      firstName: 'Анна',
      lastName: 'Иванова',
    });
    console.log(`      six runners started in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
  });

  let passed = false;
  afterEach(function () {
    passed = this.currentTest?.state === 'passed';
  });

  after(async function () {
    this.timeout(120_000);
    for (const watch of watches) watch.stop(); // the runners stop under pages that may still poll them
    await dashboard?.close();
    await operator?.close();
    const codes = await processes?.stop();
    await transport?.close();
    await db?.destroy();
    if (!passed) {
      console.log(`      the runners' logs are kept in ${workDir}`);
      return; // a runner that never got ready may not stop cleanly either: the failure above says why
    }
    rmSync(workDir, { recursive: true, force: true });
    expect(codes, 'every runner stops cleanly on SIGTERM').to.satisfy((c: Record<string, number | null>) =>
      Object.values(c ?? {}).every((code) => code === 0),
    );
  });

  const telephonyStats = async (): Promise<TelephonyStats> => {
    const url = `http://127.0.0.1:${config.simulators.telephony.port}/__sim/telephony/stats`;
    return (await (await fetch(url)).json()) as TelephonyStats;
  };

  /** A candidate on tml-candidates, as the analyser publishes one, decided now. */
  const publishCandidate = (client: typeof FIRST) =>
    produce(transport as Transport, [
      encode.candidate(config.topics.candidates, {
        ...candidate(client.application, client.phone),
        decidedAt: Date.now(),
      }),
    ]);

  /** The engine's state of the client's communications, oldest first. */
  const communicationStates = async (phone: string): Promise<string[]> => {
    const { rows } = await (db as Knex).raw<{ rows: { state: string }[] }>(
      `SELECT c.STATE FROM TM$COMMUNICATIONS c JOIN TM$CAMPAIGN_TASKS t ON t.ID = c.CAMPAIGN_TASK_ID
        WHERE t.PHONE = ? ORDER BY c.ID`,
      [phone],
    );
    return rows.map((r) => r.state);
  };

  const tile = (label: string) => dashboardTile((dashboard as { page: Page }).page, label);
  const tileIs = (label: string, value: number, what: string) =>
    expectText(tile(label), (t) => tileNumber(t) === value, `${what} (${label})`, 20_000);
  const tilePercentIs = (label: string, percent: number, what: string) =>
    expectText(tile(label), (t) => new RegExp(`^${percent}\\s*%$`).test(t), `${what} (${label})`, 20_000);
  const shotDashboard = (name: string) =>
    dashboard?.page.screenshot({ path: join(artifactDir(SUITE), `${name}.png`), fullPage: true });

  it('login → a call → the card → the result saved within 60 s → the KPIs; rework; click-to-call', async () => {
    // The dashboard, in a context of its own (the operator page's clock is moved; this one's is not).
    operator = await openBrowserSession(SUITE);
    const dashboardContext = await operator.browser.newContext({
      viewport: { width: 1440, height: 1000 },
      locale: 'ru-RU',
      timezoneId: 'Europe/Moscow',
    });
    const dashboardPage = await dashboardContext.newPage();
    dashboard = { page: dashboardPage, close: () => dashboardContext.close() };
    const kpiUrl = `http://127.0.0.1:${config.kpi.http.port}`;
    watches.push(watchPage(dashboardPage, kpiUrl));
    await dashboardPage.goto(`${kpiUrl}/dashboard/`);
    await tileIs('Звонки', 0, 'no calls yet');
    await tileIs('Операторы в системе', 0, 'nobody logged in');
    await shotDashboard('01-dashboard-before');

    // login
    const { page } = operator;
    const armUrl = `http://127.0.0.1:${config.arm.port}`;
    watches.push(watchPage(page, armUrl));
    await page.clock.install(); // before goto (microsoft/playwright#42536: no pauseAt)
    await page.goto(`${armUrl}/`);
    await operator.shot('01-login');
    await logIn(page, 'anna', 'secret-1');
    await expectReworkListEmpty(page, 'the empty rework list (fig. 47)');
    await operator.shot('02-main-empty');
    await eventually(
      async () => (await telephonyStats()).openSessions === 1,
      'the dialer logs the operator in at the telephony (session OPEN)',
      30_000,
    );
    await tileIs('Операторы в системе', 1, 'the operator logged in');
    await tileIs('Готовы', 1, 'and ready');

    // a call arrives: candidate → task → dial task → the telephony calls the operator → the card opens (fig. 49)
    await publishCandidate(FIRST);
    const card = page.getByRole('article', { name: 'БЕКИШОВ АЗАМАТ' });
    await card.waitFor({ timeout: 60_000 });
    await expectText(card.locator('.facts'), (t) => t.includes(FIRST.masked), 'the first client’s card');
    await operator.shot('03-card');
    await tileIs('Звонки', 1, 'the call counted');

    // the call ends: the result form's countdown; the result is saved well within the 60 s
    const timer = page.getByRole('timer', { name: 'Осталось на заполнение результата' });
    await timer.waitFor({ timeout: 30_000 });
    const form = page.getByRole('form', { name: 'Результат разговора' });
    await fillResult(page, {
      reason: 'Не было с собой документа',
      result: 'Все понятно, заполнит позже',
      comment: 'Заполнит анкету вечером',
    });
    const left = await timer.textContent();
    expect(left, 'time left when saving').to.match(/^0:[1-5]\d$/);
    await operator.shot('04-result-form');
    await form.getByRole('button', { name: 'СОХРАНИТЬ' }).click();
    await expectSaved(page, 'fig. 51');
    await eventually(
      async () => (await communicationStates(FIRST.phone)).join() === 'FIXED',
      'the engine stores the first result FIXED',
      30_000,
    );
    await tilePercentIs('Сохранено за 60 с', 100, 'saved within 60 s: 100 %');
    await tilePercentIs('Конверсия', 100, 'one answered call, one conversion');
    await shotDashboard('02-dashboard-first-result');

    // the second client's call: the operator picks a reason but does not save; the page's 60 s run out
    await publishCandidate(SECOND);
    await expectText(
      page.locator('.facts'),
      (t) => t.includes(SECOND.masked),
      'the second client’s card',
      60_000,
    );
    await timer.waitFor({ timeout: 30_000 });
    await fillResult(page, { reason: 'Не было с собой документа', comment: 'Не успел выбрать результат' });
    await page.clock.fastForward(60_000);
    await expectNotSavedNotice(page, 'fig. 52');
    const list = page.getByRole('table', { name: 'Карточки на доработку' });
    const row = list.getByRole('row').filter({ hasText: SECOND.application });
    await row.waitFor({ timeout: 15_000 });
    expect((await row.textContent())?.replace(/\s+/g, ' ')).to.match(
      /Доведи до займа.*\+7 \(\*\*\*\) \*\*\*-00-11.*Не сохранен/,
    );
    await operator.shot('05-rework-list');
    await eventually(
      async () => (await communicationStates(SECOND.phone)).join() === 'DRAFT',
      'the engine stores the page’s DRAFT',
      30_000,
    );
    await tileIs('Звонки', 2, 'two calls');
    await tileIs('Черновики на доработке', 1, 'a draft waiting');
    await tilePercentIs('Сохранено за 60 с', 50, 'one of two saved in time');
    await shotDashboard('03-dashboard-draft');

    // click-to-call on the rework card's row: the telephony calls the client back and connects this operator
    const callsBefore = (await telephonyStats()).callsMade;
    const asked = Date.now();
    await row.getByRole('button', { name: 'Позвонить' }).click();
    await expectText(page.getByRole('status'), (t) => t.startsWith('Звонок заказан'), 'the call ordered');
    await expectText(
      page.locator('.facts'),
      (t) => t.includes(SECOND.masked),
      'the call-back’s card',
      30_000,
    );
    expect(Date.now() - asked, 'connected within 30 s (seed 003)').to.be.below(30_000);
    expect((await telephonyStats()).callsMade).to.equal(callsBefore + 1);
    await operator.shot('06-call-back-card');
    await timer.waitFor({ timeout: 30_000 });
    await fillResult(page, { result: 'Перезвонить позже' });
    await form.getByRole('button', { name: 'СОХРАНИТЬ' }).click();
    await expectSaved(page, 'saved');

    // rework: the draft is in the form; the result saved makes it FIXED
    await row.getByRole('button', { name: 'Открыть' }).click();
    await form.waitFor();
    expect(await page.getByText('Карточка на доработке').isVisible()).to.equal(true);
    expect(await form.getByLabel('Причина').inputValue()).to.equal('NO_DOCUMENT');
    expect(await form.getByLabel('Комментарий').inputValue()).to.equal('Не успел выбрать результат');
    await form.getByLabel('Результат', { exact: true }).selectOption({ label: 'Перезвонить позже' });
    await operator.shot('07-rework-card');
    await form.getByRole('button', { name: 'СОХРАНИТЬ' }).click();
    await expectSaved(page, 'saved');
    await expectReworkListEmpty(page, 'the list emptied');
    await eventually(
      async () => (await communicationStates(SECOND.phone)).join() === 'FIXED,FIXED',
      'the engine stores the reworked card and the call-back FIXED',
      30_000,
    );

    // the dashboard: three calls, no draft waiting, the operator's row
    await tileIs('Звонки', 3, 'three calls');
    await tileIs('Черновики на доработке', 0, 'no draft waiting');
    await expectText(tile('Конверсия'), (t) => t.includes('%'), 'the conversion shown', 20_000);
    const operators = dashboardPage.getByRole('table', { name: 'Операторы за сегодня' });
    const anna = operators.getByRole('row').nth(1).getByRole('cell');
    await expectText(anna.nth(1), (t) => tileNumber(t) === 3, 'the operator’s three calls', 20_000);
    await expectText(anna.nth(6), (t) => tileNumber(t) === 3, 'the operator’s three results', 20_000);
    await shotDashboard('04-dashboard-after');
    expect(watches.flatMap((w) => w.errors)).to.deep.equal([]);
    expect(watches.flatMap((w) => w.foreignRequests)).to.deep.equal([]);
  });
});
