/**
 * The security service's three endpoints (Appendices Б–Г) over HTTP on real PostgreSQL and Redis: the success path
 * and each result code, tokens stored hashed, the sliding expiry, and `tm operators`.
 */
import { testServices, uniqueName } from '@tm/infra';
import { expect } from 'chai';
import { pino } from 'pino';
import { useCampaignDb } from '../campaign/db/test-support.js';
import { engineConfig } from '../campaign/engine/test-support.js';
import { operatorsAdd, operatorsList, operatorsLock } from '../commands/operators.js';
import { RedisStore } from '../kv/redis-store.js';
import { addOperator } from './operators-db.js';
import { PasswordHasher } from './password.js';
import { createSecurity, type Security } from './security.js';
import { tokenHash } from './tokens.js';

const COST = 1024;

/** The message a promise rejects with (or 'resolved'). */
async function failure(promise: PromiseLike<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
const MINUTE = 60_000;

describe('security service over HTTP on PostgreSQL and Redis', function () {
  this.timeout(60_000);
  const { db } = useCampaignDb();
  let security: Security;
  let store: RedisStore;
  let now: number;
  const config = () => engineConfig([[['security', 'password', 'scrypt-cost'], COST]]);

  beforeEach(async () => {
    await db().raw('TRUNCATE TM$OPERATORS RESTART IDENTITY CASCADE');
    const { redisUrl, redisKeyPrefix } = testServices();
    store = new RedisStore({ url: redisUrl, keyPrefix: `${redisKeyPrefix}${uniqueName('sec')}:` });
    now = Date.UTC(2024, 0, 10, 10);
    security = createSecurity({
      config: config(),
      db: db(),
      store,
      logger: pino({ level: 'silent' }),
      clock: () => new Date(now),
      listen: { host: '127.0.0.1', port: 0 },
    });
    await security.start();
    const hasher = new PasswordHasher({ cost: COST, blockSize: 8, parallelization: 1 });
    await addOperator(db(), {
      login: 'anna',
      passwordHash: await hasher.hash('secret-1'),
      firstName: 'Анна',
      lastName: 'Иванова',
    });
  });
  afterEach(async () => {
    await security.stop();
    await store.close();
  });

  const post = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${security.url}/api/security/v1/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return {
      status: response.status,
      headers: response.headers,
      body: (await response.json()) as {
        result: { code: string; description?: string };
        data?: Record<string, unknown>;
      },
    };
  };
  const login = (password = 'secret-1', login = 'anna', headers: Record<string, string> = {}) =>
    post('login', { login, password }, headers);

  it('logs in: a random token with the operator id, stored only as its SHA-256', async () => {
    const answer = await login();
    expect(answer.status).to.equal(200);
    expect(answer.body.result.code).to.equal('OK');
    const token = answer.body.data?.token as string;
    expect(token).to.match(/^[A-Za-z0-9_-]{43}$/);
    expect(answer.body.data?.operatorId).to.equal(1);
    const { rows } = await db().raw<{ rows: { token: string; exp_date: Date }[] }>(
      'SELECT TOKEN, EXP_DATE FROM TM$OPERATOR_AUTHS',
    );
    expect(rows.map((r) => r.token)).to.deep.equal([tokenHash(token)]);
    expect(rows[0]?.exp_date.getTime()).to.equal(now + 60 * MINUTE);
    const stored = (await db().raw<{ rows: { password: string }[] }>('SELECT PASSWORD FROM TM$OPERATORS'))
      .rows[0];
    expect(stored?.password).to.match(/^scrypt\$1024\$8\$1\$/);
    const raw = db().raw(
      `INSERT INTO TM$OPERATOR_AUTHS (TOKEN, OPERATOR_ID, EXP_DATE) VALUES ('plain', 1, now())`,
    );
    expect(await failure(raw)).to.match(/tm\$operator_auths_token_hash_ck/i);
  });

  it('answers INVALID_CREDENTIALS alike for a wrong password and an unknown login', async () => {
    const wrong = await login('nope');
    const unknown = await login('secret-1', 'nobody');
    expect([wrong.status, wrong.body]).to.deep.equal([
      200,
      { result: { code: 'INVALID_CREDENTIALS', description: 'wrong login or password' } },
    ]);
    expect(unknown.body).to.deep.equal(wrong.body);
  });

  it('refuses a locked operator at login and at every check, and lets them in once unlocked', async () => {
    const token = (await login()).body.data?.token as string;
    await db().raw(`UPDATE TM$OPERATORS SET LOCKED = TRUE`);
    expect((await login()).body.result.code).to.equal('OPERATOR_LOCKED');
    const check = await post('checkAccess', { token });
    expect(check.body).to.deep.include({
      result: { code: 'OPERATOR_LOCKED', description: 'the operator is locked' },
    });
    await db().raw(`UPDATE TM$OPERATORS SET LOCKED = FALSE`);
    expect((await post('checkAccess', { token })).body.result.code).to.equal('OK');
  });

  it('checks a token, slides its expiry in steps, refuses it once expired', async () => {
    const token = (await login()).body.data?.token as string;
    const check = await post('checkAccess', { token, updateExpire: true });
    expect(check.body).to.deep.equal({ result: { code: 'OK', description: 'OK' }, data: { operatorId: 1 } });
    const expiry = async () =>
      (
        await db().raw<{ rows: { exp_date: Date }[] }>('SELECT EXP_DATE FROM TM$OPERATOR_AUTHS')
      ).rows[0]?.exp_date.getTime();
    now += 10_000; // under the 30-s step: no write
    await post('checkAccess', { token, updateExpire: true });
    expect(await expiry()).to.equal(Date.UTC(2024, 0, 10, 11));
    now += 50 * MINUTE;
    await post('checkAccess', { token, updateExpire: false });
    expect(await expiry()).to.equal(Date.UTC(2024, 0, 10, 11));
    await post('checkAccess', { token, updateExpire: true });
    expect(await expiry()).to.equal(now + 60 * MINUTE);
    now += 61 * MINUTE;
    const late = await post('checkAccess', { token, updateExpire: true });
    expect(late.body).to.deep.include({
      result: { code: 'TOKEN_EXPIRED', description: 'the token has expired; log in again' },
    });
    expect(late.body.data).to.deep.equal({ operatorId: 1 });
  });

  it('never slides a token past 12 hours after login', async () => {
    const token = (await login()).body.data?.token as string;
    for (let i = 0; i < 13; i++) {
      now += 55 * MINUTE;
      await post('checkAccess', { token, updateExpire: true });
    }
    expect((await post('checkAccess', { token })).body.result.code).to.equal('OK');
    now = Date.UTC(2024, 0, 10, 22); // 12 hours after the login
    expect((await post('checkAccess', { token })).body.result.code).to.equal('TOKEN_EXPIRED');
  });

  it('logs out: the token is deleted and denied after; a second logout is ACCESS_DENIED', async () => {
    const token = (await login()).body.data?.token as string;
    expect((await post('logout', { token })).body.result.code).to.equal('OK');
    expect((await post('checkAccess', { token })).body).to.deep.equal({
      result: { code: 'ACCESS_DENIED', description: 'Доступ запрещен (access denied)' },
    });
    expect((await post('logout', { token })).body.result.code).to.equal('ACCESS_DENIED');
  });

  it('limits attempts per login (10 per 15 min) whether the login exists or not, and per address', async () => {
    for (let i = 0; i < 10; i++) expect((await login('x')).status).to.equal(200);
    const limited = await login();
    expect([limited.status, limited.body.result.code]).to.deep.equal([429, 'TOO_MANY_ATTEMPTS']);
    expect(Number(limited.headers.get('retry-after'))).to.be.within(1, 900);
    for (let i = 0; i < 10; i++) await login('x', 'ghost');
    expect((await login('x', 'ghost')).body).to.deep.equal(limited.body);
    // Another address (forwarded by a trusted proxy, as the ARM does) is counted apart, per login still.
    const elsewhere = await login('secret-1', 'anna', { 'x-forwarded-for': '10.1.2.3' });
    expect(elsewhere.status).to.equal(429);
  });

  it('limits attempts per client address across logins', async () => {
    const limits = engineConfig([
      [['security', 'password', 'scrypt-cost'], COST],
      [['security', 'login-limits', 'per-address'], { max: 3, 'window-ms': 60_000 }],
    ]);
    await security.stop();
    security = createSecurity({
      config: limits,
      db: db(),
      store,
      logger: pino({ level: 'silent' }),
      listen: { host: '127.0.0.1', port: 0 },
    });
    await security.start();
    const from = { 'x-forwarded-for': '10.9.9.9' };
    for (const name of ['a', 'b', 'c']) expect((await login('x', name, from)).status).to.equal(200);
    expect((await login('secret-1', 'anna', from)).status).to.equal(429);
    expect((await login('secret-1', 'anna', { 'x-forwarded-for': '10.9.9.10' })).body.result.code).to.equal(
      'OK',
    );
  });

  it('answers 400 for malformed JSON, unknown fields and over-long values, 413 for an oversized body', async () => {
    const bad = await post('login', '{"login": "anna", ');
    expect([bad.status, bad.body.result]).to.deep.equal([
      400,
      { code: 'BAD_REQUEST', description: 'the body is not valid JSON' },
    ]);
    const extra = await post('login', { login: 'anna', password: 'secret-1', role: 'ADMIN' });
    expect([extra.status, extra.body.result.code]).to.deep.equal([400, 'BAD_REQUEST']);
    expect(extra.body.result.description).to.contain('additional properties');
    const long = await post('checkAccess', { token: 'x'.repeat(2049) });
    expect([long.status, long.body.result.code]).to.deep.equal([400, 'BAD_REQUEST']);
    const huge = await post('logout', { token: 'x'.repeat(20_000) });
    expect([huge.status, huge.body.result.code]).to.deep.equal([413, 'PAYLOAD_TOO_LARGE']);
    for (const answer of [bad, extra, long, huge])
      expect(JSON.stringify(answer.body)).not.to.match(/\bat \w+ \(/);
  });

  it('serves its OpenAPI document at /docs/json, DTOs named by their $id', async () => {
    const doc = (await (await fetch(`${security.url}/docs/json`)).json()) as {
      paths: Record<string, unknown>;
      components: { schemas: Record<string, unknown> };
    };
    expect(Object.keys(doc.paths)).to.deep.equal([
      '/api/security/v1/login',
      '/api/security/v1/logout',
      '/api/security/v1/checkAccess',
    ]);
    expect(doc.components.schemas).to.include.keys(
      'LoginRequestDto',
      'TokenResponseDto',
      'CheckAccessRequestDto',
    );
  });

  it('tm operators add, lock, unlock, list', async () => {
    const options = { databaseUrl: await searchPathUrl() };
    expect(await operatorsAdd('boris', { firstName: 'Борис', lastName: 'Петров' }, 'pw-2', options)).to.match(
      /^operator 2 added: boris$/,
    );
    expect(await failure(operatorsAdd('boris', { firstName: 'B', lastName: 'P' }, 'pw', options))).to.match(
      /taken/,
    );
    expect(await operatorsLock('boris', true, options)).to.equal('operator 2 locked: boris');
    expect(await operatorsList(options)).to.deep.equal([
      '1\tanna\tАнна Иванова\tOPERATOR\tactive',
      '2\tboris\tБорис Петров\tOPERATOR\tLOCKED',
    ]);
    expect((await login('pw-2', 'boris')).body.result.code).to.equal('OPERATOR_LOCKED');
    await operatorsLock('boris', false, options);
    expect((await login('pw-2', 'boris')).body.result.code).to.equal('OK');
    expect(await failure(operatorsLock('nobody', true, options))).to.match(/no operator/);
  });

  /** The run's database URL with this file's schema first on the search path (for the CLI functions). */
  async function searchPathUrl(): Promise<string> {
    const schema = (await db().raw<{ rows: { s: string }[] }>('SELECT current_schema() AS s')).rows[0]?.s;
    const url = new URL(testServices().databaseUrl);
    url.searchParams.set('options', `-c search_path=${schema}`);
    return url.toString();
  }
});
