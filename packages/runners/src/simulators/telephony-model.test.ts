import { SimulatorsSchema } from '@tm/contracts';
import { expect } from 'chai';
import { seededUnit as seededUnitOf } from './seeded.js';
import {
  type SimulatedCallEvent,
  simulatedCallFor,
  TelephonyModel,
  type TelephonyModelSettings,
  TelephonyRefusal,
  telephonySecretsFromEnv,
} from './telephony-model.js';
import { telephonyModelSettings } from './telephony-simulator.js';

const KEY = 'account-key';
const SECRET = 'operator-secret';

/** Settings from the config schema (so its defaults are what is tested), with round numbers for the arithmetic. */
function settings(overrides: Partial<TelephonyModelSettings> = {}): TelephonyModelSettings {
  const config = SimulatorsSchema.parse({
    telephony: {
      'time-scale': 10,
      'ring-ms': 100,
      'unanswered-seconds': 20,
      'token-lifetime-ms': 60_000,
      'session-idle-ms': 30_000,
    },
  });
  return {
    ...telephonyModelSettings('seed-1', config.telephony, { apiKey: KEY, operatorSecret: SECRET }),
    ...overrides,
  };
}

/** A model on a clock the test moves. */
function modelAt(start = 1_000_000, overrides: Partial<TelephonyModelSettings> = {}) {
  const clock = { now: start };
  const model = new TelephonyModel(settings(overrides), () => clock.now);
  return {
    model,
    clock,
    /** Moves the clock by `ms`. */
    tick(ms: number) {
      clock.now += ms;
    },
    login(operatorId: number) {
      return model.authenticate(KEY, operatorId, `op${operatorId}`, SECRET).token;
    },
    ready(operatorId: number) {
      const token = model.authenticate(KEY, operatorId, `op${operatorId}`, SECRET).token;
      model.setStatus(token, operatorId, 'READY');
      return token;
    },
    add(reference: string, operatorId?: number) {
      return model.addTask(KEY, {
        reference,
        taskId: 1,
        attempt: 1,
        phone: '79130000001',
        ...(operatorId === undefined ? {} : { operatorId }),
      });
    },
  };
}

function refusal(call: () => unknown): TelephonyRefusal {
  try {
    call();
  } catch (error) {
    if (error instanceof TelephonyRefusal) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

/** References whose simulated call is answered (or not), by the seed's rule. */
function references(answered: boolean, count: number, s = settings()): string[] {
  const found: string[] = [];
  for (let i = 0; found.length < count; i++) {
    const reference = `ADD:${i}:1`;
    if ((simulatedCallFor(s, reference).outcome === 'ANSWERED') === answered) found.push(reference);
  }
  return found;
}

/** Tokens and sessions that outlive a test's clock jumps. */
const LONG_SESSIONS = { tokenLifetimeMs: 1e9, sessionIdleMs: 1e9 };

const kinds = (events: readonly SimulatedCallEvent[]) => events.map((e) => `${e.kind}:${e.externalTaskId}`);

describe('telephony model', () => {
  describe('authentication', () => {
    it('lets an operator in with the account key and the operator secret; the token expires after its lifetime', () => {
      const t = modelAt();
      const { token, expiresAt, expiresInMs } = t.model.authenticate(KEY, 7, 'op7', SECRET);
      expect(token).to.have.length.at.least(32);
      expect(expiresAt).to.equal(t.clock.now + 60_000);
      expect(expiresInMs).to.equal(60_000);
      expect(refusal(() => t.model.authenticate('wrong', 7, 'op7', SECRET)).status).to.equal(401);
      expect(refusal(() => t.model.authenticate(KEY, 7, 'op7', 'wrong')).status).to.equal(401);
      expect(refusal(() => t.model.authenticate(KEY, 7, '', SECRET)).status).to.equal(401);
    });

    it('refuses an expired token with 401, while a fresh one works on the same open session', () => {
      const t = modelAt();
      const old = t.ready(7);
      for (let i = 0; i < 3; i++) {
        t.tick(20_000); // within the idle limit each time, past the token's lifetime in all
        t.model.events(i < 2 ? old : t.login(7), 7, null, 10);
      }
      expect(refusal(() => t.model.events(old, 7, null, 10)).status).to.equal(401);
      const fresh = t.login(7);
      t.add('ADD:1:1');
      // Still READY: a new token joins the open session.
      expect(t.model.stats()).to.include({ callsMade: 1, queued: 0 });
      expect(() => t.model.setStatus(fresh, 7, 'BREAK')).not.to.throw();
    });

    it("refuses another operator's token with 403", () => {
      const t = modelAt();
      const token = t.login(7);
      const error = refusal(() => t.model.setStatus(token, 8, 'READY'));
      expect([error.status, error.code]).to.deep.equal([403, 'FORBIDDEN']);
    });

    it('closes a session after session-idle-ms without requests (401), and the operator takes no more calls', () => {
      const t = modelAt();
      const token = t.ready(7);
      t.tick(29_999);
      t.model.events(token, 7, null, 10); // a request keeps it open
      t.tick(30_000);
      const error = refusal(() => t.model.events(token, 7, null, 10));
      expect([error.status, error.message]).to.deep.equal([401, 'session closed']);
      t.add('ADD:1:1');
      expect(t.model.stats()).to.include({ queued: 1, callsMade: 0, openSessions: 0 });
    });

    it('opens a new session in BREAK after the old one closed', () => {
      const t = modelAt();
      t.ready(7);
      t.tick(30_000);
      const token = t.login(7);
      t.add('ADD:1:1');
      expect(t.model.stats()).to.include({ queued: 1, callsMade: 0, openSessions: 1 });
      t.model.setStatus(token, 7, 'READY');
      expect(t.model.stats()).to.include({ queued: 0, callsMade: 1 });
    });

    it('stops a waiting operator from taking a task added after the session closed by itself', () => {
      const t = modelAt();
      t.ready(7);
      t.tick(30_001);
      t.add('ADD:1:1');
      expect(t.model.stats()).to.include({ queued: 1, callsMade: 0 });
    });
  });

  describe('calls', () => {
    it('starts an operator in BREAK: queued tasks wait until READY', () => {
      const t = modelAt();
      const token = t.login(7);
      t.add('ADD:1:1');
      t.tick(5000);
      expect(t.model.stats()).to.include({ queued: 1, callsMade: 0 });
      t.model.setStatus(token, 7, 'READY');
      expect(t.model.stats()).to.include({ queued: 0, callsMade: 1, callsInProgress: 1 });
    });

    it('rings ring-ms, emits STARTED, talks the drawn time scaled, emits ENDED with the outcome and talk seconds', () => {
      const t = modelAt();
      const token = t.ready(7);
      const [reference] = references(true, 1) as [string];
      const expected = simulatedCallFor(settings(), reference);
      const added = t.clock.now;
      const externalId = t.add(reference);
      t.tick(99);
      expect(t.model.events(token, 7, null, 10).events).to.deep.equal([]);
      t.tick(1);
      const [started] = t.model.events(token, 7, null, 10).events;
      expect(started).to.deep.include({ kind: 'STARTED', externalTaskId: externalId, at: added + 100 });
      const talkMs = (expected.talkSeconds * 1000) / 10;
      t.tick(talkMs);
      const { events } = t.model.events(token, 7, null, 10);
      expect(events).to.have.length(2);
      expect(events[1]).to.deep.equal({
        callId: started?.callId,
        externalTaskId: externalId,
        kind: 'ENDED',
        at: added + 100 + talkMs,
        durationSeconds: expected.talkSeconds,
        outcome: 'ANSWERED',
      });
    });

    it('lets an unanswered call ring unanswered-seconds (scaled), with duration 0, after a STARTED like any call', () => {
      const t = modelAt();
      const token = t.ready(7);
      const [reference] = references(false, 1) as [string];
      t.add(reference);
      t.tick(100 + 2000); // ring + 20 s / 10
      const { events } = t.model.events(token, 7, null, 10);
      expect(events.map((e) => e.kind)).to.deep.equal(['STARTED', 'ENDED']);
      expect(events[1]?.durationSeconds).to.equal(0);
      expect(events[1]?.outcome).to.equal(simulatedCallFor(settings(), reference).outcome);
      expect(events[1]?.outcome).not.to.equal('ANSWERED');
    });

    it('gives an operator one call at a time, the queue in order of arrival', () => {
      const t = modelAt();
      const token = t.ready(7);
      const refs = references(false, 3);
      const ids = refs.map((r) => t.add(r));
      expect(t.model.stats()).to.include({ queued: 2, callsInProgress: 1 });
      t.tick(3 * 2100);
      const { events } = t.model.events(token, 7, null, 10);
      expect(kinds(events)).to.deep.equal(ids.flatMap((id) => [`STARTED:${id}`, `ENDED:${id}`]));
      // The next call rings as the previous one ends.
      expect(events[2]?.at).to.equal((events[1]?.at ?? 0) + 100);
      expect(t.model.stats()).to.include({ queued: 0, callsMade: 3, callsEnded: 3, callsInProgress: 0 });
    });

    it('rests wrap-up-seconds after a call before taking the next', () => {
      const t = modelAt(0, { wrapUpSeconds: 5 });
      const token = t.ready(7);
      for (const r of references(false, 2)) t.add(r);
      t.tick(10_000);
      const { events } = t.model.events(token, 7, null, 10);
      expect(events[2]?.at).to.equal((events[1]?.at ?? 0) + 500 + 100);
    });

    it('hands queued tasks to free operators, the one free longest first', () => {
      const t = modelAt();
      const a = t.ready(1);
      t.tick(10);
      const b = t.ready(2);
      t.tick(10);
      const [first, second] = references(false, 2).map((r) => t.add(r));
      t.tick(100);
      expect(kinds(t.model.events(a, 1, null, 10).events)).to.deep.equal([`STARTED:${first}`]);
      expect(kinds(t.model.events(b, 2, null, 10).events)).to.deep.equal([`STARTED:${second}`]);
    });

    it('routes a click-to-call task to its operator only, ahead of the shared queue', () => {
      const t = modelAt();
      const mine = t.ready(1);
      const other = t.ready(2);
      const [q1, q2, q3, direct] = references(false, 4);
      const busyA = t.add(q1 as string); // operator 1 (free longest) takes it
      const busyB = t.add(q2 as string); // operator 2
      const queued = t.add(q3 as string);
      const clickToCall = t.add(direct as string, 1);
      t.tick(2100 + 100); // both calls end; operator 1 takes its own task, operator 2 the queued one
      expect(kinds(t.model.events(mine, 1, null, 10).events)).to.deep.equal([
        `STARTED:${busyA}`,
        `ENDED:${busyA}`,
        `STARTED:${clickToCall}`,
      ]);
      expect(kinds(t.model.events(other, 2, null, 10).events)).to.deep.equal([
        `STARTED:${busyB}`,
        `ENDED:${busyB}`,
        `STARTED:${queued}`,
      ]);
    });

    it('keeps a click-to-call task for its operator while they are on BREAK; nobody else takes it', () => {
      const t = modelAt();
      const mine = t.login(1);
      t.ready(2);
      t.add('ADD:9:1', 1);
      t.tick(5000);
      expect(t.model.stats()).to.include({ queued: 1, callsMade: 0 });
      t.model.setStatus(mine, 1, 'READY');
      expect(t.model.stats()).to.include({ queued: 0, callsMade: 1 });
    });

    it('lets BREAK end no call: the call under way finishes, the next waits', () => {
      const t = modelAt();
      const token = t.ready(7);
      const [one, two] = references(false, 2).map((r) => t.add(r));
      t.tick(50);
      t.model.setStatus(token, 7, 'BREAK');
      t.tick(10_000);
      expect(kinds(t.model.events(token, 7, null, 10).events)).to.deep.equal([
        `STARTED:${one}`,
        `ENDED:${one}`,
      ]);
      expect(t.model.stats()).to.include({ queued: 1 });
      t.model.setStatus(token, 7, 'READY');
      t.tick(100);
      expect(kinds(t.model.events(token, 7, null, 10).events).at(-1)).to.equal(`STARTED:${two}`);
    });
  });

  describe('draws', () => {
    it('fixes outcome and talk time by seed and reference, in the weights given, talk time within [min, max]', () => {
      const s = settings();
      const counts = { ANSWERED: 0, NO_ANSWER: 0, BUSY: 0, FAILED: 0 };
      const talk: number[] = [];
      for (let i = 0; i < 4000; i++) {
        const call = simulatedCallFor(s, `ADD:${i}:1`);
        expect(simulatedCallFor(s, `ADD:${i}:1`)).to.deep.equal(call);
        counts[call.outcome] += 1;
        if (call.outcome === 'ANSWERED') talk.push(call.talkSeconds);
        else expect(call.talkSeconds).to.equal(0);
      }
      expect(counts.ANSWERED / 4000).to.be.within(0.57, 0.63);
      expect(counts.NO_ANSWER / 4000).to.be.within(0.22, 0.28);
      expect(counts.BUSY / 4000).to.be.within(0.08, 0.12);
      expect(counts.FAILED / 4000).to.be.within(0.035, 0.065);
      talk.sort((x, y) => x - y);
      expect(talk[Math.floor(talk.length / 2)]).to.be.within(85, 95); // median 90
      expect(Math.min(...talk)).to.be.at.least(5);
      expect(Math.max(...talk)).to.be.at.most(900);
      const other = simulatedCallFor({ ...s, seed: 'another' }, 'ADD:1:1');
      const differs = Array.from({ length: 50 }, (_, i) => `ADD:${i}:1`).some(
        (r) =>
          JSON.stringify(simulatedCallFor({ ...s, seed: 'another' }, r)) !==
          JSON.stringify(simulatedCallFor(s, r)),
      );
      expect(other).to.have.property('outcome');
      expect(differs).to.equal(true);
    });

    it('answers every call when only ANSWERED has weight, and lasts exactly the median with no spread', () => {
      const s = settings({
        outcomes: { ANSWERED: 1, NO_ANSWER: 0, BUSY: 0, FAILED: 0 },
        talkSeconds: { median: 30, spread: 0, min: 1, max: 60 },
      });
      for (let i = 0; i < 50; i++)
        expect(simulatedCallFor(s, `r${i}`)).to.deep.equal({ outcome: 'ANSWERED', talkSeconds: 30 });
    });

    it('plays the same operations at the same times into the same events, whatever the run', () => {
      const run = () => {
        const t = modelAt(0, LONG_SESSIONS);
        const a = t.ready(1);
        const b = t.ready(2);
        for (let i = 0; i < 20; i++) t.add(`ADD:${i}:1`);
        t.tick(600_000);
        const strip = (events: SimulatedCallEvent[]) =>
          events.map(({ kind, at, durationSeconds, outcome }) => ({ kind, at, durationSeconds, outcome }));
        return [strip(t.model.events(a, 1, null, 100).events), strip(t.model.events(b, 2, null, 100).events)];
      };
      const first = run();
      expect(first[0]?.length).to.be.greaterThan(0);
      expect(run()).to.deep.equal(first);
    });

    it('makes a call last time-scale times shorter in real time', () => {
      const reference = references(true, 1)[0] as string;
      const { talkSeconds } = simulatedCallFor(settings(), reference);
      for (const timeScale of [1, 60]) {
        const t = modelAt(0, { ...LONG_SESSIONS, timeScale, ringMs: 0 });
        const token = t.ready(1);
        t.add(reference);
        t.tick(talkSeconds * 1000);
        const [started, ended] = t.model.events(token, 1, null, 10).events;
        expect((ended?.at ?? 0) - (started?.at ?? 0)).to.equal((talkSeconds * 1000) / timeScale);
      }
    });
  });

  describe('events by cursor', () => {
    function withCalls(calls: number) {
      const t = modelAt();
      const token = t.ready(7);
      for (const r of references(false, calls)) t.add(r);
      t.tick(calls * 2100);
      return { ...t, token };
    }

    it('pages after the cursor, oldest first; the last cursor reads nothing new until more happens', () => {
      const t = withCalls(3);
      const all = t.model.events(t.token, 7, null, 100);
      expect(all.events).to.have.length(6);
      const seen: SimulatedCallEvent[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < 3; page++) {
        const answer = t.model.events(t.token, 7, cursor, 2);
        expect(answer.events).to.have.length(2);
        seen.push(...answer.events);
        cursor = answer.cursor;
      }
      expect(seen).to.deep.equal(all.events);
      const empty = t.model.events(t.token, 7, cursor, 2);
      expect(empty).to.deep.equal({ events: [], cursor });
      t.add('ADD:x:1');
      t.tick(100);
      expect(kinds(t.model.events(t.token, 7, cursor, 2).events)).to.have.length(1);
    });

    it('reads from the session start without a cursor; a new session does not repeat the old one', () => {
      const t = withCalls(1);
      t.tick(30_000); // the session closes
      const token = t.ready(7);
      expect(t.model.events(token, 7, null, 10).events).to.deep.equal([]);
    });

    it('takes a cursor of another run as no cursor, and refuses a malformed one with 400', () => {
      const t = withCalls(1);
      const other = modelAt().model;
      const page = other.events(other.authenticate(KEY, 7, 'op7', SECRET).token, 7, null, 1);
      expect(t.model.events(t.token, 7, page.cursor, 10).events).to.have.length(2);
      expect(refusal(() => t.model.events(t.token, 7, 'nonsense', 10)).status).to.equal(400);
    });

    it('drops the oldest events beyond the number kept; a cursor before them reads from the oldest kept', () => {
      const t = modelAt(1_000_000, { eventsKeptPerOperator: 4 });
      const token = t.ready(7);
      const first = t.model.events(token, 7, null, 1).cursor;
      for (const r of references(false, 5)) t.add(r);
      t.tick(5 * 2100);
      const { events, cursor } = t.model.events(token, 7, first, 100);
      expect(events.length).to.be.within(2, 4);
      expect(events.at(-1)?.kind).to.equal('ENDED');
      expect(t.model.events(token, 7, cursor, 100).events).to.deep.equal([]);
    });
  });

  describe('deleteTask and counts', () => {
    it('deletes a queued task (never called), then NOT_FOUND; ALREADY_CALLED once an operator took it', () => {
      const t = modelAt();
      const token = t.login(7);
      const queued = t.add('ADD:1:1');
      const taken = t.add('ADD:2:1');
      expect(t.model.deleteTask(KEY, queued)).to.equal('DELETED');
      expect(t.model.deleteTask(KEY, queued)).to.equal('NOT_FOUND');
      expect(t.model.deleteTask(KEY, 'no-such-task')).to.equal('NOT_FOUND');
      t.model.setStatus(token, 7, 'READY');
      expect(t.model.deleteTask(KEY, taken)).to.equal('ALREADY_CALLED'); // ringing
      t.tick(700_000);
      expect(t.model.deleteTask(KEY, taken)).to.equal('ALREADY_CALLED'); // ended
      expect(t.model.stats()).to.include({ deleted: 1, callsMade: 1, callsEnded: 1 });
      expect(refusal(() => t.model.deleteTask('wrong', taken)).status).to.equal(401);
    });

    it('deletes a click-to-call task from its operator', () => {
      const t = modelAt();
      const token = t.login(7);
      const id = t.add('CB:1', 7);
      expect(t.model.deleteTask(KEY, id)).to.equal('DELETED');
      t.model.setStatus(token, 7, 'READY');
      expect(t.model.stats()).to.include({ callsMade: 0, queued: 0 });
    });

    it('counts every addTask per reference, duplicates listed; a bad key counts nothing', () => {
      const t = modelAt();
      const ids = [t.add('ADD:1:1'), t.add('ADD:2:1'), t.add('ADD:1:1')];
      expect(new Set(ids).size).to.equal(3);
      expect(
        refusal(() =>
          t.model.addTask('wrong', { reference: 'ADD:3:1', taskId: 3, attempt: 1, phone: '79130000003' }),
        ).status,
      ).to.equal(401);
      const stats = t.model.stats();
      expect(stats).to.deep.include({
        addTasks: 3,
        addTaskCounts: { 'ADD:1:1': 2, 'ADD:2:1': 1 },
        duplicateReferences: ['ADD:1:1'],
        queued: 3,
      });
      expect(t.model.addTaskCount('ADD:1:1')).to.equal(2);
      expect(t.model.addTaskCount('ADD:3:1')).to.equal(0);
    });
  });

  describe('faults', () => {
    it('loses the share lost-task-rate of tasks by the seed, and each forced loss: accepted, counted, never called', () => {
      const s = settings({ lostTaskRate: 0.3 });
      const t = modelAt(1_000_000, { lostTaskRate: 0.3, ...LONG_SESSIONS });
      const token = t.ready(7);
      const refs = Array.from({ length: 40 }, (_, i) => `ADD:${i}:1`);
      const lost = new Set(refs.filter((r) => seededUnitOf(s.seed, 'telephony-lost', r) < 0.3));
      expect(lost.size).to.be.within(4, 20);
      const ids = new Map(refs.map((r) => [r, t.add(r)]));
      t.tick(10_000_000);
      const called = new Set(t.model.events(token, 7, null, 1000).events.map((e) => e.externalTaskId));
      for (const r of refs) expect(called.has(ids.get(r) as string), r).to.equal(!lost.has(r));
      for (const r of lost) expect(t.model.deleteTask(KEY, ids.get(r) as string)).to.equal('NOT_FOUND');
      expect(t.model.stats()).to.include({ addTasks: 40, lost: lost.size, callsMade: 40 - lost.size });
      const forced = modelAt();
      forced.model.loseNextTasks(1);
      forced.add('never-lost-by-rate');
      forced.add('kept');
      expect(forced.model.stats()).to.include({ lost: 1, queued: 1 });
    });

    it('delivers the share duplicate-event-rate of events twice, each repeat right after the first', () => {
      const t = modelAt(1_000_000, { duplicateEventRate: 0.5, ...LONG_SESSIONS });
      const token = t.ready(7);
      for (let i = 0; i < 10; i++) t.add(`ADD:${i}:1`);
      t.tick(10_000_000);
      const { events } = t.model.events(token, 7, null, 1000);
      const distinct = new Set(events.map((e) => `${e.callId}:${e.kind}`));
      expect(distinct.size).to.equal(20);
      expect(events.length - distinct.size)
        .to.equal(t.model.stats().duplicatedEvents)
        .and.to.be.within(3, 17);
      const keys = events.map((e) => `${e.callId}:${e.kind}`);
      for (const [i, key] of keys.entries())
        if (keys.indexOf(key) !== i) expect(keys[i - 1], key).to.equal(key);
    });
  });

  it('takes the secrets from the environment, else the documented demo defaults', () => {
    expect(telephonySecretsFromEnv({})).to.deep.equal({
      apiKey: 'tm-demo-telephony-key',
      operatorSecret: 'tm-demo-operator-secret',
    });
    expect(
      telephonySecretsFromEnv({ TM_TELEPHONY_API_KEY: ' k ', TM_TELEPHONY_OPERATOR_SECRET: 's' }),
    ).to.deep.equal({ apiKey: 'k', operatorSecret: 's' });
  });
});
