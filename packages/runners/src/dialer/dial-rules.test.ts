import { expect } from 'chai';
import { TelephonyError } from '../telephony/telephony.js';
import {
  afterFailure,
  callEventId,
  callEventOf,
  deleteDecision,
  looksUpFirst,
  retryDelayMs,
} from './dial-rules.js';
import { addIdOf } from './tasks-db.js';

describe('dialer rules', () => {
  describe('deleteDecision (thesis 2.6.6.4)', () => {
    it('an ADD never stored, or done already, is deleted locally', () => {
      expect(deleteDecision(undefined)).to.equal('local');
      expect(deleteDecision({ id: 1, state: 'DONE', externalId: 'x', tries: 1 })).to.equal('local');
    });
    it('an ADD stored and never sent is cancelled unsent', () => {
      expect(deleteDecision({ id: 1, state: 'NEW', externalId: null, tries: 0 })).to.equal('cancel-unsent');
    });
    it('an ADD pending again after a send with no answer is looked up at the telephony first (ADR 0169)', () => {
      expect(deleteDecision({ id: 1, state: 'NEW', externalId: null, tries: 1 })).to.equal('look-up');
    });
    it('an ADD being sent makes the DELETE wait; one at the telephony is deleted there', () => {
      expect(deleteDecision({ id: 1, state: 'IN_PROGRESS', externalId: null, tries: 1 })).to.equal('wait');
      expect(deleteDecision({ id: 1, state: 'IN_PROGRESS', externalId: 'ext-1', tries: 1 })).to.equal(
        'delete-at-telephony',
      );
    });
    it('finds the ADD of a DELETE by id', () => {
      expect(addIdOf('DELETE:42:3')).to.equal('ADD:42:3');
    });
  });

  it('looks an ADD up before it is sent again, never before its first send', () => {
    expect(looksUpFirst(1)).to.equal(false);
    expect(looksUpFirst(2)).to.equal(true);
  });

  it('retries every failure but REJECTED', () => {
    expect(afterFailure(new TelephonyError('UNAVAILABLE', 'x'))).to.equal('retry');
    expect(afterFailure(new TelephonyError('AUTH', 'x'))).to.equal('retry');
    expect(afterFailure(new Error('socket hang up'))).to.equal('retry');
    expect(afterFailure(new TelephonyError('REJECTED', 'x', 400))).to.equal('close');
  });

  it('backs off exponentially with equal jitter, bounded by max-delay-ms', () => {
    const settings = { initialDelayMs: 500, maxDelayMs: 4000 };
    const top = (tries: number) => retryDelayMs(tries, settings, () => 0.999_999);
    const bottom = (tries: number) => retryDelayMs(tries, settings, () => 0);
    expect([1, 2, 3, 4, 5, 30].map((t) => Math.round(top(t)))).to.deep.equal([
      500, 1000, 2000, 4000, 4000, 4000,
    ]);
    expect([1, 2, 3].map(bottom)).to.deep.equal([250, 500, 1000]);
  });

  it('gives a call event the same id on every poll (a replay is dropped downstream)', () => {
    const started = { callId: 'c1', externalTaskId: 'e1', kind: 'STARTED' as const, at: 1000 };
    const task = { taskId: 7, attempt: 2, phone: '79001234567' };
    expect(callEventOf(started, 11, task)).to.deep.equal({
      eventId: callEventId('c1', 'STARTED'),
      type: 'CALL_STARTED',
      taskId: 7,
      operatorId: 11,
      callId: 'c1',
      phone: '79001234567',
      durationSeconds: null,
      occurredAt: 1000,
      attempt: 2,
      outcome: null,
    });
    const ended = callEventOf(
      { ...started, kind: 'ENDED', durationSeconds: 61, outcome: 'NO_ANSWER', at: 2000 },
      11,
      task,
    );
    expect(ended).to.include({
      type: 'CALL_ENDED',
      durationSeconds: 61,
      outcome: 'NO_ANSWER',
      eventId: 'call:c1:ENDED',
    });
    expect(callEventId('c1', 'STARTED')).to.not.equal(callEventId('c1', 'ENDED'));
  });
});
