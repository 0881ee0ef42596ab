/**
 * The ARM rides out an outage of Redis, PostgreSQL or the security service: meanwhile it answers 503 and reports
 * itself unready, it keeps running, and nothing is lost — a call that starts or ends during the outage gets its card
 * or its result window once the dependency is back. Each dependency sits behind a proxy the test takes down.
 */
import { eventually } from '@tm/pipeline-core/testing';
import { expect } from 'chai';
import { call, type Harness, useArmHarness } from './test-support.js';

const PASSWORD = 'secret-1';

describe('ARM outages of Redis, PostgreSQL and the security service', function () {
  this.timeout(90_000);
  const h = useArmHarness({ proxies: true });

  const http = (x: Harness) => x.arm.runnables.find((r) => r.name === 'arm.http');
  const ready = (x: Harness) => http(x)?.health().ready ?? false;
  const status = async (token: string, path = 'hasChanges') => {
    const answer = await h().get(`/api/arm/v1/${path}`, token);
    return [answer.statusCode, (answer.json() as { status: string }).status];
  };
  const cardId = async (token: string) => {
    const answer = await h().get('/api/arm/v1/getClientCard', token);
    if (answer.statusCode !== 200) return undefined;
    return (answer.json() as { data: { clientCard: { currentCommunication: { id: number } } } }).data
      .clientCard.currentCommunication.id;
  };

  async function loggedIn() {
    const operatorId = await h().addOperator('anna', PASSWORD);
    const token = await h().login('anna', PASSWORD);
    return { operatorId, token };
  }

  for (const dependency of ['redis', 'database'] as const) {
    it(`${dependency} down: 503 and unready meanwhile; a call started during it gets its card after`, async () => {
      const { operatorId, token } = await loggedIn();
      const taskId = await h().task('79001234567');
      await eventually(() => ready(h()), 'ready before the outage');
      const proxy = h().proxies?.[dependency];
      await proxy?.down();
      // hasChanges needs Redis and the security service only; the rework list needs the database.
      const path = dependency === 'redis' ? 'hasChanges' : 'listCommunications';
      await eventually(
        async () => JSON.stringify(await status(token, path)) === '[503,"SERVICE_UNAVAILABLE"]',
        '503',
      );
      await eventually(() => !ready(h()), 'unready during the outage');
      await h().publishCallEvents(call('CALL_STARTED', taskId, 'call-1', operatorId, h().now));
      await new Promise((r) => setTimeout(r, 3000));
      expect(h().arm.runnables.every((r) => r.health().live)).to.equal(true);
      await proxy?.up();
      await eventually(() => ready(h()), 'ready again', 20_000);
      await eventually(async () => (await cardId(token)) !== undefined, 'the card of the call', 30_000);
      expect(await status(token, path)).to.deep.equal([200, 'OK']);
      const { rows } = await h().db.raw<{ rows: { id: string }[] }>('SELECT ID FROM TM$COMMUNICATIONS');
      expect(await cardId(token)).to.equal(Number(rows[0]?.id));
    });
  }

  it('security service down: 503 (not 401) and unready meanwhile; the same token works after', async () => {
    const { operatorId, token } = await loggedIn();
    const taskId = await h().task('79001234567');
    await eventually(() => ready(h()), 'ready before the outage');
    await h().proxies?.security.down();
    // Past the access cache's bound for the check remembered at login (ADR 0125), nothing lets the token in.
    h().now += h().config.security.accessCacheTtlMs;
    expect(await status(token)).to.deep.equal([503, 'SERVICE_UNAVAILABLE']);
    const login = await h().post('/api/arm/v1/login', { login: 'anna', password: PASSWORD });
    expect(login.statusCode).to.equal(503);
    await eventually(() => !ready(h()), 'unready');
    // The ARM's own work goes on: the call's card is prepared, and shown once the operator can be checked again.
    await h().publishCallEvents(call('CALL_STARTED', taskId, 'call-1', operatorId, h().now));
    await new Promise((r) => setTimeout(r, 2000));
    expect(h().arm.runnables.every((r) => r.health().live)).to.equal(true);
    await h().proxies?.security.up();
    await eventually(() => ready(h()), 'ready again');
    expect(await status(token)).to.deep.equal([200, 'OK']);
    expect(await cardId(token)).to.be.a('number');
    // Nothing was closed: the session stayed open through the outage.
    expect(
      h()
        .sessions()
        .map((s) => s.action),
    ).to.deep.equal(['OPEN']);
  });
});
