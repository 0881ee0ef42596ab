import { expect } from 'chai';
import {
  type ArmClient,
  ArmError,
  type Changes,
  type ClientCardResponse,
  type CommunicationListItem,
  type CommunicationResult,
} from './arm-api.js';
import { DRAFT_LEAD_MS, MESSAGES, OperatorDesk, type Timers } from './desk.js';

/** Timers that run only when the test moves the clock. */
class ManualTimers implements Timers {
  time = 1_700_000_000_000;
  #next = 1;
  readonly #due = new Map<number, { at: number; callback: () => void }>();

  now = () => this.time;
  setTimeout = (callback: () => void, ms: number) => {
    const id = this.#next++;
    this.#due.set(id, { at: this.time + ms, callback });
    return id;
  };
  clearTimeout = (handle: unknown) => {
    this.#due.delete(handle as number);
  };

  /** Moves the clock by `ms`, running every timer due on the way (and letting their promises settle). */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      const next = [...this.#due.entries()].sort((a, b) => a[1].at - b[1].at)[0];
      if (!next || next[1].at > end) break;
      this.#due.delete(next[0]);
      this.time = next[1].at;
      next[1].callback();
      await settle();
    }
    this.time = end;
    await settle();
  }

  /** Runs timers one at a time, the clock moving to each, until `done()` holds. */
  async runUntil(done: () => boolean): Promise<void> {
    while (!done()) {
      const next = [...this.#due.entries()].sort((a, b) => a[1].at - b[1].at)[0];
      if (!next) throw new Error('no timer left to run');
      this.#due.delete(next[0]);
      this.time = next[1].at;
      next[1].callback();
      await settle();
    }
  }
}

const settle = async () => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

function cardAnswer(
  id: number,
  resultDueInMs: number | null,
  result: CommunicationResult = {},
): ClientCardResponse {
  return {
    clientCard: {
      clientInfo: { phone: '+7 (***) ***-45-67' },
      currentCommunication: {
        time: '10.01.2024 13:00',
        id,
        callPhone: '+7 (***) ***-45-67',
        operator: { name: 'Анна', lastName: 'Иванова' },
        result,
      },
    },
    resultDueAt: resultDueInMs === null ? null : new Date(Date.now() + resultDueInMs).toISOString(),
    resultDueInMs,
  };
}

/** An ARM whose answers the test sets, recording every save. */
class FakeArm implements ArmClient {
  changes: Changes = { hasChanges: false, changes: [], pollIntervalMs: 500 };
  current: ClientCardResponse | undefined;
  list: CommunicationListItem[] = [];
  failNext: ArmError | undefined;
  readonly saves: { kind: 'DRAFT' | 'FIXED'; id: number; result: CommunicationResult }[] = [];
  readonly calls: string[] = [];

  #maybeFail(name: string) {
    this.calls.push(name);
    const error = this.failNext;
    this.failNext = undefined;
    if (error) throw error;
  }
  async hasChanges() {
    this.#maybeFail('hasChanges');
    const answer = this.changes;
    this.changes = { hasChanges: false, changes: [], pollIntervalMs: answer.pollIntervalMs ?? 500 };
    return answer;
  }
  async listCommunications() {
    this.#maybeFail('listCommunications');
    return this.list;
  }
  async getClientCard() {
    this.#maybeFail('getClientCard');
    return this.current;
  }
  async getClientCardByCommunicationId(id: number) {
    this.#maybeFail('getClientCardByCommunicationId');
    return cardAnswer(id, null, { result: 'CALL_BACK_LATER', comment: 'черновик' });
  }
  async saveCommunicationDraft(id: number, result: CommunicationResult) {
    this.#maybeFail('saveCommunicationDraft');
    this.saves.push({ kind: 'DRAFT', id, result });
  }
  async saveCommunicationResult(id: number, result: CommunicationResult) {
    this.#maybeFail('saveCommunicationResult');
    this.saves.push({ kind: 'FIXED', id, result });
  }
  async setStatus() {
    this.#maybeFail('setStatus');
  }
  async callClient() {
    this.#maybeFail('callClient');
  }
  async getDictionaries() {
    return { results: [{ dictionaryKey: 'AGREED', dictionaryValue: 'Все понятно' }], reasons: [] };
  }
  async logout() {
    this.calls.push('logout');
  }
}

describe('OperatorDesk (the operator page’s logic)', () => {
  let arm: FakeArm;
  let timers: ManualTimers;
  let desk: OperatorDesk;

  beforeEach(async () => {
    arm = new FakeArm();
    timers = new ManualTimers();
    desk = new OperatorDesk(arm, { timers });
    await desk.start();
  });
  afterEach(() => desk.stop());

  const polls = () => arm.calls.filter((c) => c === 'hasChanges').length;
  /** The ARM flags `change` with `answer` as the current card; resolves once the next poll has handled it. */
  const ring = async (answer: ClientCardResponse | undefined, change = 'CLIENT_CARD_READY') => {
    arm.current = answer;
    arm.changes = { hasChanges: true, changes: [change], pollIntervalMs: 500 };
    const before = polls();
    await timers.runUntil(() => polls() > before);
  };

  it('polls hasChanges at the interval the ARM names', async () => {
    arm.changes = { hasChanges: false, changes: [], pollIntervalMs: 2_000 };
    await timers.advance(1_000); // the first poll, at the default interval
    expect(polls()).to.equal(1);
    await timers.advance(1_999);
    expect(polls()).to.equal(1);
    await timers.advance(1);
    expect(polls()).to.equal(2);
  });

  it('opens the call’s card, starts the countdown when the call ends, and saves the result (fig. 51)', async () => {
    await ring(cardAnswer(7, null));
    expect(desk.state.card).to.include({ source: 'call', communicationId: 7, deadline: null });
    await ring(cardAnswer(7, 60_000), 'CALL_ENDED');
    expect(desk.state.card?.deadline).to.equal(timers.now() + 60_000 - DRAFT_LEAD_MS);

    desk.edit({ result: 'AGREED', comment: 'ок', reason: '' });
    await desk.save();
    expect(arm.saves).to.deep.equal([{ kind: 'FIXED', id: 7, result: { result: 'AGREED', comment: 'ок' } }]);
    expect(desk.state.card).to.equal(undefined);
    expect(desk.state.notice).to.include({ kind: 'saved', text: MESSAGES.saved });
    await timers.advance(120_000);
    expect(arm.saves).to.have.length(1); // no draft after the save
  });

  it('refuses to save without a result', async () => {
    await ring(cardAnswer(7, 60_000));
    desk.edit({ reason: 'NO_DOCUMENT' });
    await desk.save();
    expect(arm.saves).to.deep.equal([]);
    expect(desk.state.notice).to.include({ kind: 'error', text: MESSAGES.resultRequired });
  });

  it('saves what the form holds as a draft a second before the ARM’s deadline (fig. 52)', async () => {
    await ring(cardAnswer(7, 30_000));
    desk.edit({ reason: 'NO_DOCUMENT' });
    await timers.advance(30_000 - DRAFT_LEAD_MS - 1);
    expect(arm.saves).to.deep.equal([]);
    await timers.advance(1);
    expect(arm.saves).to.deep.equal([{ kind: 'DRAFT', id: 7, result: { reason: 'NO_DOCUMENT' } }]);
    expect(desk.state.card).to.equal(undefined);
    expect(desk.state.notice).to.include({ kind: 'not-saved', text: MESSAGES.notSaved });
  });

  it('counts down from the ARM’s remaining time, whatever the page’s clock says of resultDueAt', async () => {
    const answer = { ...cardAnswer(7, 45_000), resultDueAt: '2001-01-01T00:00:00.000Z' };
    await ring(answer);
    expect(desk.state.card?.deadline).to.equal(timers.now() + 45_000 - DRAFT_LEAD_MS);
  });

  it('drafts the previous client’s unsaved card when the next call’s card comes', async () => {
    await ring(cardAnswer(7, 60_000));
    desk.edit({ comment: 'не успел' });
    await ring(cardAnswer(8, null));
    expect(arm.saves).to.deep.equal([{ kind: 'DRAFT', id: 7, result: { comment: 'не успел' } }]);
    expect(desk.state.card).to.include({ communicationId: 8 });
    expect(desk.state.notice?.text).to.equal(MESSAGES.notSaved);
  });

  it('withdraws the card of a call nobody answered; after the window began, a vanished card was drafted', async () => {
    await ring(cardAnswer(7, null));
    await ring(undefined, 'CALL_ENDED');
    expect(desk.state.card).to.equal(undefined);
    expect(desk.state.notice?.text).to.equal(MESSAGES.unanswered);
    expect(arm.saves).to.deep.equal([]);

    await ring(cardAnswer(9, 60_000));
    await ring(undefined, 'CALL_ENDED');
    expect(arm.saves).to.deep.equal([{ kind: 'DRAFT', id: 9, result: {} }]);
    expect(desk.state.notice?.text).to.equal(MESSAGES.notSaved);
  });

  it('opens a rework card with its draft in the form, and saves it', async () => {
    await desk.openRework(5);
    expect(desk.state.card).to.include({ source: 'rework', communicationId: 5, deadline: null });
    expect(desk.state.card?.values).to.deep.equal({ result: 'CALL_BACK_LATER', comment: 'черновик' });
    desk.edit({ result: 'AGREED', comment: 'доработано' });
    await desk.save();
    expect(arm.saves).to.deep.equal([
      { kind: 'FIXED', id: 5, result: { result: 'AGREED', comment: 'доработано' } },
    ]);
    expect(desk.state.notice?.text).to.equal(MESSAGES.saved);
  });

  it('lets a call’s card replace a rework card, and keeps a rework card from replacing a call’s', async () => {
    await desk.openRework(5);
    await ring(cardAnswer(7, null));
    expect(desk.state.card).to.include({ source: 'call', communicationId: 7 });
    await desk.openRework(5);
    expect(desk.state.card).to.include({ source: 'call', communicationId: 7 });
  });

  it('reloads the rework list when the ARM says it changed', async () => {
    arm.list = [
      {
        time: '10.01.2024 13:00',
        id: 5,
        callPhone: '+7 (***) ***-45-67',
        operator: { name: 'Анна', lastName: 'Иванова' },
      },
    ];
    await ring(undefined, 'COMMUNICATIONS_CHANGED');
    expect(desk.state.list?.map((c) => c.id)).to.deep.equal([5]);
  });

  it('says how long to wait when a call-back is asked too soon', async () => {
    arm.failNext = new ArmError('/callClient', 429, 'TOO_MANY_REQUESTS', undefined, 7);
    await desk.callClient(5);
    expect(desk.state.notice?.text).to.equal('Следующий звонок можно заказать через 7 с');
    await desk.callClient(5);
    expect(desk.state.notice?.text).to.equal(MESSAGES.callOrdered);
  });

  it('goes offline and back while the ARM does not answer, and logs out when the token is refused', async () => {
    arm.failNext = new ArmError('/hasChanges', 0, 'NO_ANSWER', 'Failed to fetch', undefined);
    await timers.advance(1_000);
    expect(desk.state.online).to.equal(false);
    await timers.advance(1_000);
    expect(desk.state.online).to.equal(true);
    arm.failNext = new ArmError('/hasChanges', 401, 'ACCESS_DENIED', 'the token is not valid', undefined);
    await timers.advance(1_000);
    expect(desk.state.loggedOut).to.equal('expired');
    const polls = arm.calls.length;
    await timers.advance(10_000);
    expect(arm.calls.length).to.equal(polls); // stopped
  });

  it('drafts an open call’s card before logging out', async () => {
    await ring(cardAnswer(7, 60_000));
    desk.edit({ comment: 'ухожу' });
    await desk.logout();
    expect(arm.saves).to.deep.equal([{ kind: 'DRAFT', id: 7, result: { comment: 'ухожу' } }]);
    expect(arm.calls.at(-1)).to.equal('logout');
    expect(desk.state.loggedOut).to.equal('logout');
  });

  it('sets the ready/break status', async () => {
    await desk.setStatus('BREAK');
    expect(desk.state.status).to.equal('BREAK');
  });
});
