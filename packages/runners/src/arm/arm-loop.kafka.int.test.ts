/**
 * The operator's loop on the real broker: the security service over HTTP, the ARM, the campaign engine, PostgreSQL
 * and Redis. Call events are injected on tm-call-events as the dialer publishes them (the dialer is built on its own
 * branch; this test does its part). Also the race of ADR 0094 both ways round: the ARM ahead of the engine, and the
 * engine ahead of the ARM — no card and no result lost or attached to the wrong communication.
 */
import type { CallEvent } from '@tm/contracts';
import { eventually } from '@tm/pipeline-core/testing';
import { expect } from 'chai';
import { pino } from 'pino';
import { applyCallEvent } from '../campaign/db/call-events.js';
import { createCampaignEngine } from '../campaign/engine/engine.js';
import { call, type Harness, useArmHarness } from './test-support.js';

const PHONE = '79161234589';
const SECOND = 1000;

interface CardBody {
  status: string;
  data?: { clientCard: { clientInfo: Record<string, unknown>; currentCommunication: { id: number } } };
}

async function waitForCard(h: Harness, token: string): Promise<CardBody> {
  await eventually(
    async () => {
      const body = (await h.get('/api/arm/v1/hasChanges', token)).json() as { data: { changes: string[] } };
      return body.data.changes.includes('CLIENT_CARD_READY');
    },
    'CLIENT_CARD_READY',
    30_000,
  );
  return (await h.get('/api/arm/v1/getClientCard', token)).json() as CardBody;
}

async function communications(h: Harness) {
  const { rows } = await h.db.raw<{
    rows: { id: string; state: string; call_id: string; started_at: Date | null; ended_at: Date | null }[];
  }>('SELECT ID, STATE, CALL_ID, STARTED_AT, ENDED_AT FROM TM$COMMUNICATIONS ORDER BY ID');
  return rows.map((r) => ({
    id: Number(r.id),
    state: r.state,
    callId: r.call_id,
    started: r.started_at !== null,
    ended: r.ended_at !== null,
  }));
}

/** A communication the engine has finished with: the result FIXED and both call times filled in. */
function isSettled(c: Awaited<ReturnType<typeof communications>>[number] | undefined): boolean {
  return c?.state === 'FIXED' && c.started && c.ended;
}

async function taskState(h: Harness, taskId: number): Promise<string | undefined> {
  const { rows } = await h.db.raw<{ rows: { task_state: string }[] }>(
    'SELECT TASK_STATE FROM TM$CAMPAIGN_TASKS WHERE ID = ?',
    [taskId],
  );
  return rows[0]?.task_state;
}

/** Claims the task as dispatch would (IN_PROGRESS, attempt 1), so CALL_ENDED can make it DONE. */
async function dispatched(h: Harness, taskId: number): Promise<void> {
  await h.db.raw(`UPDATE TM$CAMPAIGN_TASKS SET TASK_STATE = 'IN_PROGRESS', ATTEMPT = 1 WHERE ID = ?`, [
    taskId,
  ]);
}

describe('the operator loop on Kafka', function () {
  this.timeout(120_000);

  describe('login → OPEN → call → card → result → FIXED, and the 60-second path', () => {
    const h = useArmHarness({ transport: 'kafka' });

    it('goes round the loop on the broker', async () => {
      const operatorId = await h().addOperator('anna', 'secret-1');
      const token = await h().login('anna', 'secret-1');
      await eventually(
        () => h().sessions().length === 1,
        'OPEN on tm-operator-sessions (the dialer’s input)',
        30_000,
      );
      expect(h().sessions()[0]).to.include({ operatorId, action: 'OPEN' });

      const taskId = await h().task(PHONE);
      await dispatched(h(), taskId);
      const at = h().now;
      await h().publishCallEvents(call('CALL_STARTED', taskId, 'k-call-1', operatorId, at, { attempt: 1 }));
      const card = await waitForCard(h(), token);
      expect(card.data?.clientCard.clientInfo).to.deep.include({
        phone: '+7 (***) ***-45-89',
        fullNameRu: { name: 'АЗАМАТ', lastName: 'БЕКИШОВ' },
      });
      const communicationId = card.data?.clientCard.currentCommunication.id as number;

      await h().publishCallEvents(
        call('CALL_ENDED', taskId, 'k-call-1', operatorId, at + 40 * SECOND, {
          attempt: 1,
          outcome: 'ANSWERED',
        }),
      );
      const saved = await h().post(
        '/api/arm/v1/saveCommunicationResult',
        { communicationId, communicationResult: { result: 'AGREED', comment: 'оформит заявку' } },
        token,
      );
      expect(saved.statusCode).to.equal(200);
      // The result and the call events travel on different topics: wait for both, in either order.
      await eventually(
        async () => isSettled((await communications(h()))[0]),
        'the engine stores the result FIXED and the call times',
        30_000,
      );
      expect(await communications(h())).to.deep.equal([
        { id: communicationId, state: 'FIXED', callId: 'k-call-1', started: true, ended: true },
      ]);
      expect(await taskState(h(), taskId)).to.equal('DONE');
      h().now = at + 200 * SECOND;
      expect(await h().arm.sweepNow()).to.deep.equal([]);
    });

    it('drafts an unsaved call on the server and lists it for rework', async () => {
      const operatorId = await h().addOperator('anna', 'secret-1');
      const token = await h().login('anna', 'secret-1');
      const taskId = await h().task(PHONE);
      await dispatched(h(), taskId);
      const at = h().now;
      await h().publishCallEvents(
        call('CALL_STARTED', taskId, 'k-call-2', operatorId, at, { attempt: 1 }),
        call('CALL_ENDED', taskId, 'k-call-2', operatorId, at + 20 * SECOND, { attempt: 1 }),
      );
      await waitForCard(h(), token);
      await eventually(
        async () => {
          const { rows } = await h().db.raw<{ rows: unknown[] }>('SELECT 1 FROM TM$RESULT_WINDOWS');
          return rows.length === 1;
        },
        'the result window',
        30_000,
      );
      h().now = at + 81 * SECOND;
      expect(await h().arm.sweepNow()).to.have.length(1);
      await eventually(
        async () => {
          const list = (await h().get('/api/arm/v1/listCommunications', token)).json() as {
            data: { communications: unknown[] };
          };
          return list.data.communications.length === 1;
        },
        'the card in listCommunications',
        30_000,
      );
      expect(
        h()
          .results()
          .map((r) => [r.state, r.result]),
      ).to.deep.equal([['DRAFT', null]]);
    });
  });

  describe('the race of CALL_STARTED (ADR 0094)', () => {
    const h = useArmHarness({ transport: 'kafka', engine: false });

    /** The campaign engine on the harness's topics, started now. */
    async function startEngine(x: Harness) {
      const engine = createCampaignEngine({
        config: x.config,
        transport: x.transport,
        db: x.db,
        logger: pino({ level: 'silent' }),
        clock: () => new Date(x.now),
        schedules: false,
      });
      await engine.start();
      return engine;
    }

    it('the ARM ahead of the engine: it creates the communication, the engine fills it in later', async () => {
      const operatorId = await h().addOperator('anna', 'secret-1');
      const token = await h().login('anna', 'secret-1');
      const taskId = await h().task(PHONE);
      await dispatched(h(), taskId);
      const at = h().now;
      const started = call('CALL_STARTED', taskId, 'race-1', operatorId, at, { attempt: 1 });
      await h().publishCallEvents(started);
      const card = await waitForCard(h(), token);
      const communicationId = card.data?.clientCard.currentCommunication.id as number;
      expect(await communications(h())).to.deep.equal([
        { id: communicationId, state: 'NEW', callId: 'race-1', started: false, ended: false },
      ]);
      await h().post(
        '/api/arm/v1/saveCommunicationResult',
        { communicationId, communicationResult: { result: 'CALL_BACK_LATER' } },
        token,
      );
      await h().publishCallEvents(
        call('CALL_ENDED', taskId, 'race-1', operatorId, at + 30 * SECOND, { attempt: 1 }),
      );

      const engine = await startEngine(h());
      try {
        // FIXED may come before the call times (another topic): wait for both.
        await eventually(
          async () => isSettled((await communications(h()))[0]),
          'FIXED with the call times',
          30_000,
        );
        expect(await communications(h())).to.deep.equal([
          { id: communicationId, state: 'FIXED', callId: 'race-1', started: true, ended: true },
        ]);
        // CALL_BACK_LATER re-schedules the task: the engine took the call as its own.
        await eventually(async () => (await taskState(h(), taskId)) === 'NEW', 'the re-call scheduled');
      } finally {
        await engine.stop();
      }
    });

    it('the engine ahead of the ARM: the ARM finds the engine’s communication by the call id', async () => {
      const operatorId = await h().addOperator('anna', 'secret-1');
      const token = await h().login('anna', 'secret-1');
      const taskId = await h().task(PHONE);
      await dispatched(h(), taskId);
      const started: CallEvent = call('CALL_STARTED', taskId, 'race-2', operatorId, h().now, { attempt: 1 });
      // The engine applies the event first (its own code), and a communication of another call exists too.
      expect(
        await applyCallEvent(h().db, call('CALL_STARTED', taskId, 'other', 555, h().now - 1000)),
      ).to.include({
        kind: 'communication-started',
      });
      const applied = await applyCallEvent(h().db, started);
      expect(applied.kind).to.equal('communication-started');
      const engineId = (applied as { communicationId: number }).communicationId;

      await h().publishCallEvents(started);
      const card = await waitForCard(h(), token);
      expect(card.data?.clientCard.currentCommunication.id).to.equal(engineId);
      await h().post(
        '/api/arm/v1/saveCommunicationResult',
        { communicationId: engineId, communicationResult: { result: 'NOT_INTERESTED' } },
        token,
      );
      const engine = await startEngine(h());
      try {
        await eventually(
          async () => (await communications(h())).find((c) => c.id === engineId)?.state === 'FIXED',
          'FIXED on the engine’s communication',
          30_000,
        );
        const rows = await communications(h());
        expect(rows.map((r) => [r.callId, r.state])).to.deep.equal([
          ['other', 'NEW'],
          ['race-2', 'FIXED'],
        ]);
      } finally {
        await engine.stop();
      }
    });
  });
});
