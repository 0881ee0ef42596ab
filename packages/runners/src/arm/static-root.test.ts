import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { pino } from 'pino';
import { buildArmApi } from './arm.js';
import type { ArmRouteDeps } from './arm-routes.js';

describe('ARM static root (the operator page)', () => {
  const deps = {
    logger: pino({ level: 'silent' }),
    dictionaries: { results: [], reasons: [] },
  } as unknown as ArmRouteDeps;

  it('serves the files of arm.static-root at /, and the API beside them', async () => {
    const root = mkdtempSync(join(tmpdir(), 'arm-static-'));
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>АРМ</title>');
    const app = await buildArmApi(deps, { bodyLimit: 16_384, staticRoot: root });
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

  it('serves nothing at / without one', async () => {
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
