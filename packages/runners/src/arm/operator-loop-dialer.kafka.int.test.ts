/**
 * The operator's whole loop on the real broker with the real dialer and the telephony simulator (issue 13's loop
 * test; arm-loop.kafka.int.test.ts injects the call events instead): an operator logs in through the ARM, the session
 * OPEN reaches the dialer, which logs the operator in at the telephony and makes them READY; the engine dispatches a
 * task, the dialer adds it, the simulated telephony calls and the dialer publishes CALL_STARTED; `hasChanges` turns
 * true, the card comes back with the client's data, the operator saves a result and the engine stores it FIXED.
 */
import { StageMetrics } from '@tm/pipeline-core';
import { eventually } from '@tm/pipeline-core/testing';
import { expect } from 'chai';
import { pino } from 'pino';
import { createDialer, type Dialer } from '../dialer/dialer.js';
import { type RunningSimulators, startSimulators } from '../simulators/start-simulators.js';
import { DEMO_TELEPHONY_API_KEY, DEMO_TELEPHONY_OPERATOR_SECRET } from '../simulators/telephony-model.js';
import { HttpTelephony } from '../telephony/http-telephony.js';
import { useArmHarness } from './test-support.js';

const PHONE = '79161234589';

describe('the operator loop with the dialer and the telephony simulator on Kafka', function () {
  this.timeout(180_000);
  const h = useArmHarness({ transport: 'kafka' });
  let simulators: RunningSimulators | undefined;
  let telephony: HttpTelephony | undefined;
  let dialer: Dialer | undefined;

  afterEach(async () => {
    await dialer?.stop();
    await telephony?.close();
    await simulators?.close();
  });

  it('login → OPEN → the dialer → a simulated call → card → result → FIXED; then a click-to-call within 30 s', async () => {
    const { config } = h();
    const secrets = { apiKey: DEMO_TELEPHONY_API_KEY, operatorSecret: DEMO_TELEPHONY_OPERATOR_SECRET };
    simulators = await startSimulators(
      {
        ...config.simulators,
        blacklist: { ...config.simulators.blacklist, port: 0 },
        casper: { ...config.simulators.casper, port: 0 },
        abram: { ...config.simulators.abram, port: 0 },
        // every call answered; a minute's call lasts a second
        telephony: {
          ...config.simulators.telephony,
          port: 0,
          timeScale: 60,
          outcomes: { ANSWERED: 1, NO_ANSWER: 0, BUSY: 0, FAILED: 0 },
        },
      },
      { blacklist: [], telephonySecrets: secrets },
    );
    telephony = new HttpTelephony({ url: simulators.urls.telephony, apiKey: secrets.apiKey });
    dialer = createDialer({
      config,
      transport: h().transport,
      db: h().db,
      telephony,
      operatorSecret: secrets.operatorSecret,
      logger: pino({ level: 'silent' }),
      metrics: new StageMetrics(),
    });
    await dialer.start();

    const operatorId = await h().addOperator('anna', 'secret-1');
    const token = await h().login('anna', 'secret-1');
    const model = simulators.telephony.model;
    await eventually(
      () => model.stats().openSessions === 1,
      'the dialer logs the operator in at the telephony',
      60_000,
    );

    const taskId = await h().task(PHONE);
    expect(await h().engine?.dispatchNow()).to.equal(1);
    await eventually(
      async () => {
        const body = (await h().get('/api/arm/v1/hasChanges', token)).json() as {
          data: { changes: string[] };
        };
        return body.data.changes.includes('CLIENT_CARD_READY');
      },
      'CLIENT_CARD_READY after the simulated call started',
      60_000,
    );
    const card = (await h().get('/api/arm/v1/getClientCard', token)).json() as {
      data: { clientCard: { clientInfo: Record<string, unknown>; currentCommunication: { id: number } } };
    };
    expect(card.data.clientCard.clientInfo).to.deep.include({ phone: '+7 (***) ***-45-89' });
    const communicationId = card.data.clientCard.currentCommunication.id;

    const saved = await h().post(
      '/api/arm/v1/saveCommunicationResult',
      { communicationId, communicationResult: { result: 'AGREED', comment: 'оформит заявку' } },
      token,
    );
    expect(saved.statusCode).to.equal(200);
    await eventually(
      async () => {
        const { rows } = await h().db.raw<{ rows: { state: string; operator_id: string }[] }>(
          'SELECT STATE, OPERATOR_ID FROM TM$COMMUNICATIONS WHERE ID = ?',
          [communicationId],
        );
        return rows[0]?.state === 'FIXED' && Number(rows[0].operator_id) === operatorId;
      },
      'the engine stores the result FIXED on the operator’s communication',
      60_000,
    );
    const stats = model.stats();
    expect(stats.addTaskCounts, 'the telephony got the task once').to.deep.equal({ [`ADD:${taskId}:1`]: 1 });
    expect(stats.callsMade).to.equal(1);

    // Click-to-call (ADR 0097, seed 003): the operator asks to call the client back; the platform calls and
    // connects this operator within 30 s, and the call's card comes as any other.
    await eventually(() => model.stats().callsEnded === 1, 'the first call ends', 60_000);
    const asked = Date.now();
    const callback = await h().post('/api/arm/v1/callClient', { communicationId }, token);
    expect(callback.statusCode, JSON.stringify(callback.json())).to.equal(200);
    await eventually(
      async () => {
        const body = (await h().get('/api/arm/v1/hasChanges', token)).json() as {
          data: { changes: string[] };
        };
        return body.data.changes.includes('CLIENT_CARD_READY');
      },
      'the call-back’s card',
      30_000,
    );
    expect(Date.now() - asked, 'connected within 30 s').to.be.below(30_000);
    expect(model.stats().callsMade).to.equal(2);
  });
});
