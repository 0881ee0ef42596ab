import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { pino } from 'pino';
import { buildArmApi } from './arm.js';
import type { ArmRouteDeps } from './arm-routes.js';
import { PAGE_CSP, pageSourceOf } from './operator-page.js';

describe('ARM page at / (the operator page, or arm.static-root)', () => {
  const deps = {
    logger: pino({ level: 'silent' }),
    dictionaries: { results: [], reasons: [] },
  } as unknown as ArmRouteDeps;

  /** A build of packages/web as Vite lays it out: one folder per entry, shared chunks in assets/. */
  function fakeWebDist(): string {
    const dist = mkdtempSync(join(tmpdir(), 'arm-web-dist-'));
    for (const dir of ['operator', 'dashboard', 'assets']) mkdirSync(join(dist, dir));
    writeFileSync(
      join(dist, 'operator', 'index.html'),
      '<!doctype html><title>Телемаркетинг</title><script type="module" src="../assets/operator-1.js"></script>',
    );
    writeFileSync(join(dist, 'assets', 'operator-1.js'), 'console.log(1)');
    writeFileSync(join(dist, 'dashboard', 'index.html'), '<!doctype html><title>KPI</title>');
    return dist;
  }

  it('serves the built operator page at / and its chunks at /assets/, with a same-origin CSP', async () => {
    const app = await buildArmApi(deps, {
      bodyLimit: 16_384,
      page: { kind: 'operator-page', dist: fakeWebDist() },
    });
    try {
      const page = await app.inject({ url: '/' });
      expect(page.statusCode).to.equal(200);
      expect(page.body).to.contain('<title>Телемаркетинг</title>');
      expect(page.headers['content-security-policy']).to.equal(PAGE_CSP);
      const chunk = await app.inject({ url: '/assets/operator-1.js' });
      expect([chunk.statusCode, chunk.body]).to.deep.equal([200, 'console.log(1)']);
      // the rest of the build (the KPI dashboard) is not the ARM's to serve
      expect((await app.inject({ url: '/dashboard/index.html' })).statusCode).to.equal(404);
      expect((await app.inject({ url: '/missing.js' })).json()).to.deep.equal({
        status: 'NOT_FOUND',
        description: 'no such endpoint',
      });
      const api = await app.inject({ url: '/api/arm/v1/hasChanges' });
      expect(api.statusCode).to.equal(401);
      expect(api.headers['content-security-policy']).to.equal(undefined);
    } finally {
      await app.close();
    }
  });

  it('says how to build the page when it is not built', async () => {
    const app = await buildArmApi(deps, {
      bodyLimit: 16_384,
      page: { kind: 'operator-page', dist: undefined },
    });
    try {
      const page = await app.inject({ url: '/' });
      expect(page.statusCode).to.equal(404);
      expect(page.body).to.match(/not built: run `pnpm build`/);
    } finally {
      await app.close();
    }
  });

  it('serves the files of arm.static-root at / instead, and the API beside them', async () => {
    const root = mkdtempSync(join(tmpdir(), 'arm-static-'));
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>АРМ</title>');
    const source = pageSourceOf(root);
    expect(source).to.deep.equal({ kind: 'directory', root });
    const app = await buildArmApi(deps, { bodyLimit: 16_384, page: source });
    try {
      const page = await app.inject({ url: '/' });
      expect([page.statusCode, page.body]).to.deep.equal([200, '<!doctype html><title>АРМ</title>']);
      expect((await app.inject({ url: '/missing.js' })).statusCode).to.equal(404);
      const api = await app.inject({ url: '/api/arm/v1/hasChanges' });
      expect(api.statusCode).to.equal(401);
    } finally {
      await app.close();
    }
  });

  it('takes the built operator page when arm.static-root is empty (the default)', () => {
    expect(pageSourceOf(undefined).kind).to.equal('operator-page');
  });

  it('serves nothing at / without a page', async () => {
    const app = await buildArmApi(deps, { bodyLimit: 16_384 });
    try {
      expect((await app.inject({ url: '/' })).json()).to.deep.equal({
        status: 'NOT_FOUND',
        description: 'no such endpoint',
      });
    } finally {
      await app.close();
    }
  });
});
