import { expect } from 'chai';
import type { Knex } from 'knex';
import { applyCallEvent } from './call-events.js';
import { claimDueTasks } from './claim.js';
import { ingestCandidates } from './ingest.js';
import { at, callEvent, candidate, rules, tasks, useCampaignDb } from './test-support.js';

interface CommunicationView {
  id: number;
  state: string;
  operatorId: number;
  attempt: number;
  started: boolean;
  ended: boolean;
  duration: number | null;
}

async function communications(db: Knex): Promise<CommunicationView[]> {
  const { rows } = await db.raw<{
    rows: {
      id: string;
      state: string;
      operator_id: string;
      attempt: number;
      started_at: Date | null;
      ended_at: Date | null;
      duration_seconds: number | null;
    }[];
  }>(
    'SELECT ID, STATE, OPERATOR_ID, ATTEMPT, STARTED_AT, ENDED_AT, DURATION_SECONDS FROM TM$COMMUNICATIONS ORDER BY ID',
  );
  return rows.map((r) => ({
    id: Number(r.id),
    state: r.state,
    operatorId: Number(r.operator_id),
    attempt: r.attempt,
    started: r.started_at !== null,
    ended: r.ended_at !== null,
    duration: r.duration_seconds,
  }));
}

describe('applyCallEvent (PostgreSQL)', () => {
  const { db } = useCampaignDb();

  /** One task, claimed: IN_PROGRESS in attempt 1. Returns its id. */
  async function dispatchedTask(): Promise<number> {
    await ingestCandidates(db(), [candidate('1', '79001110001')], at(9));
    const [claimed] = await claimDueTasks(db(), { now: at(9), limit: 1, campaigns: rules() });
    return claimed!.dialTask.taskId;
  }

  it('a call nobody answered is closed by the system with its outcome, under the re-call rules (NO_ANSWER calls again)', async () => {
    const taskId = await dispatchedTask();
    const results = { now: at(10), campaigns: rules() };
    await applyCallEvent(db(), callEvent('CALL_STARTED', taskId, 'call-na'), results);
    const ended = callEvent('CALL_ENDED', taskId, 'call-na', {
      durationSeconds: 0,
      outcome: 'NO_ANSWER',
      attempt: 1,
    });
    expect(await applyCallEvent(db(), ended, results)).to.deep.equal({
      kind: 'task-done',
      communicationId: 1,
      closed: 'recall-scheduled',
    });
    expect((await communications(db()))[0]?.state).to.equal('FIXED');
    const { rows } = await db().raw<{ rows: { result_details: { result: string; reason: string } }[] }>(
      'SELECT RESULT_DETAILS FROM TM$COMMUNICATIONS',
    );
    expect(rows[0]?.result_details).to.include({ result: 'NO_ANSWER', reason: 'NOT_ANSWERED' });
    expect((await tasks(db()))[0]?.state).to.equal('NEW');
    // A replay of the end changes nothing more.
    expect(await applyCallEvent(db(), ended, results)).to.deep.equal({ kind: 'repeat' });
  });

  it('a BUSY call in a campaign that does not call BUSY again stays DONE, its communication FIXED', async () => {
    const taskId = await dispatchedTask();
    const results = { now: at(10), campaigns: rules() };
    await applyCallEvent(db(), callEvent('CALL_STARTED', taskId, 'call-busy'), results);
    const ended = callEvent('CALL_ENDED', taskId, 'call-busy', {
      durationSeconds: 0,
      outcome: 'BUSY',
      attempt: 1,
    });
    expect(await applyCallEvent(db(), ended, results)).to.include({ kind: 'task-done', closed: 'stored' });
    expect((await communications(db()))[0]?.state).to.equal('FIXED');
    expect((await tasks(db()))[0]?.state).to.equal('DONE');
  });

  it('CALL_STARTED creates a NEW communication for the task and operator; the task stays IN_PROGRESS', async () => {
    const taskId = await dispatchedTask();
    const outcome = await applyCallEvent(db(), callEvent('CALL_STARTED', taskId, 'call-1'));
    expect(outcome).to.deep.equal({ kind: 'communication-started', communicationId: 1 });
    expect(await communications(db())).to.deep.equal([
      { id: 1, state: 'NEW', operatorId: 7, attempt: 1, started: true, ended: false, duration: null },
    ]);
    expect((await tasks(db()))[0]?.state).to.equal('IN_PROGRESS');
  });

  it('CALL_ENDED records the end on the communication and makes the task DONE', async () => {
    const taskId = await dispatchedTask();
    await applyCallEvent(db(), callEvent('CALL_STARTED', taskId, 'call-1'));
    const outcome = await applyCallEvent(db(), callEvent('CALL_ENDED', taskId, 'call-1'));
    expect(outcome).to.deep.equal({ kind: 'task-done', communicationId: 1 });
    expect(await communications(db())).to.deep.equal([
      { id: 1, state: 'NEW', operatorId: 7, attempt: 1, started: true, ended: true, duration: 95 },
    ]);
    expect((await tasks(db()))[0]?.state).to.equal('DONE');
  });

  it('changes nothing for repeated events, by event id or for the same call', async () => {
    const taskId = await dispatchedTask();
    const started = callEvent('CALL_STARTED', taskId, 'call-1');
    const ended = callEvent('CALL_ENDED', taskId, 'call-1');
    await applyCallEvent(db(), started);
    await applyCallEvent(db(), ended);
    const before = { comms: await communications(db()), tasks: await tasks(db()) };
    expect(await applyCallEvent(db(), started)).to.deep.equal({ kind: 'repeat' });
    expect(await applyCallEvent(db(), ended)).to.deep.equal({ kind: 'repeat' });
    // The same call reported again under new event ids.
    expect(await applyCallEvent(db(), { ...started, eventId: 'other-start' })).to.deep.equal({
      kind: 'repeat',
    });
    expect(await applyCallEvent(db(), { ...ended, eventId: 'other-end', durationSeconds: 5 })).to.deep.equal({
      kind: 'repeat',
    });
    expect({ comms: await communications(db()), tasks: await tasks(db()) }).to.deep.equal(before);
  });

  it('CALL_ENDED without its start still records the call and closes the task', async () => {
    const taskId = await dispatchedTask();
    expect(await applyCallEvent(db(), callEvent('CALL_ENDED', taskId, 'call-1'))).to.deep.equal({
      kind: 'task-done',
      communicationId: 1,
    });
    expect((await communications(db()))[0]).to.include({ started: false, ended: true });
    expect(await applyCallEvent(db(), callEvent('CALL_STARTED', taskId, 'call-1'))).to.deep.equal({
      kind: 'communication-started',
      communicationId: 1,
    });
    expect((await communications(db()))[0]).to.include({ started: true, ended: true });
  });

  it('a late CALL_ENDED of an earlier attempt does not close a re-dispatched task', async () => {
    const taskId = await dispatchedTask();
    await applyCallEvent(db(), callEvent('CALL_STARTED', taskId, 'call-1'));
    // The task is re-called before the first call's end arrives (attempt 2 now IN_PROGRESS).
    await db().raw(`UPDATE TM$CAMPAIGN_TASKS SET TASK_STATE = 'NEW' WHERE ID = ?`, [taskId]);
    await claimDueTasks(db(), { now: at(10), limit: 1, campaigns: rules() });
    const outcome = await applyCallEvent(db(), callEvent('CALL_ENDED', taskId, 'call-1'));
    expect(outcome).to.deep.equal({ kind: 'call-ended', communicationId: 1 });
    expect((await tasks(db())).map((t) => [t.state, t.attempt])).to.deep.equal([['IN_PROGRESS', 2]]);
  });

  it('a late CALL_ENDED without its start, naming an earlier attempt, does not close the re-dispatched task', async () => {
    const taskId = await dispatchedTask();
    // Attempt 1's call ended unreported; the task is re-called (attempt 2 IN_PROGRESS) before its events arrive.
    await db().raw(`UPDATE TM$CAMPAIGN_TASKS SET TASK_STATE = 'NEW' WHERE ID = ?`, [taskId]);
    await claimDueTasks(db(), { now: at(10), limit: 1, campaigns: rules() });
    expect(
      await applyCallEvent(db(), callEvent('CALL_ENDED', taskId, 'call-1', { attempt: 1 })),
    ).to.deep.equal({ kind: 'call-ended', communicationId: 1 });
    // A late start of another attempt-1 call records attempt 1 too, and its end (naming no attempt) leaves the task.
    await applyCallEvent(db(), callEvent('CALL_STARTED', taskId, 'call-1b', { attempt: 1 }));
    expect(await applyCallEvent(db(), callEvent('CALL_ENDED', taskId, 'call-1b'))).to.deep.equal({
      kind: 'call-ended',
      communicationId: 2,
    });
    expect((await communications(db())).map((c) => c.attempt)).to.deep.equal([1, 1]);
    expect((await tasks(db())).map((t) => [t.state, t.attempt])).to.deep.equal([['IN_PROGRESS', 2]]);
    // Attempt 2's own call closes it.
    const closing = await applyCallEvent(db(), callEvent('CALL_ENDED', taskId, 'call-2', { attempt: 2 }));
    expect(closing.kind).to.equal('task-done');
    expect((await communications(db())).map((c) => c.attempt)).to.deep.equal([1, 1, 2]);
  });

  it('leaves a CANCELED task cancelled when its call ends', async () => {
    const taskId = await dispatchedTask();
    await applyCallEvent(db(), callEvent('CALL_STARTED', taskId, 'call-1'));
    await ingestCandidates(db(), [candidate('2', '79001110001')], at(9, 30));
    expect(await applyCallEvent(db(), callEvent('CALL_ENDED', taskId, 'call-1'))).to.deep.equal({
      kind: 'call-ended',
      communicationId: 1,
    });
    expect((await tasks(db())).map((t) => t.state)).to.deep.equal(['CANCELED', 'NEW']);
  });

  it('reports an event for an unknown task and stores nothing', async () => {
    expect(await applyCallEvent(db(), callEvent('CALL_STARTED', 999, 'call-x'))).to.deep.equal({
      kind: 'unknown-task',
    });
    expect(await communications(db())).to.deep.equal([]);
  });

  it('applies an event for an unknown task when it is replayed after the task exists (its id is not kept)', async () => {
    // Task ids restart at 1 for each test: the event names the task the next dispatch creates.
    const started = callEvent('CALL_STARTED', 1, 'call-1');
    expect(await applyCallEvent(db(), started)).to.deep.equal({ kind: 'unknown-task' });
    const ended = callEvent('CALL_ENDED', 1, 'call-1');
    expect(await applyCallEvent(db(), ended)).to.deep.equal({ kind: 'unknown-task' });
    expect(await dispatchedTask()).to.equal(1);
    // Replayed from the dead-letter topic, with the same event ids.
    expect(await applyCallEvent(db(), started)).to.deep.equal({
      kind: 'communication-started',
      communicationId: 1,
    });
    expect(await applyCallEvent(db(), ended)).to.deep.equal({ kind: 'task-done', communicationId: 1 });
    expect((await tasks(db()))[0]?.state).to.equal('DONE');
  });
});
