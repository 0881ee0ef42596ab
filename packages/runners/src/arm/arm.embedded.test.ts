/**
 * The security service and the ARM embedded as the demo runs them: PGlite over its socket with one connection, the
 * memory transport, MemoryStores in place of Redis, the security service in-process, the demo operator seeded.
 */
import type { PipelineConfig } from '@tm/contracts';
import { MemoryBroker, memoryTransport } from '@tm/pipeline-core';
import { expect } from 'chai';
import { pino } from 'pino';
import { engineConfig } from '../campaign/engine/test-support.js';
import { startEmbeddedPostgres } from '../embedded/pglite.js';
import { MemoryStore } from '../kv/memory-store.js';
import { createSecurity, DEMO_OPERATOR } from '../security/security.js';
import { createArm } from './arm.js';
import { inProcessSecurity } from './security-client.js';

describe('security service and ARM embedded (PGlite, memory transport, memory store)', function () {
  this.timeout(60_000);

  it('logs the demo operator in, answers hasChanges and logs out', async () => {
    const config: PipelineConfig = engineConfig([
      [['infra', 'transport'], 'memory'],
      [['security', 'password', 'scrypt-cost'], 1024],
    ]);
    const pg = await startEmbeddedPostgres();
    const transport = memoryTransport(new MemoryBroker());
    const logger = pino({ level: 'silent' });
    const listen = { host: '127.0.0.1', port: 0 };
    const security = createSecurity({
      config,
      db: pg.knex,
      store: new MemoryStore(),
      logger,
      seedOperators: [DEMO_OPERATOR],
      listen,
    });
    const arm = createArm({
      config,
      transport,
      db: pg.knex,
      store: new MemoryStore(),
      security: inProcessSecurity(security.service),
      logger,
      listen,
    });
    try {
      await security.start();
      await arm.start();
      const login = await arm.app.inject({
        method: 'POST',
        url: '/api/arm/v1/login',
        payload: { login: DEMO_OPERATOR.login, password: DEMO_OPERATOR.password },
      });
      expect(login.statusCode).to.equal(200);
      const token = (login.json() as { data: { token: string } }).data.token;
      const changes = await arm.app.inject({
        url: '/api/arm/v1/hasChanges',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(changes.json()).to.deep.include({ status: 'OK' });
      const logout = await arm.app.inject({
        url: '/api/arm/v1/logout',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(logout.statusCode).to.equal(200);
    } finally {
      await arm.stop();
      await security.stop();
      await transport.close();
      await pg.close();
    }
  });
});
