/**
 * Every ARM endpoint (Appendices Д–М and ours) on real PostgreSQL and Redis, with the real security service over
 * HTTP and the real campaign engine, on the memory transport: the success path and each error status.
 */
import { eventually } from '@tm/pipeline-core/testing';
import { expect } from 'chai';
import { call, useArmHarness } from './test-support.js';

const PHONE = '79001234567';
const SECOND = 1000;

interface Body {
  status: string;
  description?: string;
  data?: Record<string, unknown> & {
    clientCard?: Record<string, unknown> & {
      clientInfo: Record<string, unknown>;
      currentCommunication: Record<string, unknown>;
      productList: Record<string, unknown>[];
      history: Record<string, unknown>[];
    };
  };
}

describe('ARM endpoints on PostgreSQL and Redis', function () {
  this.timeout(60_000);
  const h = useArmHarness();

  /** An operator logged in, a task, and its call started: resolves with the token, ids and the event time. */
  async function onCall(login = 'anna', phone = PHONE) {
    const operatorId = await h().addOperator(login, 'secret-1');
    const token = await h().login(login, 'secret-1');
    const taskId = await h().task(phone);
    const at = h().now;
    await h().publishCallEvents(call('CALL_STARTED', taskId, `call-${login}-1`, operatorId, at));
    await eventually(async () => {
      const body = (await h().get('/api/arm/v1/hasChanges', token)).json() as Body;
      return (body.data?.changes as string[] | undefined)?.includes('CLIENT_CARD_READY') ?? false;
    }, 'CLIENT_CARD_READY');
    const card = (await h().get('/api/arm/v1/getClientCard', token)).json() as Body;
    const communicationId = card.data?.clientCard?.currentCommunication.id as number;
    return { operatorId, token, taskId, at, communicationId };
  }

  describe('login and logout (Д, М)', () => {
    it('answers a token and publishes OPEN; logout publishes CLOSE and the token stops working', async () => {
      const operatorId = await h().addOperator('anna', 'secret-1');
      const login = await h().post('/api/arm/v1/login', { login: 'anna', password: 'secret-1' });
      expect(login.statusCode).to.equal(200);
      const body = login.json() as { status: string; data: { token: string } };
      expect(body.status).to.equal('OK');
      expect(body.data.token).to.match(/^[A-Za-z0-9_-]{43}$/);
      expect(Object.keys(body.data)).to.deep.equal(['token']);
      await eventually(() => h().sessions().length === 1, 'OPEN on tm-operator-sessions');
      expect(h().sessions()[0]).to.include({ operatorId, action: 'OPEN', reason: null });

      const logout = await h().get('/api/arm/v1/logout', body.data.token);
      expect([logout.statusCode, (logout.json() as Body).status]).to.deep.equal([200, 'OK']);
      await eventually(() => h().sessions().length === 2, 'CLOSE on tm-operator-sessions');
      expect(h().sessions()[1]).to.include({ operatorId, action: 'CLOSE', reason: null });
      const after = await h().get('/api/arm/v1/hasChanges', body.data.token);
      expect([after.statusCode, (after.json() as Body).status]).to.deep.equal([401, 'ACCESS_DENIED']);
    });

    it('refuses a wrong password (401), a locked operator (403) and too many attempts (429)', async () => {
      await h().addOperator('anna', 'secret-1');
      const wrong = await h().post('/api/arm/v1/login', { login: 'anna', password: 'nope' });
      expect([wrong.statusCode, (wrong.json() as Body).status]).to.deep.equal([401, 'INVALID_CREDENTIALS']);
      await h().db.raw(`UPDATE TM$OPERATORS SET LOCKED = TRUE WHERE LOGIN = 'anna'`);
      const locked = await h().post('/api/arm/v1/login', { login: 'anna', password: 'secret-1' });
      expect([locked.statusCode, (locked.json() as Body).status]).to.deep.equal([403, 'OPERATOR_LOCKED']);
      let last = locked;
      for (let i = 0; i < 10; i++)
        last = await h().post('/api/arm/v1/login', { login: 'anna', password: 'x' });
      expect([last.statusCode, (last.json() as Body).status]).to.deep.equal([429, 'TOO_MANY_ATTEMPTS']);
      expect(Number(last.headers['retry-after'])).to.be.greaterThan(0);
      expect(h().sessions()).to.deep.equal([]);
    });
  });

  describe('a call: hasChanges (Ж), getClientCard (З), saveCommunicationResult (К)', () => {
    it('flags CLIENT_CARD_READY, serves the card with masked phones, and publishes the result once', async () => {
      const token = await (async () => {
        await h().addOperator('anna', 'secret-1');
        return h().login('anna', 'secret-1');
      })();
      const idle = (await h().get('/api/arm/v1/hasChanges', token)).json() as Body;
      expect(idle).to.deep.equal({
        status: 'OK',
        data: { hasChanges: false, changes: [], pollIntervalMs: 1000 },
      });
      const noCard = await h().get('/api/arm/v1/getClientCard', token);
      expect([noCard.statusCode, (noCard.json() as Body).status]).to.deep.equal([404, 'NOT_FOUND']);

      // An earlier communication of the same client, in another campaign, makes the history.
      const oldTask = await h().task(PHONE, '70000101', 2);
      await h().publishCallEvents(
        call('CALL_STARTED', oldTask, 'old-call', 99, h().now - 86_400_000),
        call('CALL_ENDED', oldTask, 'old-call', 99, h().now - 86_400_000 + 60 * SECOND, { outcome: 'BUSY' }),
      );
      const {
        token: t,
        taskId,
        communicationId,
      } = await (async () => {
        const taskId2 = await h().task(PHONE);
        const operatorId = (await h().db.raw<{ rows: { id: string }[] }>(`SELECT ID FROM TM$OPERATORS`))
          .rows[0]?.id;
        await h().publishCallEvents(call('CALL_STARTED', taskId2, 'call-1', Number(operatorId), h().now));
        await eventually(async () => {
          const body = (await h().get('/api/arm/v1/hasChanges', token)).json() as Body;
          return body.data?.hasChanges === true;
        }, 'hasChanges true');
        const body = (await h().get('/api/arm/v1/hasChanges', token)).json() as Body;
        expect(body.data?.changes).to.deep.equal(['CLIENT_CARD_READY']);
        const card = (await h().get('/api/arm/v1/getClientCard', token)).json() as Body;
        return {
          token,
          taskId: taskId2,
          communicationId: card.data?.clientCard?.currentCommunication.id as number,
        };
      })();

      const answer = await h().get('/api/arm/v1/getClientCard', t);
      expect(answer.statusCode).to.equal(200);
      const card = (answer.json() as Body).data?.clientCard;
      expect(card?.clientInfo).to.deep.include({
        phone: '+7 (***) ***-45-67',
        fullNameRu: { name: 'АЗАМАТ', lastName: 'БЕКИШОВ' },
        fullNameEn: { name: 'AZAMAT', lastName: 'BEKISHOV' },
        citizenship: 'Киргизия',
        birthDate: '23.08.1994',
      });
      expect(card?.currentCommunication).to.deep.include({
        id: communicationId,
        time: '10.01.2024 13:00',
        callPhone: '+7 (***) ***-45-67',
        campaign: { displayName: 'Доведи до займа', description: 'Предложи экспресс' },
        operator: { name: 'Анна', lastName: 'Иванова' },
      });
      const second = (
        await h().db.raw<{ rows: { name: string }[] }>('SELECT NAME FROM TM$CAMPAIGNS WHERE ID = 2')
      ).rows[0];
      expect(card?.history.map((c) => c.campaign)).to.deep.equal([
        { displayName: second?.name.slice(0, 32) },
      ]);
      expect(card?.productList.find((p) => p.current)).to.deep.include({
        number: '23456701',
        type: 'APPLICATION',
        requestedAmount: 3_000_000,
        term: 30,
      });
      expect(JSON.stringify(answer.json())).not.to.contain(PHONE);
      // Reading the card acknowledged it.
      expect(((await h().get('/api/arm/v1/hasChanges', t)).json() as Body).data?.hasChanges).to.equal(false);

      const saved = await h().post(
        '/api/arm/v1/saveCommunicationResult',
        {
          communicationId,
          communicationResult: { reason: 'Не было с собой документа', result: 'CALL_BACK_LATER' },
        },
        t,
      );
      expect([saved.statusCode, (saved.json() as Body).status]).to.deep.equal([200, 'OK']);
      await eventually(() => h().results().length === 1, 'the result on tm-communication-results');
      expect(h().results()[0]).to.include({
        communicationId,
        taskId,
        clientPhone: PHONE,
        state: 'FIXED',
        result: 'CALL_BACK_LATER',
        reason: 'Не было с собой документа',
      });
      await eventually(async () => {
        const { rows } = await h().db.raw<{ rows: { state: string }[] }>(
          'SELECT STATE FROM TM$COMMUNICATIONS WHERE ID = ?',
          [communicationId],
        );
        return rows[0]?.state === 'FIXED';
      }, 'the engine stores it FIXED');
      const again = await h().post(
        '/api/arm/v1/saveCommunicationDraft',
        { communicationId, communicationResult: { comment: 'later' } },
        t,
      );
      expect([again.statusCode, (again.json() as Body).status]).to.deep.equal([409, 'ALREADY_FIXED']);
      expect(h().results()).to.have.length(1);
    });

    it('refuses a result without one (400), a clientPhone of another client (400), and accepts the masked one', async () => {
      const { token, communicationId } = await onCall();
      const empty = await h().post('/api/arm/v1/saveCommunicationResult', { communicationId }, token);
      expect([empty.statusCode, (empty.json() as Body).status]).to.deep.equal([400, 'BAD_REQUEST']);
      const other = await h().post(
        '/api/arm/v1/saveCommunicationDraft',
        { communicationId, clientPhone: '79990000000' },
        token,
      );
      expect([other.statusCode, (other.json() as Body).status]).to.deep.equal([400, 'BAD_REQUEST']);
      const masked = await h().post(
        '/api/arm/v1/saveCommunicationDraft',
        {
          communicationId,
          clientPhone: '+7 (***) ***-45-67',
          communicationResult: { comment: 'перезвонить' },
        },
        token,
      );
      expect(masked.statusCode).to.equal(200);
      await eventually(() => h().results().length === 1, 'the draft published');
      expect(h().results()[0]).to.include({ state: 'DRAFT', comment: 'перезвонить', clientPhone: PHONE });
    });
  });

  describe('the 60-second rule, listCommunications (Е), getClientCardByCommunicationId (Л)', () => {
    it('saves a server DRAFT 60 s after an unsaved answered call; the card is then in the rework list', async () => {
      const { token, taskId, operatorId, communicationId, at } = await onCall();
      await h().publishCallEvents(call('CALL_ENDED', taskId, 'call-anna-1', operatorId, at + 30 * SECOND));
      await eventually(async () => {
        const body = (await h().get('/api/arm/v1/getClientCard', token)).json() as Body;
        return typeof body.data?.resultDueAt === 'string';
      }, 'the result window open on the card');
      const card = (await h().get('/api/arm/v1/getClientCard', token)).json() as Body;
      expect(card.data?.resultDueAt).to.equal(new Date(at + 90 * SECOND).toISOString());
      expect(card.data?.resultDueInMs).to.equal(90 * SECOND); // by the ARM's clock, for the page's countdown

      h().now = at + 89 * SECOND;
      expect(await h().arm.sweepNow()).to.deep.equal([]);
      h().now = at + 90 * SECOND;
      expect((await h().arm.sweepNow()).map((w) => w.communicationId)).to.deep.equal([communicationId]);
      expect(await h().arm.sweepNow()).to.deep.equal([]);
      await eventually(() => h().results().length === 1, 'the server DRAFT');
      expect(h().results()[0]).to.include({ communicationId, state: 'DRAFT', result: null, operatorId });
      await eventually(async () => {
        const body = (await h().get('/api/arm/v1/listCommunications', token)).json() as Body;
        return ((body.data?.communications as unknown[]) ?? []).length === 1;
      }, 'the communication in the rework list');
      const list = (await h().get('/api/arm/v1/listCommunications', token)).json() as Body;
      expect(((list.data?.communications ?? []) as Record<string, unknown>[])[0]).to.deep.include({
        id: communicationId,
        doId: '23456701',
        type: 'APPLICATION',
        callPhone: '+7 (***) ***-45-67',
        operator: { name: 'Анна', lastName: 'Иванова' },
      });
      const changes = ((await h().get('/api/arm/v1/hasChanges', token)).json() as Body).data?.changes;
      expect(changes).to.deep.equal([]);
      const noCard = await h().get('/api/arm/v1/getClientCard', token);
      expect(noCard.statusCode).to.equal(404);

      const byId = await h().post('/api/arm/v1/getClientCardByCommunicationId', { communicationId }, token);
      expect(byId.statusCode).to.equal(200);
      expect((byId.json() as Body).data?.clientCard?.currentCommunication).to.deep.include({
        id: communicationId,
        state: 'DRAFT',
      });
      const fixed = await h().post(
        '/api/arm/v1/saveCommunicationResult',
        { communicationId, communicationResult: { result: 'NOT_INTERESTED', comment: 'доработано' } },
        token,
      );
      expect(fixed.statusCode).to.equal(200);
      await eventually(async () => {
        const body = (await h().get('/api/arm/v1/listCommunications', token)).json() as Body;
        return ((body.data?.communications as unknown[]) ?? []).length === 0;
      }, 'the reworked communication leaves the list');
    });

    it('saves no DRAFT for a call nobody answered, and withdraws its card', async () => {
      const { token, taskId, operatorId, at } = await onCall();
      await h().publishCallEvents(
        call('CALL_ENDED', taskId, 'call-anna-1', operatorId, at + SECOND, { outcome: 'NO_ANSWER' }),
      );
      await eventually(
        async () => (await h().get('/api/arm/v1/getClientCard', token)).statusCode === 404,
        'card gone',
      );
      h().now = at + 3600 * SECOND;
      expect(await h().arm.sweepNow()).to.deep.equal([]);
      expect(h().results()).to.deep.equal([]);
    });

    it('saves no DRAFT when the operator saved in time', async () => {
      const { token, taskId, operatorId, at, communicationId } = await onCall();
      await h().post(
        '/api/arm/v1/saveCommunicationResult',
        { communicationId, communicationResult: { result: 'CALL_BACK_LATER' } },
        token,
      );
      await h().publishCallEvents(call('CALL_ENDED', taskId, 'call-anna-1', operatorId, at + 5 * SECOND));
      await eventually(async () => {
        const { rows } = await h().db.raw<{ rows: unknown[] }>('SELECT 1 FROM TM$RESULT_WINDOWS');
        return rows.length === 1;
      }, 'the window row');
      h().now = at + 3600 * SECOND;
      expect(await h().arm.sweepNow()).to.deep.equal([]);
      expect(
        h()
          .results()
          .map((r) => r.state),
      ).to.deep.equal(['FIXED']);
    });
  });

  describe('ours: setStatus, callClient, getDictionaries', () => {
    it('publishes READY and BREAK', async () => {
      const operatorId = await h().addOperator('anna', 'secret-1');
      const token = await h().login('anna', 'secret-1');
      expect((await h().post('/api/arm/v1/setStatus', { status: 'BREAK' }, token)).statusCode).to.equal(200);
      expect((await h().post('/api/arm/v1/setStatus', { status: 'READY' }, token)).statusCode).to.equal(200);
      expect((await h().post('/api/arm/v1/setStatus', { status: 'SLEEP' }, token)).statusCode).to.equal(400);
      await eventually(() => h().sessions().length === 3, 'three session events');
      expect(
        h()
          .sessions()
          .map((s) => [s.operatorId, s.action]),
      ).to.deep.equal([
        [operatorId, 'OPEN'],
        [operatorId, 'BREAK'],
        [operatorId, 'READY'],
      ]);
    });

    it('asks the dialer to call the client back, once per interval', async () => {
      const { token, communicationId, taskId, operatorId } = await onCall();
      const first = await h().post('/api/arm/v1/callClient', { communicationId }, token);
      expect(first.statusCode).to.equal(200);
      const requestId = (first.json() as { data: { requestId: string } }).data.requestId;
      const second = await h().post('/api/arm/v1/callClient', { communicationId }, token);
      expect([second.statusCode, (second.json() as Body).status]).to.deep.equal([429, 'TOO_MANY_REQUESTS']);
      await eventually(() => h().callbacks().length === 1, 'the callback request');
      expect(h().callbacks()[0]).to.deep.include({
        requestId,
        operatorId,
        communicationId,
        taskId,
        phone: PHONE,
      });
      const missing = await h().post(
        '/api/arm/v1/callClient',
        { communicationId: communicationId + 1000 },
        token,
      );
      expect(missing.statusCode).to.equal(404);
    });

    it('serves the result dictionaries of the config', async () => {
      await h().addOperator('anna', 'secret-1');
      const token = await h().login('anna', 'secret-1');
      const body = (await h().get('/api/arm/v1/getDictionaries', token)).json() as Body;
      const items = (entries: { key: string; label: string }[]) =>
        entries.map((e) => ({ dictionaryKey: e.key, dictionaryValue: e.label }));
      const { results, reasons } = h().config.arm.dictionaries;
      expect(body).to.deep.equal({
        status: 'OK',
        data: { results: items(results), reasons: items(reasons) },
      });
      expect(results.length).to.be.greaterThan(0);
      const { communicationId, token: t } = await onCall('boris', '79001112233');
      const unknown = await h().post(
        '/api/arm/v1/saveCommunicationResult',
        { communicationId, communicationResult: { result: 'WHATEVER' } },
        t,
      );
      expect([unknown.statusCode, (unknown.json() as Body).status]).to.deep.equal([400, 'BAD_REQUEST']);
    });
  });

  describe('sessions the ARM closes itself', () => {
    it('closes a silent session (IDLE) and opens it again when the operator comes back (RESUMED)', async () => {
      const operatorId = await h().addOperator('anna', 'secret-1');
      const token = await h().login('anna', 'secret-1');
      h().now += 119 * SECOND;
      expect(await h().arm.reapNow()).to.equal(0);
      h().now += 2 * SECOND;
      expect(await h().arm.reapNow()).to.equal(1);
      expect(await h().arm.reapNow()).to.equal(0);
      await h().get('/api/arm/v1/hasChanges', token);
      await eventually(() => h().sessions().length === 3, 'OPEN, CLOSE, OPEN');
      expect(
        h()
          .sessions()
          .map((s) => [s.operatorId, s.action, s.reason]),
      ).to.deep.equal([
        [operatorId, 'OPEN', null],
        [operatorId, 'CLOSE', 'IDLE'],
        [operatorId, 'OPEN', 'RESUMED'],
      ]);
    });

    it('closes the session of an expired token (TOKEN_EXPIRED) on its next request', async () => {
      const operatorId = await h().addOperator('anna', 'secret-1');
      const token = await h().login('anna', 'secret-1');
      h().now += 61 * 60 * SECOND;
      const late = await h().get('/api/arm/v1/hasChanges', token);
      expect([late.statusCode, (late.json() as Body).status]).to.deep.equal([401, 'ACCESS_DENIED']);
      expect(late.headers['www-authenticate']).to.equal('Bearer realm="arm", error="invalid_token"');
      await eventually(() => h().sessions().length === 2, 'OPEN, CLOSE');
      expect(h().sessions()[1]).to.include({ operatorId, action: 'CLOSE', reason: 'TOKEN_EXPIRED' });
    });
  });
});

describe('ARM rework list while the engine has not stored a save yet (ADR 0116)', function () {
  this.timeout(60_000);
  const h = useArmHarness({ engine: false });

  it('shows a DRAFT as soon as it is published and hides a FIXED one as soon as it is saved', async () => {
    const operatorId = await h().addOperator('anna', 'secret-1');
    const token = await h().login('anna', 'secret-1');
    const taskId = await h().task(PHONE);
    await h().publishCallEvents(call('CALL_STARTED', taskId, 'call-anna-1', operatorId, h().now));
    await eventually(
      async () => (await h().get('/api/arm/v1/getClientCard', token)).statusCode === 200,
      'the card',
    );
    const card = (await h().get('/api/arm/v1/getClientCard', token)).json() as Body;
    const communicationId = card.data?.clientCard?.currentCommunication.id as number;
    const ids = async () => {
      const body = (await h().get('/api/arm/v1/listCommunications', token)).json() as Body;
      return ((body.data?.communications ?? []) as { id: number }[]).map((c) => c.id);
    };
    expect(await ids()).to.deep.equal([]);

    const draft = await h().post(
      '/api/arm/v1/saveCommunicationDraft',
      { communicationId, communicationResult: { comment: 'позже' } },
      token,
    );
    expect(draft.statusCode).to.equal(200);
    // no engine runs: the database still says NEW, yet the list the page reloads holds the draft
    const { rows } = await h().db.raw<{ rows: { state: string }[] }>(
      'SELECT STATE FROM TM$COMMUNICATIONS WHERE ID = ?',
      [communicationId],
    );
    expect(rows[0]?.state).to.equal('NEW');
    const changes = ((await h().get('/api/arm/v1/hasChanges', token)).json() as Body).data?.changes;
    expect(changes).to.deep.equal(['COMMUNICATIONS_CHANGED']);
    expect(await ids()).to.deep.equal([communicationId]);

    const fixed = await h().post(
      '/api/arm/v1/saveCommunicationResult',
      { communicationId, communicationResult: { result: 'AGREED' } },
      token,
    );
    expect(fixed.statusCode).to.equal(200);
    expect(await ids()).to.deep.equal([]);

    // once the database shows the save (as the engine would store it), the pending entries are forgotten
    await h().db.raw(`UPDATE TM$COMMUNICATIONS SET STATE = 'FIXED' WHERE ID = ?`, [communicationId]);
    expect(await ids()).to.deep.equal([]);
    // (seen through a DRAFT row the list would hide while it still remembered the FIXED save)
    await h().db.raw(`UPDATE TM$COMMUNICATIONS SET STATE = 'DRAFT' WHERE ID = ?`, [communicationId]);
    expect(await ids()).to.deep.equal([communicationId]);
  });
});
