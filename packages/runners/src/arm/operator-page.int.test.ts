/**
 * The operator page (packages/web, served by the ARM at `/`) in a real browser — Debian's Chromium through
 * playwright-core — against the real ARM and security service over HTTP, the campaign engine, Kafka, PostgreSQL and
 * Redis, each built in-process by the factory its `tm run` command uses (`useArmHarness`, ADR 0119). Until the dialer
 * lands, the test publishes CALL_STARTED / CALL_ENDED on tm-call-events as the dialer would.
 *
 * The services' clock stands still (the harness's); the page's runs on Playwright's `page.clock`, installed before
 * the page loads, so the 60-second countdown is run out by fast-forwarding. Screenshots of each screen go to
 * test-artifacts/operator/.
 */
import { type BrowserSession, ensureWebBuild, expectText, openBrowserSession } from '@tm/infra';
import { eventually } from '@tm/pipeline-core/testing';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import {
  expectNotSavedNotice,
  expectReworkListEmpty,
  expectSaved,
  fillResult,
  logIn,
  type PageWatch,
  watchPage,
} from './operator-page.test-support.js';
import { call, useArmHarness } from './test-support.js';

const PHONE = '79001234567';
const APPLICATION = '23456701'; // the candidate fixture's application number for PHONE
const SECOND = 1000;
/** Every way the page could spell the full number. */
const FULL_PHONE = [PHONE, PHONE.slice(1), '+7 (900) 123-45-67', '+7 900 123-45-67', '900-123-45-67'];

describe('Operator page in Chromium (ARM, security, engine on Kafka)', function () {
  this.timeout(240_000);
  // Errors the page logs once a test's body ended do not count: the harness's afterEach (registered next, so run
  // first) stops the ARM while the page may still be polling it (ERR_CONNECTION_REFUSED).
  let watches: PageWatch[] = [];
  afterEach(() => {
    for (const watch of watches) watch.stop();
  });
  const h = useArmHarness({ transport: 'kafka' });
  let session: BrowserSession | undefined;

  before(async function () {
    this.timeout(300_000);
    await ensureWebBuild(); // the ARM serves packages/web/dist/operator at / by default
  });

  /** A fresh browser context on the ARM's page (with `page.clock` installed first when asked). */
  async function open(options: { clock?: boolean } = {}): Promise<Page> {
    session = await openBrowserSession('operator');
    const { page } = session;
    watches.push(watchPage(page, new URL(h().arm.url as string).origin));
    if (options.clock) await page.clock.install(); // before goto (microsoft/playwright#42536: no pauseAt)
    await page.goto(`${h().arm.url}/`);
    return page;
  }

  /** A screenshot of the open page, as test-artifacts/operator/<name>.png. */
  const shot = (name: string) => session?.shot(name);

  afterEach(async () => {
    await session?.close();
    session = undefined;
    const seen = watches;
    watches = [];
    expect(seen.flatMap((w) => w.errors)).to.deep.equal([]);
    expect(seen.flatMap((w) => w.foreignRequests)).to.deep.equal([]);
  });

  /** The state the engine stored for a communication. */
  async function stateOf(communicationId: number): Promise<string | undefined> {
    const { rows } = await h().db.raw<{ rows: { state: string }[] }>(
      'SELECT STATE FROM TM$COMMUNICATIONS WHERE ID = ?',
      [communicationId],
    );
    return rows[0]?.state;
  }

  /** An earlier call of the client, saved by `operatorId`, for the card's history. */
  async function pastCall(operatorId: number) {
    const oldTask = await h().task(PHONE, '70000101', 2);
    const yesterday = h().now - 86_400_000;
    await h().publishCallEvents(
      call('CALL_STARTED', oldTask, 'old-call', 99, yesterday),
      call('CALL_ENDED', oldTask, 'old-call', 99, yesterday + 60 * SECOND, { outcome: 'BUSY' }),
    );
    await eventually(async () => {
      const { rows } = await h().db.raw<{ rows: { ended_at: Date | null }[] }>(
        `SELECT ENDED_AT FROM TM$COMMUNICATIONS WHERE CALL_ID = 'old-call'`,
      );
      return rows[0]?.ended_at != null;
    }, 'the past call stored by the engine');
    await h().db.raw(
      `UPDATE TM$COMMUNICATIONS SET OPERATOR_ID = ?, STATE = 'FIXED', RESULT_DETAILS = ?
        WHERE CALL_ID = 'old-call'`,
      [
        operatorId,
        JSON.stringify({
          reason: 'BUSY_NOW',
          result: 'CALL_BACK_LATER',
          comment: 'Просил перезвонить вечером',
        }),
      ],
    );
  }

  /** The communication of a call id, once the ARM or the engine created it. */
  async function communicationOf(callId: string): Promise<number> {
    let id: number | undefined;
    await eventually(async () => {
      const { rows } = await h().db.raw<{ rows: { id: string }[] }>(
        'SELECT ID FROM TM$COMMUNICATIONS WHERE CALL_ID = ?',
        [callId],
      );
      id = rows[0] ? Number(rows[0].id) : undefined;
      return id !== undefined;
    }, `the communication of ${callId}`);
    return id as number;
  }

  function expectNoFullPhone(html: string, where: string) {
    for (const spelling of FULL_PHONE) {
      expect(html, `${where} shows the full number as ${spelling}`).not.to.contain(spelling);
    }
  }

  it('logs in, opens the card when a call starts, saves the result in time (FIXED); break, logout', async () => {
    const operatorId = await h().addOperator('anna', 'secret-1');
    await pastCall(operatorId);
    const taskId = await h().task(PHONE);
    const page = await open();
    expect(await page.getByRole('heading', { name: 'ТЕЛЕМАРКЕТИНГ' }).isVisible()).to.equal(true);
    await shot('01-login');

    await page.getByLabel('Логин').fill('anna');
    await page.getByLabel('Пароль').fill('wrong');
    await page.getByRole('button', { name: 'Войти' }).click();
    await expectText(page.getByRole('alert'), (t) => t === 'Неверный логин или пароль', 'the refusal');

    await logIn(page, 'anna', 'secret-1');
    await expectReworkListEmpty(page, 'the empty rework list (fig. 47)');
    await shot('02-main-empty');
    await eventually(
      () =>
        h()
          .sessions()
          .some((s) => s.action === 'OPEN'),
      'the session OPEN',
    );

    // a call starts: the card opens by itself (fig. 49)
    const at = h().now;
    await h().publishCallEvents(call('CALL_STARTED', taskId, 'call-1', operatorId, at));
    const card = page.getByRole('article', { name: 'БЕКИШОВ АЗАМАТ' });
    await card.waitFor({ timeout: 15_000 });
    expect(await card.getByText('BEKISHOV AZAMAT').isVisible()).to.equal(true);
    await expectText(card.locator('.facts'), (t) => t.includes('Киргизия'), 'citizenship');
    expect(await card.locator('.facts').textContent()).to.contain('+7 (***) ***-45-67');
    expect(await card.getByText('Идет разговор').isVisible()).to.equal(true);
    const products = card.getByRole('table', { name: 'Продукты' });
    const current = products.getByRole('row').filter({ hasText: APPLICATION });
    expect(await current.textContent()).to.match(/ЗАЯВКА.*30\s000\s₽.*30 дн\./);
    const history = card.getByRole('table', { name: 'История' });
    expect(await history.getByRole('row').nth(1).textContent()).to.contain(
      'Причина: Неудобно говорить; Результат: Перезвонить позже',
    );
    expectNoFullPhone(await page.content(), 'the card');
    await shot('03-card-in-call');

    // the call ends: the countdown of the result form (fig. 50) runs
    h().now = at + 30 * SECOND;
    await h().publishCallEvents(call('CALL_ENDED', taskId, 'call-1', operatorId, h().now));
    const timer = page.getByRole('timer', { name: 'Осталось на заполнение результата' });
    await expectText(timer, (t) => /^0:5\d$/.test(t), 'the countdown from 0:59');
    const form = page.getByRole('form', { name: 'Результат разговора' });
    await fillResult(page, {
      reason: 'Не было с собой документа',
      result: 'Все понятно, заполнит позже',
      comment: 'Заполнит анкету вечером',
    });
    await shot('04-result-form');
    await form.getByRole('button', { name: 'СОХРАНИТЬ' }).click();
    await expectSaved(page, 'fig. 51');
    await shot('05-saved');

    const communicationId = await communicationOf('call-1');
    await eventually(() => h().results().length === 1, 'the result on tm-communication-results');
    expect(h().results()[0]).to.include({
      communicationId,
      state: 'FIXED',
      reason: 'NO_DOCUMENT',
      result: 'AGREED',
      comment: 'Заполнит анкету вечером',
      clientPhone: PHONE,
    });
    await eventually(async () => (await stateOf(communicationId)) === 'FIXED', 'the engine stores FIXED');
    h().now = at + 91 * SECOND; // past the window's end
    expect(await h().arm.sweepNow()).to.deep.equal([]); // the server saves no DRAFT over it

    // break, ready, logout
    const onBreak = page.getByRole('button', { name: 'Перерыв' });
    await onBreak.click();
    await eventually(
      () =>
        h()
          .sessions()
          .some((s) => s.action === 'BREAK'),
      'BREAK published',
    );
    await eventually(async () => (await onBreak.getAttribute('aria-pressed')) === 'true', 'Перерыв pressed');
    await shot('08-break');
    await page.getByRole('button', { name: 'Выйти' }).click();
    await page.getByRole('button', { name: 'Войти' }).waitFor();
    await eventually(
      () =>
        h()
          .sessions()
          .some((s) => s.action === 'CLOSE'),
      'CLOSE published',
    );
  });

  it('runs out the 60 seconds: the page saves the draft, says so, lists the card; reworked to FIXED', async () => {
    const operatorId = await h().addOperator('anna', 'secret-1');
    const taskId = await h().task(PHONE);
    const page = await open({ clock: true });
    await logIn(page, 'anna', 'secret-1');

    // The call ended 20 s ago by the ARM's clock: the page counts down the 40 s the ARM says are left (less the
    // second by which it comes before the server's sweep), not 60 s of its own.
    const at = h().now;
    await h().publishCallEvents(
      call('CALL_STARTED', taskId, 'call-2', operatorId, at - 50 * SECOND),
      call('CALL_ENDED', taskId, 'call-2', operatorId, at - 20 * SECOND),
    );
    const timer = page.getByRole('timer', { name: 'Осталось на заполнение результата' });
    await expectText(timer, (t) => /^0:3[89]$/.test(t), 'the 39 s the ARM leaves');
    const form = page.getByRole('form', { name: 'Результат разговора' });
    await form.getByLabel('Причина').selectOption({ label: 'Не было с собой документа' });
    await form.getByLabel('Комментарий').fill('Не успел выбрать результат');

    await page.clock.fastForward(20 * SECOND);
    await expectText(timer, (t) => /^0:1[89]$/.test(t), 'the countdown 20 s on');
    expect(h().results()).to.deep.equal([]);

    await page.clock.fastForward(20 * SECOND);
    await expectNotSavedNotice(page, 'fig. 52');
    const communicationId = await communicationOf('call-2');
    await eventually(() => h().results().length === 1, 'the page’s DRAFT');
    expect(h().results()[0]).to.include({
      communicationId,
      state: 'DRAFT',
      reason: 'NO_DOCUMENT',
      result: null,
      comment: 'Не успел выбрать результат',
    });
    // the page came first: the window is closed, so the server's sweep has nothing left to draft
    h().now = at + 41 * SECOND; // past the window's end
    expect(await h().arm.sweepNow()).to.deep.equal([]);
    await eventually(async () => (await stateOf(communicationId)) === 'DRAFT', 'the engine stores DRAFT');

    // the card is in the rework list (fig. 48)
    const list = page.getByRole('table', { name: 'Карточки на доработку' });
    const row = list.getByRole('row').filter({ hasText: APPLICATION });
    await row.waitFor({ timeout: 15_000 });
    expect((await row.textContent())?.replace(/\s+/g, ' ')).to.match(
      /10\.01\.2024 12:59.*23456701.*Заявка.*Доведи до займа.*\+7 \(\*\*\*\) \*\*\*-45-67.*Не сохранен/,
    );
    expectNoFullPhone(await page.content(), 'the rework list');
    await shot('06-not-saved-rework-list');

    // click-to-call instead of the number
    await row.getByRole('button', { name: 'Позвонить' }).click();
    await expectText(page.getByRole('status'), (t) => t.startsWith('Звонок заказан'), 'the call ordered');
    await eventually(() => h().callbacks().length === 1, 'the CallbackRequest');
    expect(h().callbacks()[0]).to.include({ operatorId, communicationId, taskId, phone: PHONE });

    // rework: the draft is in the form; the result saved makes it FIXED
    await row.getByRole('button', { name: 'Открыть' }).click();
    const form2 = page.getByRole('form', { name: 'Результат разговора' });
    await form2.waitFor();
    expect(await page.getByText('Карточка на доработке').isVisible()).to.equal(true);
    expect(await form2.getByLabel('Причина').inputValue()).to.equal('NO_DOCUMENT');
    expect(await form2.getByLabel('Комментарий').inputValue()).to.equal('Не успел выбрать результат');
    await form2.getByLabel('Результат', { exact: true }).selectOption({ label: 'Перезвонить позже' });
    expectNoFullPhone(await page.content(), 'the rework card');
    await shot('07-rework-card');
    await form2.getByRole('button', { name: 'СОХРАНИТЬ' }).click();
    await expectSaved(page, 'saved');
    await eventually(() => h().results().length === 2, 'the reworked result');
    expect(h().results()[1]).to.include({ communicationId, state: 'FIXED', result: 'CALL_BACK_LATER' });
    await eventually(async () => (await stateOf(communicationId)) === 'FIXED', 'the engine stores FIXED');
    await expectReworkListEmpty(page, 'the list emptied');
  });

  it('drafts the previous client’s card when the next call comes; with the page closed, the server drafts', async () => {
    const operatorId = await h().addOperator('anna', 'secret-1');
    const first = await h().task(PHONE);
    const second = await h().task('79005550011', '55001101');
    let page = await open();
    await logIn(page, 'anna', 'secret-1');
    const storage = String(await page.evaluate('JSON.stringify(sessionStorage)'));
    expect(storage).to.contain('tm.operator.session'); // the session is kept there, and nothing of a client
    expectNoFullPhone(storage, 'the page’s session storage');

    const at = h().now;
    await h().publishCallEvents(
      call('CALL_STARTED', first, 'call-a', operatorId, at - 40 * SECOND),
      call('CALL_ENDED', first, 'call-a', operatorId, at - 10 * SECOND),
    );
    const form = page.getByRole('form', { name: 'Результат разговора' });
    await page.getByRole('timer').waitFor({ timeout: 15_000 });
    await form.getByLabel('Комментарий').fill('Клиент перезвонит сам');

    // the dialer connects the next client before the operator saved: the page drafts the previous card
    await h().publishCallEvents(call('CALL_STARTED', second, 'call-b', operatorId, at));
    await expectNotSavedNotice(page, 'fig. 52 for the previous client');
    await expectText(
      page.locator('.facts'),
      (t) => t.includes('+7 (***) ***-00-11'),
      'the next client’s card',
    );
    expect(await page.getByText('Идет разговор').isVisible()).to.equal(true);
    const a = await communicationOf('call-a');
    await eventually(() => h().results().length === 1, 'the previous client’s DRAFT');
    expect(h().results()[0]).to.include({
      communicationId: a,
      state: 'DRAFT',
      comment: 'Клиент перезвонит сам',
    });
    await shot('09-next-client');

    // the page is closed during the next call: the server's sweep saves its DRAFT when the 60 s run out
    await session?.close();
    session = undefined;
    h().now = at + 5 * SECOND;
    await h().publishCallEvents(call('CALL_ENDED', second, 'call-b', operatorId, h().now));
    const b = await communicationOf('call-b');
    await eventually(async () => {
      const { rows } = await h().db.raw<{ rows: unknown[] }>(
        'SELECT 1 FROM TM$RESULT_WINDOWS WHERE COMMUNICATION_ID = ?',
        [b],
      );
      return rows.length === 1;
    }, 'the window of the next call');
    h().now = at + 64 * SECOND;
    expect(await h().arm.sweepNow()).to.deep.equal([]);
    h().now = at + 65 * SECOND;
    expect((await h().arm.sweepNow()).map((w) => w.communicationId)).to.deep.equal([b]);
    await eventually(() => h().results().length === 2, 'the server’s DRAFT');
    expect(h().results()[1]).to.include({ communicationId: b, state: 'DRAFT', result: null, comment: null });

    // the operator comes back: both cards wait in the rework list
    page = await open();
    await logIn(page, 'anna', 'secret-1');
    const rows = page.getByRole('table', { name: 'Карточки на доработку' }).getByRole('row');
    await eventually(async () => (await rows.count()) === 3, 'a header and two cards');
    expect(await rows.nth(1).textContent()).to.contain('55001101'); // the latest call first
    expect(await rows.nth(2).textContent()).to.contain(APPLICATION);
    await shot('10-rework-list');
  });
});
