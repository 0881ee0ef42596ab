import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import {
  type OperatorCredentials,
  type OperatorSession,
  type Telephony,
  type TelephonyCallEvent,
  TelephonyError,
  type TelephonyTask,
} from './telephony.js';

/** What the contract needs from a provider under test. */
export interface TelephonyContractSubject {
  readonly telephony: Telephony;
  /** Two operators the provider lets in, with their credentials. */
  readonly operators: readonly [TelephonyContractOperator, TelephonyContractOperator];
  /** Credentials the provider refuses. */
  readonly refusedCredentials: OperatorCredentials;
  /** A phone the provider may call in tests (a test number at a real provider). */
  readonly phone: string;
  /** Longest time from addTask to the call's ENDED event when an operator is READY. */
  readonly callWithinMs: number;
  /** Lets go of what the subject holds. */
  close(): Promise<void>;
}

export interface TelephonyContractOperator {
  readonly operatorId: number;
  readonly credentials: OperatorCredentials;
}

/** The rejection of `promise`, which must be a TelephonyError. */
export async function telephonyErrorOf(promise: Promise<unknown>): Promise<TelephonyError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TelephonyError) return error;
    throw error;
  }
  throw new Error('expected a TelephonyError');
}

/**
 * The behaviour every adapter of the {@link Telephony} port must show, whatever the provider: a mocha suite over
 * a subject made by `subject()` (once, before the suite). It needs a provider where the two operators are the only
 * ones taking this account's calls. The simulator's adapter runs it (http-telephony.test.ts); an adapter of a real
 * provider can run it against a sandbox account.
 */
export function describeTelephonyContract(
  name: string,
  subject: () => Promise<TelephonyContractSubject>,
): void {
  describe(`Telephony contract: ${name}`, function () {
    this.timeout(30_000);
    let s: TelephonyContractSubject;
    const sessions: OperatorSession[] = [];
    const cursors: Array<string | null> = [];
    let nextTask = 1;

    const task = (operatorId?: number): TelephonyTask => {
      const taskId = nextTask++;
      return {
        reference: `contract-${process.pid}-${Date.now()}-${taskId}`,
        taskId,
        attempt: 1,
        phone: s.phone,
        ...(operatorId === undefined ? {} : { operatorId }),
      };
    };

    /** Polls operator `i` until `done(events so far)`, from the cursor the test started at; returns the events. */
    async function eventsOf(
      i: number,
      done: (events: TelephonyCallEvent[]) => boolean,
    ): Promise<TelephonyCallEvent[]> {
      const events: TelephonyCallEvent[] = [];
      const deadline = Date.now() + s.callWithinMs;
      for (;;) {
        const page = await s.telephony.pollEvents(sessions[i] as OperatorSession, cursors[i] ?? null);
        events.push(...page.events);
        cursors[i] = page.cursor;
        if (done(events) || Date.now() > deadline) return events;
        await sleep(Math.min(50, s.callWithinMs / 20));
      }
    }

    /** Reads every event so far, so a test sees only its own. */
    async function drain(i: number): Promise<void> {
      for (let page = 0; page < 100; page++) {
        const answer = await s.telephony.pollEvents(sessions[i] as OperatorSession, cursors[i] ?? null);
        cursors[i] = answer.cursor;
        if (answer.events.length === 0) return;
      }
    }

    before(async () => {
      s = await subject();
    });

    beforeEach(async () => {
      for (const [i, operator] of s.operators.entries()) {
        sessions[i] = await s.telephony.authenticate(operator.operatorId, operator.credentials);
        await s.telephony.setStatus(sessions[i] as OperatorSession, 'BREAK');
        await drain(i);
      }
    });

    after(async () => {
      await s?.close();
    });

    it('refuses wrong credentials with AUTH', async () => {
      const [operator] = s.operators;
      const error = await telephonyErrorOf(
        s.telephony.authenticate(operator.operatorId, s.refusedCredentials),
      );
      expect(error.kind).to.equal('AUTH');
    });

    it('opens a session for the operator, with a token expiring in the future', async () => {
      const [operator] = s.operators;
      const session = await s.telephony.authenticate(operator.operatorId, operator.credentials);
      expect(session.operatorId).to.equal(operator.operatorId);
      expect(session.token).to.be.a('string').that.is.not.empty;
      expect(session.expiresAt).to.be.greaterThan(Date.now());
    });

    it('refuses a made-up token with AUTH', async () => {
      const forged = { ...(sessions[0] as OperatorSession), token: 'not-a-token' };
      expect((await telephonyErrorOf(s.telephony.pollEvents(forged, null))).kind).to.equal('AUTH');
      expect((await telephonyErrorOf(s.telephony.setStatus(forged, 'READY'))).kind).to.equal('AUTH');
    });

    it('gives each task its own id; a queued task is DELETED, then NOT_FOUND; an unknown one NOT_FOUND', async () => {
      const first = await s.telephony.addTask(task());
      const second = await s.telephony.addTask(task());
      expect(first.externalId).not.to.equal(second.externalId);
      expect(await s.telephony.deleteTask(first.externalId)).to.equal('DELETED');
      expect(await s.telephony.deleteTask(first.externalId)).to.equal('NOT_FOUND');
      expect(await s.telephony.deleteTask(second.externalId)).to.equal('DELETED');
      expect(await s.telephony.deleteTask(`${second.externalId}-unknown`)).to.equal('NOT_FOUND');
    });

    it('queues several tasks in one addTasks request: an id each, in order, each found by its reference', async () => {
      const added = [task(), task(), task()];
      const outcomes = await s.telephony.addTasks(added);
      const ids = outcomes.map((o) => ('externalId' in o ? o.externalId : o.refused.message));
      expect(new Set(ids).size).to.equal(3);
      for (const [i, t] of added.entries())
        expect(await s.telephony.findTask(t.reference)).to.deep.equal({ externalId: ids[i] });
      for (const id of ids) expect(await s.telephony.deleteTask(id)).to.equal('DELETED');
    });

    it('finds a task by its reference, also once deleted; a reference never added is not found', async () => {
      const added = task();
      const { externalId } = await s.telephony.addTask(added);
      expect(await s.telephony.findTask(added.reference)).to.deep.equal({ externalId });
      expect(await s.telephony.deleteTask(externalId)).to.equal('DELETED');
      expect(await s.telephony.findTask(added.reference)).to.deep.equal({ externalId });
      expect(await s.telephony.findTask(`${added.reference}-never-added`)).to.equal(undefined);
    });

    it('calls a queued task once an operator is READY: STARTED, then ENDED with outcome and talk time; the cursor does not repeat them', async () => {
      const { externalId } = await s.telephony.addTask(task());
      await s.telephony.setStatus(sessions[0] as OperatorSession, 'READY');
      const events = await eventsOf(0, (e) => e.some((x) => x.kind === 'ENDED'));
      expect(events.map((e) => e.kind)).to.deep.equal(['STARTED', 'ENDED']);
      const [started, ended] = events as [TelephonyCallEvent, TelephonyCallEvent];
      expect(started.externalTaskId).to.equal(externalId);
      expect(ended.callId).to.equal(started.callId);
      expect(ended.externalTaskId).to.equal(externalId);
      expect(ended.at).to.be.at.least(started.at);
      expect(ended.outcome).to.be.oneOf(['ANSWERED', 'NO_ANSWER', 'BUSY', 'FAILED']);
      expect(Number.isInteger(ended.durationSeconds)).to.equal(true);
      if (ended.outcome !== 'ANSWERED') expect(ended.durationSeconds).to.equal(0);
      const again = await s.telephony.pollEvents(sessions[0] as OperatorSession, cursors[0] ?? null);
      expect(again.events).to.deep.equal([]);
      expect(await s.telephony.deleteTask(externalId)).to.equal('ALREADY_CALLED');
    });

    it('gives a click-to-call task to its operator, not to another READY one', async () => {
      await s.telephony.setStatus(sessions[0] as OperatorSession, 'READY');
      await s.telephony.setStatus(sessions[1] as OperatorSession, 'READY');
      const [, second] = s.operators;
      const { externalId } = await s.telephony.addTask(task(second.operatorId));
      const theirs = await eventsOf(1, (e) => e.some((x) => x.kind === 'ENDED'));
      expect(theirs.map((e) => `${e.kind}:${e.externalTaskId}`)).to.deep.equal([
        `STARTED:${externalId}`,
        `ENDED:${externalId}`,
      ]);
      const mine = await s.telephony.pollEvents(sessions[0] as OperatorSession, cursors[0] ?? null);
      expect(mine.events).to.deep.equal([]);
    });

    it('lets a BREAK operator take no task', async () => {
      const { externalId } = await s.telephony.addTask(task());
      await sleep(Math.min(1000, s.callWithinMs / 10));
      const page = await s.telephony.pollEvents(sessions[0] as OperatorSession, cursors[0] ?? null);
      expect(page.events).to.deep.equal([]);
      expect(await s.telephony.deleteTask(externalId)).to.equal('DELETED');
    });
  });
}
