/**
 * A real browser for tests: Debian's Chromium driven by playwright-core. Like PostgreSQL, Chromium is found or
 * installed from Debian's packages (`apt-get install chromium`, as root), never downloaded by Playwright; the
 * flags keep it off the network, which the test machines do not have.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { aptInstall } from './apt.js';
import { Attempts } from './attempts.js';
import { run } from './exec.js';
import { infraLog } from './log.js';
import { repoRoot } from './paths.js';

/** The flags every test browser starts with: headless, no sandbox (root in CI), nothing fetched from outside. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
] as const;

const DEBIAN_CHROMIUM = '/usr/bin/chromium';

let located: Promise<string> | undefined;

async function chromiumAt(path: string): Promise<string | undefined> {
  const result = await run(path, ['--version'], { timeoutMs: 30_000 });
  return result.code === 0 ? result.stdout.trim() : undefined;
}

/**
 * The path of a working Chromium, in this order: `CHROMIUM_PATH`; Debian's `/usr/bin/chromium`; the `chromium`
 * package installed now (`apt-get install -y chromium`, as root). Once per process.
 * @throws {TestServiceUnavailableError} naming every attempt.
 */
export function provideChromium(): Promise<string> {
  located ??= (async () => {
    const attempts = new Attempts('Chromium');
    const fromEnv = process.env.CHROMIUM_PATH?.trim();
    if (fromEnv) {
      const version = await chromiumAt(fromEnv);
      if (version) return fromEnv;
      attempts.tried(`CHROMIUM_PATH=${fromEnv}`, 'does not run');
      return attempts.fail(); // an explicit choice that does not work is not silently replaced
    }
    attempts.tried('CHROMIUM_PATH', 'unset');
    if (existsSync(DEBIAN_CHROMIUM) && (await chromiumAt(DEBIAN_CHROMIUM))) return DEBIAN_CHROMIUM;
    attempts.tried(DEBIAN_CHROMIUM, existsSync(DEBIAN_CHROMIUM) ? 'does not run' : 'not installed');
    const error = await aptInstall(['chromium']);
    if (error) attempts.tried('apt-get install chromium', error);
    else {
      const version = await chromiumAt(DEBIAN_CHROMIUM);
      if (version) {
        infraLog(`installed ${version}`);
        return DEBIAN_CHROMIUM;
      }
      attempts.tried('apt-get install chromium', `installed, but ${DEBIAN_CHROMIUM} does not run`);
    }
    return attempts.fail();
  })();
  located.catch(() => {
    located = undefined; // a later call may try again
  });
  return located;
}

/** A headless Chromium (see {@link CHROMIUM_FLAGS}), provided by {@link provideChromium}. Close it when done. */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = await provideChromium();
  return chromium.launch({ executablePath, headless: true, args: [...CHROMIUM_FLAGS], timeout: 60_000 });
}

/**
 * What a browser test needs: a fresh context (its own cookies and storage) with a desktop viewport and Moscow
 * time and locale, a page in it, and `shot(name)`, which writes `test-artifacts/<suite>/<name>.png`.
 */
export interface BrowserSession {
  readonly browser: Browser;
  readonly context: BrowserContext;
  readonly page: Page;
  /** Saves a full-page screenshot as a test artefact; returns its path. */
  shot(name: string): Promise<string>;
  close(): Promise<void>;
}

/** Where a suite's screenshots go: `test-artifacts/<suite>/` at the repository root (gitignored). */
export function artifactDir(suite: string): string {
  return join(repoRoot, 'test-artifacts', suite);
}

/** Opens a {@link BrowserSession} for one suite. */
export async function openBrowserSession(
  suite: string,
  options: { viewport?: { width: number; height: number } } = {},
): Promise<BrowserSession> {
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext({
      viewport: options.viewport ?? { width: 1440, height: 1000 },
      locale: 'ru-RU',
      timezoneId: 'Europe/Moscow',
    });
    const page = await context.newPage();
    return {
      browser,
      context,
      page,
      async shot(name) {
        const path = join(artifactDir(suite), `${name}.png`);
        mkdirSync(dirname(path), { recursive: true });
        await page.screenshot({ path, fullPage: true });
        return path;
      },
      async close() {
        await context.close().catch(() => {});
        await browser.close();
      },
    };
  } catch (err) {
    await browser.close();
    throw err;
  }
}

/**
 * Polls a locator's text until `check` accepts it, and resolves with that text (Playwright's web-first assertions,
 * without @playwright/test). Fails after `timeoutMs` with what the page showed last.
 */
export async function expectText(
  locator: Locator,
  check: (text: string) => boolean,
  what: string,
  timeoutMs = 15_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < deadline) {
    text = ((await locator.textContent({ timeout: 1_000 }).catch(() => '')) ?? '').trim();
    if (check(text)) return text;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}; the page shows "${text}"`);
}
