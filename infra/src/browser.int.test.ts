import { existsSync } from 'node:fs';
import { expect } from 'chai';
import { openBrowserSession, provideChromium } from './browser.js';

describe('browser for tests (Debian Chromium through playwright-core)', () => {
  it('is provided, starts headless off the network, and writes screenshots as artefacts', async function () {
    this.timeout(180_000); // a fresh machine installs the chromium package first
    expect(await provideChromium()).to.match(/chromium/);
    const session = await openBrowserSession('infra');
    try {
      await session.page.setContent('<main><h1>Проверка</h1><button>Войти</button></main>');
      expect(await session.page.getByRole('button', { name: 'Войти' }).isVisible()).to.equal(true);
      expect(await session.page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone)).to.equal(
        'Europe/Moscow',
      );
      const path = await session.shot('smoke');
      expect(existsSync(path)).to.equal(true);
    } finally {
      await session.close();
    }
  });
});
