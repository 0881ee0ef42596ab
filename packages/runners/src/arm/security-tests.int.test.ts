/**
 * The security tests of docs/SECURITY.md, one `it` per row (the row's number in brackets): what an attacker or a
 * careless client tries against the ARM and the security service, and what must come back. Real PostgreSQL, Redis,
 * security service over HTTP, campaign engine; memory transport.
 */
import { eventually } from '@tm/pipeline-core/testing';
import { expect } from 'chai';
import { call, useArmHarness } from './test-support.js';

const PHONE = '79001234567';
const PASSWORD = 'pa55-Word!';
const SQL = `'; DROP TABLE TM$COMMUNICATIONS; --`;
const SCRIPT = '<script>alert("x")</script>';

interface Body {
  status: string;
  description?: string;
  data?: { clientCard?: { currentCommunication: { result?: Record<string, string> } } };
}

describe('security tests (docs/SECURITY.md)', function () {
  this.timeout(60_000);
  const h = useArmHarness();

  /** Two operators; Anna on a call with a communication; resolves with both tokens and Anna's communication. */
  async function twoOperators() {
    const anna = await h().addOperator('anna', PASSWORD);
    await h().addOperator('boris', PASSWORD, { firstName: 'Борис', lastName: 'Петров' });
    const annaToken = await h().login('anna', PASSWORD);
    const borisToken = await h().login('boris', PASSWORD);
    const taskId = await h().task(PHONE);
    await h().publishCallEvents(call('CALL_STARTED', taskId, 'c-1', anna, h().now));
    await eventually(
      async () => (await h().get('/api/arm/v1/getClientCard', annaToken)).statusCode === 200,
      'card',
    );
    const { rows } = await h().db.raw<{ rows: { id: string }[] }>('SELECT ID FROM TM$COMMUNICATIONS');
    return { annaToken, borisToken, communicationId: Number(rows[0]?.id), taskId, anna };
  }

  it('[1] reading another operator’s communication by id fails exactly as for one that does not exist', async () => {
    const { borisToken, communicationId } = await twoOperators();
    const other = await h().post(
      '/api/arm/v1/getClientCardByCommunicationId',
      { communicationId },
      borisToken,
    );
    const missing = await h().post(
      '/api/arm/v1/getClientCardByCommunicationId',
      { communicationId: communicationId + 999 },
      borisToken,
    );
    expect([other.statusCode, other.json()]).to.deep.equal([
      404,
      { status: 'NOT_FOUND', description: 'no such communication' },
    ]);
    expect([missing.statusCode, missing.json()]).to.deep.equal([other.statusCode, other.json()]);
    // Nor is it Boris's current card.
    expect((await h().get('/api/arm/v1/getClientCard', borisToken)).statusCode).to.equal(404);
  });

  it('[2] saving or calling back another operator’s communication fails as for a missing one; nothing published', async () => {
    const { borisToken, communicationId } = await twoOperators();
    for (const path of ['saveCommunicationDraft', 'saveCommunicationResult', 'callClient']) {
      const body =
        path === 'callClient'
          ? { communicationId }
          : { communicationId, communicationResult: { result: 'X' } };
      const other = await h().post(`/api/arm/v1/${path}`, body, borisToken);
      const missing = await h().post(
        `/api/arm/v1/${path}`,
        { ...body, communicationId: communicationId + 999 },
        borisToken,
      );
      expect([other.statusCode, other.json()], path).to.deep.equal([404, { status: 'NOT_FOUND' }]);
      expect(missing.json(), path).to.deep.equal(other.json());
    }
    expect(h().results()).to.deep.equal([]);
    expect(h().callbacks()).to.deep.equal([]);
  });

  it('[3] brute-force login is limited per login and per address, with the same answer for unknown logins', async () => {
    await h().addOperator('anna', PASSWORD);
    const codes: number[] = [];
    for (let i = 0; i < 12; i++)
      codes.push((await h().post('/api/arm/v1/login', { login: 'anna', password: `guess-${i}` })).statusCode);
    expect(codes.slice(0, 10).every((c) => c === 401)).to.equal(true);
    expect(codes.slice(10)).to.deep.equal([429, 429]);
    const right = await h().post('/api/arm/v1/login', { login: 'anna', password: PASSWORD });
    expect([right.statusCode, (right.json() as Body).status]).to.deep.equal([429, 'TOO_MANY_ATTEMPTS']);
    const ghost: number[] = [];
    for (let i = 0; i < 12; i++)
      ghost.push((await h().post('/api/arm/v1/login', { login: 'ghost', password: 'x' })).statusCode);
    expect(ghost).to.deep.equal(codes);
  });

  it('[4] a token after logout is refused', async () => {
    await h().addOperator('anna', PASSWORD);
    const token = await h().login('anna', PASSWORD);
    expect((await h().get('/api/arm/v1/logout', token)).statusCode).to.equal(200);
    for (const path of ['hasChanges', 'getClientCard', 'listCommunications', 'logout']) {
      const answer = await h().get(`/api/arm/v1/${path}`, token);
      expect([answer.statusCode, (answer.json() as Body).status], path).to.deep.equal([401, 'ACCESS_DENIED']);
    }
  });

  it('[5] an expired token is refused, and its session is closed', async () => {
    await h().addOperator('anna', PASSWORD);
    const token = await h().login('anna', PASSWORD);
    h().now += 60 * 60_000 + 1;
    const answer = await h().get('/api/arm/v1/hasChanges', token);
    expect([answer.statusCode, (answer.json() as Body).status]).to.deep.equal([401, 'ACCESS_DENIED']);
    await eventually(
      () =>
        h()
          .sessions()
          .some((s) => s.reason === 'TOKEN_EXPIRED'),
      'CLOSE TOKEN_EXPIRED',
    );
  });

  it('[6] a locked operator is refused at login at once, and on a token issued before the lock within the access cache’s TTL', async () => {
    await h().addOperator('anna', PASSWORD);
    const token = await h().login('anna', PASSWORD);
    await h().db.raw(`UPDATE TM$OPERATORS SET LOCKED = TRUE WHERE LOGIN = 'anna'`);
    const login = await h().post('/api/arm/v1/login', { login: 'anna', password: PASSWORD });
    expect([login.statusCode, (login.json() as Body).status]).to.deep.equal([403, 'OPERATOR_LOCKED']);
    // The check remembered at login may still let the token in until its bound (ADR 0125), and no longer.
    h().now += h().config.security.accessCacheTtlMs;
    const check = await h().get('/api/arm/v1/hasChanges', token);
    expect([check.statusCode, (check.json() as Body).status]).to.deep.equal([401, 'ACCESS_DENIED']);
    await eventually(
      () =>
        h()
          .sessions()
          .some((s) => s.reason === 'OPERATOR_LOCKED'),
      'CLOSE OPERATOR_LOCKED',
    );
  });

  it('[7] missing, malformed and made-up tokens are refused with RFC 6750 challenges', async () => {
    await h().addOperator('anna', PASSWORD);
    const token = await h().login('anna', PASSWORD);
    const headers: [string | undefined, string][] = [
      [undefined, 'invalid_request'],
      ['', 'invalid_request'],
      [`Basic ${Buffer.from(`anna:${PASSWORD}`).toString('base64')}`, 'invalid_request'],
      ['Bearer', 'invalid_request'],
      [`Bearer ${token} extra`, 'invalid_request'],
      [`bearer${token}`, 'invalid_request'],
      [`Bearer ${'a'.repeat(2049)}`, 'invalid_request'],
      ['Bearer токен', 'invalid_request'],
      [`Bearer ${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`, 'invalid_token'],
      ['Bearer eyJhbGciOiJIUzUxMiJ9.eyJqdGkiOiJhODMxZjY2NiJ9.c2ln', 'invalid_token'],
    ];
    for (const [authorization, error] of headers) {
      const answer = await h().arm.app.inject({
        method: 'GET',
        url: '/api/arm/v1/hasChanges',
        headers: authorization === undefined ? {} : { authorization },
      });
      expect([answer.statusCode, answer.json().status], String(authorization)).to.deep.equal([
        401,
        'ACCESS_DENIED',
      ]);
      expect(answer.headers['www-authenticate'], String(authorization)).to.equal(
        `Bearer realm="arm", error="${error}"`,
      );
    }
  });

  it('[8] malformed and oversized JSON bodies get 400 and 413 with a clear message and no stack trace', async () => {
    await h().addOperator('anna', PASSWORD);
    const token = await h().login('anna', PASSWORD);
    const send = (payload: string, contentType = 'application/json') =>
      h().arm.app.inject({
        method: 'POST',
        url: '/api/arm/v1/saveCommunicationDraft',
        payload,
        headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
      });
    const cases: [string, string, number, string][] = [
      ['{"communicationId": 1,', 'application/json', 400, 'the body is not valid JSON'],
      ['', 'application/json', 400, 'the JSON body is empty'],
      ['[1,2,3]', 'application/json', 400, 'body must be object'],
      ['{"communicationId": "1"}', 'application/json', 400, 'body/communicationId must be integer'],
      ['{"communicationId": -1}', 'application/json', 400, 'body/communicationId must be >= 0'],
      [
        JSON.stringify({ communicationId: 1, communicationResult: { comment: 'x'.repeat(20_000) } }),
        'application/json',
        413,
        'the request body is larger than allowed',
      ],
      ['communicationId=1', 'application/x-www-form-urlencoded', 415, 'send application/json'],
    ];
    for (const [payload, type, status, description] of cases) {
      const answer = await send(payload, type);
      expect([answer.statusCode, answer.json()], payload.slice(0, 40)).to.deep.equal([
        status,
        {
          status:
            status === 413 ? 'PAYLOAD_TOO_LARGE' : status === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : 'BAD_REQUEST',
          description,
        },
      ]);
      expect(answer.body).not.to.match(/\bat \S+ \(|\.ts:\d+|node_modules/);
    }
  });

  it('[9] unknown fields are refused, not ignored', async () => {
    const { annaToken, communicationId } = await twoOperators();
    const cases: [string, unknown][] = [
      ['login', { login: 'anna', password: PASSWORD, role: 'ADMIN' }],
      ['saveCommunicationResult', { communicationId, operatorId: 2, communicationResult: { result: 'X' } }],
      ['saveCommunicationDraft', { communicationId, communicationResult: { state: 'FIXED' } }],
      ['getClientCardByCommunicationId', { communicationId, operatorId: 2 }],
      ['setStatus', { status: 'READY', operatorId: 2 }],
    ];
    for (const [path, body] of cases) {
      const answer = await h().post(`/api/arm/v1/${path}`, body, annaToken);
      expect([answer.statusCode, (answer.json() as Body).status], path).to.deep.equal([400, 'BAD_REQUEST']);
      expect((answer.json() as Body).description, path).to.match(/must NOT have additional properties/);
    }
    expect(h().results()).to.deep.equal([]);
  });

  it('[10] SQL and script fragments in every string field are stored and shown as text', async () => {
    const login = await h().post('/api/arm/v1/login', { login: `anna${SQL}`, password: `${SQL}${SCRIPT}` });
    expect([login.statusCode, (login.json() as Body).status]).to.deep.equal([401, 'INVALID_CREDENTIALS']);
    const { annaToken, communicationId } = await twoOperators();
    const fragments = { reason: SQL, result: SCRIPT, comment: `${SCRIPT}${SQL}\u0000 ${"' OR '1'='1"}` };
    const saved = await h().post(
      '/api/arm/v1/saveCommunicationDraft',
      { communicationId, communicationResult: fragments },
      annaToken,
    );
    expect(saved.statusCode).to.equal(200);
    await eventually(async () => {
      const { rows } = await h().db.raw<{ rows: { state: string }[] }>(
        'SELECT STATE FROM TM$COMMUNICATIONS WHERE ID = ?',
        [communicationId],
      );
      return rows[0]?.state === 'DRAFT';
    }, 'the draft stored');
    const { rows } = await h().db.raw<{ rows: { result_details: Record<string, string> }[] }>(
      'SELECT RESULT_DETAILS FROM TM$COMMUNICATIONS WHERE ID = ?',
      [communicationId],
    );
    expect(rows[0]?.result_details).to.include({
      reason: SQL,
      result: SCRIPT,
      comment: fragments.comment.replace('\u0000', ''),
    });
    const card = await h().post('/api/arm/v1/getClientCardByCommunicationId', { communicationId }, annaToken);
    expect(card.headers['content-type']).to.match(/^application\/json/);
    expect(card.headers['x-content-type-options']).to.equal('nosniff');
    expect((card.json() as Body).data?.clientCard?.currentCommunication.result).to.deep.equal({
      reason: SQL,
      result: SCRIPT,
      comment: fragments.comment.replace('\u0000', ''),
    });
    const list = await h().get('/api/arm/v1/listCommunications', annaToken);
    expect(JSON.stringify(list.json())).to.contain(JSON.stringify(SCRIPT).slice(1, -1));
    const phone = await h().post(
      '/api/arm/v1/saveCommunicationDraft',
      { communicationId, clientPhone: `7900${SQL}` },
      annaToken,
    );
    expect(phone.statusCode).to.equal(400);
    // The tables are all there.
    const tables = await h().db.raw<{ rows: unknown[] }>(`SELECT 1 FROM TM$COMMUNICATIONS`);
    expect(tables.rows.length).to.equal(1);
  });

  it('[11] no full phone number and no password in any log line, and no full phone in any answer', async () => {
    const { annaToken, communicationId, taskId, anna } = await twoOperators();
    await h().post('/api/arm/v1/login', { login: 'anna', password: 'wrong-password-123' });
    await h().post(
      '/api/arm/v1/saveCommunicationDraft',
      { communicationId, clientPhone: '79990001122' },
      annaToken,
    );
    await h().publishCallEvents(call('CALL_ENDED', taskId, 'c-1', anna, h().now + 5000));
    await eventually(
      async () => (await h().get('/api/arm/v1/getClientCard', annaToken)).json() !== null,
      'ended',
    );
    await h().post('/api/arm/v1/callClient', { communicationId }, annaToken);
    h().now += 120_000;
    await h().arm.sweepNow();
    await h().get('/api/arm/v1/logout', annaToken);
    const answers = [
      await h().post('/api/arm/v1/getClientCardByCommunicationId', { communicationId }, annaToken),
      await h().get('/api/arm/v1/listCommunications', annaToken),
    ];
    const text = h().logs.join('');
    expect(h().logs.length).to.be.greaterThan(5);
    for (const secret of [PHONE, PASSWORD, 'wrong-password-123', '79990001122'])
      expect(text).not.to.contain(secret);
    // Any 11-digit phone, not part of a longer number (log times are 13 digits).
    const phoneLike = /(?<!\d)7\d{10}(?!\d)/;
    expect(text).not.to.match(phoneLike);
    for (const answer of answers) expect(JSON.stringify(answer.json())).not.to.match(phoneLike);
  });

  it('[12] cross-origin requests get no CORS grant', async () => {
    const preflight = await h().arm.app.inject({
      method: 'OPTIONS',
      url: '/api/arm/v1/login',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.headers['access-control-allow-origin']).to.equal(undefined);
    const simple = await h().arm.app.inject({
      method: 'POST',
      url: '/api/arm/v1/login',
      payload: { login: 'a', password: 'b' },
      headers: { origin: 'https://evil.example' },
    });
    expect(simple.headers['access-control-allow-origin']).to.equal(undefined);
  });
});
