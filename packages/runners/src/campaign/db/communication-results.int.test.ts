import { expect } from 'chai';
import { applyCallEvent } from './call-events.js';
import { claimDueTasks } from './claim.js';
import { applyCommunicationResult } from './communication-results.js';
import { ingestCandidates } from './ingest.js';
import { at, callEvent, candidate, resultEvent, rules, tasks, useCampaignDb } from './test-support.js';

describe('applyCommunicationResult (PostgreSQL)', () => {
  const { db } = useCampaignDb();
  const campaigns = rules({ recallBlockMinutes: 90, attemptLimit: 2 });

  /** Dispatches the client's task and completes one call; returns the task and communication ids. */
  async function call(callId: string, now = at(9)): Promise<{ taskId: number; communicationId: number }> {
    const [claimed] = await claimDueTasks(db(), { now, limit: 1, campaigns });
    const taskId = claimed!.dialTask.taskId;
    const started = await applyCallEvent(db(), callEvent('CALL_STARTED', taskId, callId));
    await applyCallEvent(db(), callEvent('CALL_ENDED', taskId, callId));
    if (started.kind !== 'communication-started') throw new Error(`call not started: ${started.kind}`);
    return { taskId, communicationId: started.communicationId };
  }

  async function communication(id: number): Promise<{ state: string; details: Record<string, unknown> }> {
    const { rows } = await db().raw<{ rows: { state: string; result_details: Record<string, unknown> }[] }>(
      'SELECT STATE, RESULT_DETAILS FROM TM$COMMUNICATIONS WHERE ID = ?',
      [id],
    );
    return { state: rows[0]!.state, details: rows[0]!.result_details };
  }

  beforeEach(async () => {
    await ingestCandidates(db(), [candidate('1', '79001110001')], at(8));
  });

  it('stores a DRAFT, then the FIXED result over it; the task stays DONE', async () => {
    const { communicationId, taskId } = await call('call-1');
    const draft = resultEvent(communicationId, taskId, 'DRAFT', 'Заполнит позже');
    expect(await applyCommunicationResult(db(), draft, { now: at(10), campaigns })).to.deep.equal({
      kind: 'stored',
      state: 'DRAFT',
    });
    expect(await communication(communicationId)).to.deep.equal({
      state: 'DRAFT',
      details: {
        reason: null,
        result: 'Заполнит позже',
        comment: 'comment',
        savedAt: draft.savedAt,
        eventId: draft.eventId,
      },
    });
    const fixed = resultEvent(communicationId, taskId, 'FIXED', 'LOAN_ISSUED');
    expect(await applyCommunicationResult(db(), fixed, { now: at(10), campaigns })).to.deep.equal({
      kind: 'stored',
      state: 'FIXED',
    });
    expect((await communication(communicationId)).state).to.equal('FIXED');
    expect((await communication(communicationId)).details.result).to.equal('LOAN_ISSUED');
    expect((await tasks(db())).map((t) => t.state)).to.deep.equal(['DONE']);
  });

  it('stores a result whose comment carries a NUL character (which jsonb refuses), without it', async () => {
    const { communicationId, taskId } = await call('call-1');
    const fixed = {
      ...resultEvent(communicationId, taskId, 'FIXED', 'LOAN_ISSUED'),
      comment: 'ok\u0000 then',
    };
    expect(await applyCommunicationResult(db(), fixed, { now: at(10), campaigns })).to.deep.equal({
      kind: 'stored',
      state: 'FIXED',
    });
    expect((await communication(communicationId)).details.comment).to.equal('ok then');
  });

  it('a FIXED "call again" result makes the task NEW again after the block time, then it is dispatched again', async () => {
    const { communicationId, taskId } = await call('call-1');
    const outcome = await applyCommunicationResult(
      db(),
      resultEvent(communicationId, taskId, 'FIXED', 'NO_ANSWER'),
      {
        now: at(10),
        campaigns,
      },
    );
    expect(outcome).to.deep.equal({ kind: 'recall-scheduled', taskTime: at(11, 30), nextAttempt: 2 });
    expect((await tasks(db())).map((t) => [t.state, t.attempt, t.taskTime.toISOString()])).to.deep.equal([
      ['NEW', 1, at(11, 30).toISOString()],
    ]);
    // Blocked until 11:30.
    expect(await claimDueTasks(db(), { now: at(11, 29), limit: 1, campaigns })).to.deep.equal([]);
    const [again] = await claimDueTasks(db(), { now: at(11, 30), limit: 1, campaigns });
    expect(again?.dialTask).to.include({ dialTaskId: `ADD:${taskId}:2`, attempt: 2 });
  });

  it('at the attempt limit a "call again" result leaves the task DONE', async () => {
    const first = await call('call-1');
    await applyCommunicationResult(
      db(),
      resultEvent(first.communicationId, first.taskId, 'FIXED', 'NO_ANSWER'),
      {
        now: at(10),
        campaigns,
      },
    );
    const second = await call('call-2', at(12));
    const outcome = await applyCommunicationResult(
      db(),
      resultEvent(second.communicationId, second.taskId, 'FIXED', 'CALL_BACK_LATER'),
      { now: at(13), campaigns },
    );
    expect(outcome).to.deep.equal({ kind: 'attempt-limit-reached', attempts: 2 });
    expect((await tasks(db())).map((t) => [t.state, t.attempt])).to.deep.equal([['DONE', 2]]);
  });

  it('a "call again" result does not re-open a task whose client has a newer open task', async () => {
    const { communicationId, taskId } = await call('call-1');
    await ingestCandidates(db(), [candidate('2', '79001110001')], at(9, 30));
    const outcome = await applyCommunicationResult(
      db(),
      resultEvent(communicationId, taskId, 'FIXED', 'NO_ANSWER'),
      {
        now: at(10),
        campaigns,
      },
    );
    expect(outcome).to.deep.equal({ kind: 'superseded' });
    expect((await tasks(db())).map((t) => t.state)).to.deep.equal(['DONE', 'NEW']);
  });

  it('a result that overtakes its CALL_ENDED still re-calls, and the late CALL_ENDED leaves the task NEW', async () => {
    const [claimed] = await claimDueTasks(db(), { now: at(9), limit: 1, campaigns });
    const taskId = claimed!.dialTask.taskId;
    const started = await applyCallEvent(db(), callEvent('CALL_STARTED', taskId, 'call-1'));
    const communicationId = started.kind === 'communication-started' ? started.communicationId : -1;
    const outcome = await applyCommunicationResult(
      db(),
      resultEvent(communicationId, taskId, 'FIXED', 'NO_ANSWER'),
      {
        now: at(10),
        campaigns,
      },
    );
    expect(outcome.kind).to.equal('recall-scheduled');
    expect(await applyCallEvent(db(), callEvent('CALL_ENDED', taskId, 'call-1'))).to.deep.equal({
      kind: 'call-ended',
      communicationId,
    });
    expect((await tasks(db())).map((t) => t.state)).to.deep.equal(['NEW']);
  });

  it('changes nothing for a repeated result, nor for a draft after the FIXED one', async () => {
    const { communicationId, taskId } = await call('call-1');
    const fixed = resultEvent(communicationId, taskId, 'FIXED', 'NO_ANSWER');
    await applyCommunicationResult(db(), fixed, { now: at(10), campaigns });
    const before = { comm: await communication(communicationId), tasks: await tasks(db()) };
    expect(await applyCommunicationResult(db(), fixed, { now: at(11), campaigns })).to.deep.equal({
      kind: 'repeat',
    });
    const lateDraft = resultEvent(communicationId, taskId, 'DRAFT', 'changed my mind');
    expect(await applyCommunicationResult(db(), lateDraft, { now: at(11), campaigns })).to.deep.equal({
      kind: 'repeat',
    });
    expect({ comm: await communication(communicationId), tasks: await tasks(db()) }).to.deep.equal(before);
  });

  it('reports a result for an unknown communication', async () => {
    expect(
      await applyCommunicationResult(db(), resultEvent(42, 1, 'FIXED', 'NO_ANSWER'), {
        now: at(10),
        campaigns,
      }),
    ).to.deep.equal({ kind: 'unknown-communication' });
  });

  it('applies a result for an unknown communication when it is replayed after the call exists (its id is not kept)', async () => {
    // Ids restart at 1 for each test: the result names the communication the first call creates.
    const early = resultEvent(1, 1, 'FIXED', 'LOAN_ISSUED');
    expect(await applyCommunicationResult(db(), early, { now: at(10), campaigns })).to.deep.equal({
      kind: 'unknown-communication',
    });
    expect(await call('call-1')).to.deep.equal({ taskId: 1, communicationId: 1 });
    // Replayed from the dead-letter topic, with the same event id.
    expect(await applyCommunicationResult(db(), early, { now: at(10), campaigns })).to.deep.equal({
      kind: 'stored',
      state: 'FIXED',
    });
    expect((await communication(1)).details.eventId).to.equal(early.eventId);
  });
});
