import { StateStores } from '@tm/pipeline-core';
import { expect } from 'chai';
import { KpiFacts, type TableEntry } from './kpi-facts.js';
import { addCounters, type Counters, type KpiFact } from './kpi-keys.js';
import { kpiEvents as e } from './kpi-sample-events.js';

const T = Date.parse('2024-03-01T08:00:00Z'); // 11:00 in Moscow
const sec = (s: number) => T + s * 1000;
let wallClock = 0;
const options = {
  conversionResults: ['AGREED'],
  resultLimitMs: 60_000,
  utcOffsetMs: 3 * 3_600_000,
  ttlMs: 86_400_000,
  joinWaitMs: 600_000,
  clock: () => wallClock,
};

function setup() {
  const state = StateStores.inMemory({ tables: {} });
  const facts = new KpiFacts(state.store<TableEntry>('tables'), options);
  const totals = new Map<string, Counters>();
  const add = (list: KpiFact[]) => {
    for (const f of list) totals.set(f.key, addCounters(totals.get(f.key) ?? {}, f.counters));
    return list;
  };
  return { state, facts, totals, add };
}

describe('KpiFacts', () => {
  it('follows a task from candidate to saved result: task states, calls, handle time, the 60-second rule, conversion', () => {
    const { facts, totals, add } = setup();
    const key = 'c=1|s=MOBILE_LOANS';
    add(facts.candidate(e.candidate(1, sec(0))));
    expect(facts.gauges().tasks.get(key)).to.deep.equal({ waiting: 1, queued: 0, calling: 0 });
    add(facts.dialTask(e.dial(1, 501, sec(1))));
    expect(facts.gauges().tasks.get(key)).to.deep.equal({ waiting: 0, queued: 1, calling: 0 });
    add(facts.callEvent(e.callStarted(1, 501, 7, sec(2))));
    expect(facts.gauges().tasks.get(key)).to.deep.equal({ waiting: 0, queued: 0, calling: 1 });
    add(facts.callEvent(e.callEnded(1, 501, 7, sec(92), { talkSeconds: 90 })));
    expect(facts.gauges().tasks.get(key)).to.deep.equal({ waiting: 0, queued: 0, calling: 0 });
    add(facts.result(e.result(1, 9001, 501, 7, sec(92 + 40), 'FIXED', 'AGREED')));

    expect(totals.get(key)).to.deep.equal({
      candidates: 1,
      dispatches: 1,
      'calls.started': 1,
      'calls.ended': 1,
      'calls.ANSWERED': 1,
      talkSeconds: 90,
      wrapups: 1,
      handleSeconds: 130, // 90 s of talk + 40 s from the call's end to the save
      savedInTime: 1,
      'results.FIXED': 1,
      'result.AGREED': 1,
      conversions: 1,
    });
    expect(totals.get('o=7')).to.deep.equal({
      'calls.started': 1,
      'calls.ended': 1,
      'calls.ANSWERED': 1,
      talkSeconds: 90,
      wrapups: 1,
      handleSeconds: 130,
      savedInTime: 1,
      'results.FIXED': 1,
      conversions: 1,
    });
  });

  it('counts a result saved after the limit as handled but not in time, and an unanswered call without talk time', () => {
    const { facts, totals, add } = setup();
    add(facts.candidate(e.candidate(1, sec(0))));
    add(facts.dialTask(e.dial(1, 501, sec(1))));
    add(facts.callEvent(e.callEnded(1, 501, 7, sec(30), { talkSeconds: 20 })));
    add(facts.result(e.result(1, 9001, 501, 7, sec(30 + 61), 'FIXED', 'NOT_INTERESTED')));
    add(facts.candidate(e.candidate(2, sec(100))));
    add(facts.dialTask(e.dial(2, 502, sec(101))));
    add(facts.callEvent(e.callEnded(2, 502, 7, sec(130), { outcome: 'BUSY' })));
    const c = totals.get('c=1|s=MOBILE_LOANS') as Counters;
    expect(c.savedInTime).to.equal(undefined);
    expect(c.wrapups).to.equal(1);
    expect(c.handleSeconds).to.equal(81);
    expect(c['calls.BUSY']).to.equal(1);
    expect(c.talkSeconds).to.equal(20);
    expect(c.conversions).to.equal(undefined);
  });

  it('counts a waiting task replaced by a newer candidate, and a dispatched one cancelled by its DELETE', () => {
    const { facts, totals, add } = setup();
    const key = 'c=1|s=MOBILE_LOANS';
    add(facts.candidate(e.candidate(1, sec(0))));
    add(facts.candidate(e.candidate(1, sec(5)))); // the same client again: the first task is cancelled
    expect(facts.gauges().tasks.get(key)).to.deep.equal({ waiting: 1, queued: 0, calling: 0 });
    add(facts.dialTask(e.dial(1, 501, sec(6))));
    add(facts.candidate(e.candidate(1, sec(7)))); // replaces the dispatched task: the engine sends its DELETE
    add(facts.dialTask(e.dial(1, 501, sec(8), { action: 'DELETE' })));
    expect(facts.gauges().tasks.get(key)).to.deep.equal({ waiting: 1, queued: 0, calling: 0 });
    expect(totals.get(key)).to.deep.include({
      candidates: 3,
      'tasks.replaced': 1,
      dispatches: 1,
      cancels: 1,
    });
  });

  it('keeps the task of the newest application when an older one arrives later (ADR 0130)', () => {
    const { facts, totals, add } = setup();
    const key = 'c=1|s=MOBILE_LOANS';
    const newer = e.candidate(1, sec(10));
    const older = e.candidate(1, sec(20));
    add(facts.candidate({ ...newer, application: { ...newer.application, changedAt: sec(5) } }));
    add(facts.dialTask(e.dial(1, 501, sec(11))));
    add(facts.candidate({ ...older, application: { ...older.application, changedAt: sec(1) } }));
    expect(facts.gauges().tasks.get(key)).to.deep.equal({ waiting: 0, queued: 1, calling: 0 });
    expect(totals.get(key)).to.deep.include({ candidates: 2, 'tasks.outdated': 1, dispatches: 1 });
    expect(totals.get(key)?.['tasks.replaced']).to.equal(undefined);
  });

  it('counts repeat contacts per client and Moscow day', () => {
    const { facts, totals, add } = setup();
    const evening = Date.parse('2024-03-01T20:30:00Z'); // 23:30 in Moscow
    for (const [n, task] of [
      [1, 501],
      [1, 502],
      [1, 503],
      [2, 504],
    ] as const) {
      add(facts.candidate(e.candidate(n, evening - 60_000)));
      add(facts.dialTask(e.dial(n, task, evening - 60_000)));
    }
    add(facts.callEvent(e.callStarted(1, 501, 7, evening)));
    add(facts.callEvent(e.callStarted(1, 502, 7, evening + 10 * 60_000))); // 23:40: a repeat
    add(facts.callEvent(e.callStarted(1, 503, 7, evening + 40 * 60_000))); // 00:10 the next day: a first contact
    add(facts.callEvent(e.callStarted(2, 504, 7, evening + 41 * 60_000)));
    expect(totals.get('c=1|s=MOBILE_LOANS')).to.deep.include({ 'calls.started': 4, repeatContacts: 1 });
  });

  it('keeps drafts waiting for rework with their age, until FIXED; a save after FIXED changes nothing', () => {
    const { facts, totals, add } = setup();
    add(facts.candidate(e.candidate(1, sec(0))));
    add(facts.dialTask(e.dial(1, 501, sec(1))));
    add(facts.callEvent(e.callEnded(1, 501, 7, sec(10), { talkSeconds: 5 })));
    add(facts.result(e.result(1, 9001, 501, 7, sec(70), 'DRAFT', null))); // the 60 s ran out
    add(facts.result(e.result(1, 9001, 501, 7, sec(75), 'DRAFT', null)));
    expect(facts.gauges().drafts.get('c=1|s=MOBILE_LOANS')).to.deep.equal({ count: 1, oldestAt: sec(70) });
    add(facts.result(e.result(1, 9001, 501, 7, sec(500), 'FIXED', 'AGREED'))); // reworked
    expect(facts.gauges().drafts.size).to.equal(0);
    expect(add(facts.result(e.result(1, 9001, 501, 7, sec(600), 'DRAFT', null)))).to.deep.equal([]);
    expect(totals.get('c=1|s=MOBILE_LOANS')).to.deep.include({
      'results.DRAFT': 1,
      'results.FIXED': 1,
      reworked: 1,
      wrapups: 1,
      handleSeconds: 65,
    });
    expect(totals.get('c=1|s=MOBILE_LOANS')?.savedInTime).to.equal(undefined);
  });

  it('counts operators logged in, ready and on a break, ignoring events older than the last one', () => {
    const { facts, add } = setup();
    add(facts.session(e.session(1, 'OPEN', sec(0))));
    add(facts.session(e.session(2, 'OPEN', sec(1))));
    add(facts.session(e.session(3, 'OPEN', sec(2))));
    add(facts.session(e.session(2, 'BREAK', sec(10))));
    add(facts.session(e.session(3, 'CLOSE', sec(20))));
    expect(add(facts.session(e.session(3, 'READY', sec(15))))).to.deep.equal([]); // older than the CLOSE
    expect(facts.gauges().operators).to.deep.equal({ loggedIn: 2, ready: 1, onBreak: 1 });
  });

  it('counts events read before what they join with once it is read, at their own time; or unjoined after the wait', () => {
    const { facts, totals, add } = setup();
    const perKey = (list: KpiFact[]) => list.map((f) => `${f.key}@${f.at - T}`);
    // the call-event and result topics were read ahead of the candidates and dial tasks
    expect(add(facts.callEvent(e.callStarted(1, 501, 7, sec(10))))).to.deep.equal([]);
    expect(add(facts.callEvent(e.callEnded(1, 501, 7, sec(70), { talkSeconds: 60 })))).to.deep.equal([]);
    expect(add(facts.result(e.result(1, 9001, 501, 7, sec(100), 'FIXED', 'AGREED')))).to.deep.equal([]);
    expect(add(facts.dialTask(e.dial(1, 501, sec(5))))).to.deep.equal([]); // waits for its candidate
    expect(facts.waiting).to.equal(2);
    expect(perKey(add(facts.candidate(e.candidate(1, sec(0)))))).to.deep.equal([
      'c=1|s=MOBILE_LOANS@0',
      'c=1|s=MOBILE_LOANS@5000',
      'c=1|s=MOBILE_LOANS@10000',
      'o=7@10000',
      'c=1|s=MOBILE_LOANS@70000',
      'o=7@70000',
      'c=1|s=MOBILE_LOANS@100000',
      'o=7@100000',
    ]);
    expect(facts.waiting).to.equal(0);
    expect(totals.get('c=1|s=MOBILE_LOANS')).to.deep.include({
      wrapups: 1,
      handleSeconds: 90,
      savedInTime: 1,
      conversions: 1,
    });
    // a call of a task this stage never sees: counted under campaign ? once it waited long enough
    add(facts.callEvent(e.callStarted(2, 777, 8, sec(200))));
    wallClock += 599_000;
    expect(add(facts.application(e.application(3, sec(300))))).to.have.length(1);
    wallClock += 2_000;
    expect(perKey(add(facts.application(e.application(4, sec(301)))))).to.deep.equal([
      'c=*|s=MOBILE_LOANS@301000',
      'c=?|s=?@200000',
      'o=8@200000',
    ]);
  });

  it('derives the same gauges from restored tables', () => {
    const { state, facts, add } = setup();
    add(facts.candidate(e.candidate(1, sec(0))));
    add(facts.candidate(e.candidate(2, sec(0))));
    add(facts.dialTask(e.dial(2, 502, sec(1))));
    add(facts.callEvent(e.callEnded(2, 502, 7, sec(10), { talkSeconds: 5 })));
    add(facts.result(e.result(2, 9002, 502, 7, sec(70), 'DRAFT', null)));
    add(facts.session(e.session(1, 'BREAK', sec(2))));
    state.flush();
    const restored = StateStores.inMemory({ tables: {} }, state.snapshot());
    const again = new KpiFacts(restored.store<TableEntry>('tables'), options);
    expect(again.gauges()).to.deep.equal(facts.gauges());
  });

  it('forgets stale entries: contacts of past days, ends of calls nobody saved, anything past the TTL', () => {
    const { facts, add } = setup();
    add(facts.candidate(e.candidate(1, sec(0))));
    add(facts.dialTask(e.dial(1, 501, sec(0))));
    add(facts.callEvent(e.callStarted(1, 501, 7, sec(1))));
    add(facts.callEvent(e.callEnded(1, 501, 7, sec(2), { talkSeconds: 1 })));
    add(facts.candidate(e.candidate(2, sec(3)))); // a task that never gets dispatched
    expect(facts.prune(sec(60))).to.equal(0);
    expect(facts.prune(sec(2 + 3601))).to.equal(1); // the call's end: nobody saved a result within the hour
    expect(facts.prune(Date.parse('2024-03-01T21:00:00Z'))).to.equal(1); // the phone's contacts: a new Moscow day
    expect(facts.prune(sec(86_402))).to.equal(1); // the dispatched task's campaign, a day without news
    expect(facts.prune(sec(86_404))).to.equal(1); // the waiting task, a day without news
    expect(facts.gauges().tasks.get('c=1|s=MOBILE_LOANS')).to.deep.equal({
      waiting: 0,
      queued: 0,
      calling: 0,
    });
  });
});
