/**
 * The access cache on real Redis with the security service over HTTP (ADR 0125, 0126): what the service remembers
 * and forgets, what the ARM lets in on it, and that nothing opens a door the service would keep shut — a logout at
 * once, a lock within the TTL, a forged entry never, Redis down falls back to the service, the service down past the
 * bound is 503.
 */
import { eventually } from '@tm/pipeline-core/testing';
import { expect } from 'chai';
import { tokenHash } from '../security/tokens.js';
import { type Harness, useArmHarness } from './test-support.js';

const PASSWORD = 'secret-1';

async function status(h: Harness, token: string, path = 'hasChanges') {
  const answer = await h.get(`/api/arm/v1/${path}`, token);
  return [answer.statusCode, (answer.json() as { status: string }).status];
}

async function loggedIn(h: Harness) {
  await h.addOperator('anna', PASSWORD);
  const token = await h.login('anna', PASSWORD);
  return { token, key: `access:${tokenHash(token)}` };
}

describe('the access cache (security service → Redis → ARM)', function () {
  this.timeout(90_000);

  describe('with the services behind proxies', () => {
    const h = useArmHarness({ proxies: true });
    const ttl = () => h().config.security.accessCacheTtlMs;

    it('login remembers the token; the ARM lets it in on the entry while the service is down, until the bound', async () => {
      const { token, key } = await loggedIn(h());
      expect(await h().securityStore.get(key)).to.match(/^1\.\d+\.[A-Za-z0-9_-]{43}$/);
      await h().proxies?.security.down();
      expect(await status(h(), token)).to.deep.equal([200, 'OK']);
      h().now += ttl() / 2 - 1;
      expect(await status(h(), token)).to.deep.equal([200, 'OK']);
      h().now += ttl() / 2 + 1;
      expect(await status(h(), token)).to.deep.equal([503, 'SERVICE_UNAVAILABLE']);
      await h().proxies?.security.up();
      expect(await status(h(), token)).to.deep.equal([200, 'OK']);
    });

    it('hasChanges needs no database: answered with PostgreSQL unreachable for the ARM', async () => {
      const { token } = await loggedIn(h());
      await h().proxies?.database.down();
      for (let i = 0; i < 3; i++) {
        h().now += 1000;
        expect(await status(h(), token)).to.deep.equal([200, 'OK']);
      }
      expect(await status(h(), token, 'listCommunications')).to.deep.equal([503, 'SERVICE_UNAVAILABLE']);
      await h().proxies?.database.up();
    });

    it('Redis down for the ARM: the check goes to the service over HTTP, and still refuses a bad token', async () => {
      const { token } = await loggedIn(h());
      await h().proxies?.redis.down();
      // getDictionaries touches no ARM state within 5 s of the login, so only the access check reads Redis.
      expect(await status(h(), token, 'getDictionaries')).to.deep.equal([200, 'OK']);
      expect(await status(h(), `${token.slice(0, -2)}xx`, 'getDictionaries')).to.deep.equal([
        401,
        'ACCESS_DENIED',
      ]);
      await h().proxies?.redis.up();
    });
  });

  describe('with the services connected', () => {
    const h = useArmHarness({ overrides: [[['security', 'token', 'slide-step-seconds'], 0]] });

    it('a miss is checked by the service, which remembers the token again', async () => {
      const { token, key } = await loggedIn(h());
      await h().securityStore.del(key);
      expect(await status(h(), token)).to.deep.equal([200, 'OK']);
      expect(await h().securityStore.get(key)).to.be.a('string');
    });

    it('logout forgets the token at once: refused on the next request, no entry left', async () => {
      const { token, key } = await loggedIn(h());
      expect(await status(h(), token)).to.deep.equal([200, 'OK']);
      expect((await h().get('/api/arm/v1/logout', token)).statusCode).to.equal(200);
      expect(await h().securityStore.get(key)).to.equal(undefined);
      expect(await status(h(), token)).to.deep.equal([401, 'ACCESS_DENIED']);
    });

    it('a logout through another ARM reaches this one at once: Redis’s invalidation drops its copy in memory (ADR 0167)', async () => {
      const { token, key } = await loggedIn(h());
      // Tracking comes on shortly after the ARM's first read; from then on the entry is answered from memory.
      await eventually(async () => {
        const fromMemory = h().cachedReads().memory;
        expect(await status(h(), token)).to.deep.equal([200, 'OK']);
        return h().cachedReads().memory > fromMemory;
      }, 'the entry answered from memory');
      // As another ARM's logout does: the service deletes the token and the entry; this ARM is not told.
      await h().security.service.logout(token);
      expect(await h().securityStore.get(key)).to.equal(undefined);
      // No time passes on the ARM's clock (the entry's bound is far), and well within the copy's 10-s age bound.
      await eventually(async () => (await status(h(), token))[0] === 401, 'refused', 1000);
      expect(await status(h(), token)).to.deep.equal([401, 'ACCESS_DENIED']);
    });

    it('a locked operator is refused within the TTL, and the refusal forgets the entry', async () => {
      const { token, key } = await loggedIn(h());
      await h().db.raw(`UPDATE TM$OPERATORS SET LOCKED = TRUE`);
      h().now += h().config.security.accessCacheTtlMs;
      expect(await status(h(), token)).to.deep.equal([401, 'ACCESS_DENIED']);
      expect(await h().securityStore.get(key)).to.equal(undefined);
    });

    it('an entry written without the key lets nothing in: a made-up token stays refused', async () => {
      const made = 'made-up-token-of-the-attacker-0123456789abcd';
      const key = `access:${tokenHash(made)}`;
      await h().securityStore.set(key, `1.${h().now + 60_000}.${'A'.repeat(43)}`, 60_000);
      expect(await status(h(), made)).to.deep.equal([401, 'ACCESS_DENIED']);
    });

    it('a polling operator’s token keeps sliding: the background refresh checks with updateExpire', async () => {
      const { token } = await loggedIn(h());
      const expiry = async () =>
        (
          await h().db.raw<{ rows: { exp_date: Date }[] }>('SELECT EXP_DATE FROM TM$OPERATOR_AUTHS')
        ).rows[0]?.exp_date.getTime();
      const before = await expiry();
      for (let i = 0; i < 8; i++) {
        h().now += 1000;
        expect(await status(h(), token)).to.deep.equal([200, 'OK']);
        await eventually(() => h().cachedSecurity?.refreshing === 0, 'refresh done');
      }
      expect(await expiry()).to.be.greaterThan(before as number);
      expect(await expiry()).to.be.at.least(h().now - 3000 + 60 * 60_000);
    });
  });
});
