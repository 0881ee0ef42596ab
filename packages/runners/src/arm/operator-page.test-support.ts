/**
 * Helpers of the operator page's browser tests (not exported from the package): logging in the way an operator
 * does, and watching a page for what no test allows — errors it logs and requests to any origin but its own.
 */
import { expectText } from '@tm/infra';
import type { Page } from 'playwright-core';

/** Logs in on the page's form and waits for the main screen (the rework list's heading, fig. 47). */
export async function logIn(page: Page, login: string, password: string): Promise<void> {
  await page.getByLabel('Логин').fill(login);
  await page.getByLabel('Пароль').fill(password);
  await page.getByRole('button', { name: 'Войти' }).click();
  await page.getByRole('heading', { name: 'Карточки на доработку' }).waitFor();
}

/** What {@link watchPage} saw. */
export interface PageWatch {
  /** Uncaught errors and console errors (but 401, 404 and 429 answers, which the page handles). */
  readonly errors: string[];
  /** Requests to an origin other than the page's own (`data:` URLs aside). */
  readonly foreignRequests: string[];
  /** Stops recording: what a page logs once its test is over (its server stopping under it) does not count. */
  stop(): void;
}

/** Records a page's errors and foreign requests from now until `stop()`. */
export function watchPage(page: Page, origin: string): PageWatch {
  let recording = true;
  const errors: string[] = [];
  const foreignRequests: string[] = [];
  page.on('pageerror', (error) => {
    if (recording) errors.push(error.message);
  });
  page.on('console', (message) => {
    if (recording && message.type() === 'error' && !/401|404|429/.test(message.text()))
      errors.push(message.text());
  });
  page.on('request', (request) => {
    if (!request.url().startsWith(origin) && !request.url().startsWith('data:'))
      foreignRequests.push(request.url());
  });
  return {
    errors,
    foreignRequests,
    stop: () => {
      recording = false;
    },
  };
}

/** Waits for fig. 51's status: the result saved. */
export async function expectSaved(page: Page, what = 'fig. 51: the result saved'): Promise<void> {
  await expectText(page.getByRole('status'), (t) => t.startsWith('Результат разговора сохранен'), what);
}

/** Waits for fig. 52's notice: the result was not saved in time, the card returns for rework. */
export async function expectNotSavedNotice(page: Page, what = 'fig. 52'): Promise<void> {
  await expectText(
    page.getByRole('alert'),
    (t) =>
      t.startsWith(
        'Результат разговора по предыдущему клиенту не был сохранен. Карточка вернется на доработку',
      ),
    what,
  );
}

/** Waits for the rework list to say every result is saved (fig. 47). */
export async function expectReworkListEmpty(
  page: Page,
  what = 'the empty rework list (fig. 47)',
): Promise<void> {
  await expectText(
    page.getByRole('region', { name: 'Карточки на доработку' }),
    (t) => t.includes('Все результаты разговоров сохранены'),
    what,
  );
}

/** Fills the result form (fig. 50) with the options and comment given, by the labels the operator sees. */
export async function fillResult(
  page: Page,
  values: { reason?: string; result?: string; comment?: string },
): Promise<void> {
  const form = page.getByRole('form', { name: 'Результат разговора' });
  if (values.reason) await form.getByLabel('Причина').selectOption({ label: values.reason });
  if (values.result)
    await form.getByLabel('Результат', { exact: true }).selectOption({ label: values.result });
  if (values.comment !== undefined) await form.getByLabel('Комментарий').fill(values.comment);
}
