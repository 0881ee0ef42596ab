import { expect } from 'chai';
import { map, Subject } from 'rxjs';
import type { Committable } from '../record.js';
import { StateStores } from '../state/state-stores.js';
import { outcomeOf, testRecord } from '../testing/test-record.js';
import { testScheduler } from '../testing/test-scheduler.js';
import { eventually } from '../testing/transport-helpers.js';
import { TimeWindows } from '../windows/time-windows.js';
import { type WindowedValue, windowAggregate } from './window-aggregate.js';

interface Click {
  page: string;
  at: number;
}

let offset = 0;
/** A click record with its own offset in partition 0 of `clicks`. */
const click = (page: string, at: number, partition = 0) =>
  testRecord<Click>({ page, at }, { key: page, topic: 'clicks', partition, offset: offset++, timestamp: at });

/** `key [start,end) value` with a `!` for final values: compact marble values. */
const show = (batch: WindowedValue<number>[]) =>
  batch.map((w) => `${w.key}[${w.window.start},${w.window.end})=${w.value}${w.final ? '!' : ''}`);

const counting = {
  idleMs: 1, // one partition per test: stream time is its largest timestamp at once
  initial: () => 0,
  aggregate: (n: number) => n + 1,
  timestampOf: (r: Committable<Click>) => r.value.at,
};

describe('windowAggregate', () => {
  beforeEach(() => {
    offset = 0;
  });

  it('counts out-of-order records into their windows, closes on stream time, and drops late ones', () => {
    const late: string[] = [];
    const records = {
      a: click('/', 10),
      b: click('/', 120),
      c: click('/', 50), // out of order, but [0,100) closes only at stream time 150
      d: click('/', 210), // stream time 210: [0,100) is closed now
      e: click('/', 60), // late for [0,100)
    };
    testScheduler().run(({ hot, expectObservable, flush }) => {
      const source = hot('-a-b-c------d-e-------|', records);
      const result = source.pipe(
        windowAggregate({
          ...counting,
          windows: TimeWindows.of(100, { graceMs: 50 }),
          flushIntervalMs: 10,
          onLate: (r, key, w) => late.push(`${key}@${r.value.at}->[${w.start},${w.end})`),
        }),
        map(show),
      );
      // frame 10: the wall-clock flush emits both windows touched; frame 20: [0,100) closed and (retention =
      // size + grace) evicted, [200,300) new; the late record changed nothing.
      expectObservable(result).toBe('----------x---------y-|', {
        x: ['/[0,100)=2', '/[100,200)=1'],
        y: ['/[0,100)=2!', '/[200,300)=1'],
      });
      flush();
      expect(late).to.deep.equal(['/@60->[0,100)']);
      // every record is acked once a flush made it durable, the late one included
      expect(Object.values(records).map((r) => outcomeOf(r).kind)).to.deep.equal(Array(5).fill('acked'));
    });
  });

  it('keeps stream time per partition: a partition read behind the others is not late, until it goes idle', () => {
    testScheduler().run(({ hot, expectObservable, flush }) => {
      const r = (partition: number, at: number) =>
        testRecord<Click>({ page: 'k', at }, { key: 'k', topic: 'clicks', partition, offset: offset++ });
      const late: number[] = [];
      const result = hot('-abc-d----------------|', {
        a: r(0, 10),
        b: r(1, 20),
        c: r(0, 500),
        d: r(1, 60),
      }).pipe(
        windowAggregate({
          ...counting,
          windows: TimeWindows.of(100),
          flushIntervalMs: 10,
          idleMs: 15,
          onLate: (rec) => late.push(rec.value.at),
        }),
        map(show),
      );
      // frame 10: partition 0 is at 500 but partition 1 only at 60, so [0,100) is open and d counted in it;
      // frame 20: both partitions silent for 15 frames: stream time is the latest, 500, and [0,100) closes
      expectObservable(result).toBe('----------x---------y-|', {
        x: ['k[0,100)=3', 'k[500,600)=1'],
        y: ['k[0,100)=3!'],
      });
      flush();
      expect(late).to.deep.equal([]);
    });
  });

  it('puts each contribution of a record in the windows of its own time', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const batch = testRecord([5, 150, 160], { key: 'sensor', offset: 1 });
      const result = hot('-b---|', { b: batch }).pipe(
        windowAggregate<number[], number, number>({
          windows: TimeWindows.of(100),
          contributionsOf: (r) => r.value.map((at) => ({ key: 'sensor', value: 1, timestamp: at })),
          timestampOf: () => 5, // stream time moves with the record's own time, before its contributions count
          initial: () => 0,
          aggregate: (sum, one) => sum + one,
          flushIntervalMs: 3,
        }),
        map(show),
      );
      expectObservable(result).toBe('---x-|', { x: ['sensor[0,100)=1', 'sensor[100,200)=2'] });
    });
  });

  it('holds acks until the flush that makes a record durable', () => {
    testScheduler().run(({ hot, expectObservable, flush }) => {
      const a = click('/', 1);
      const b = click('/', 2);
      const result = hot('-a---------b--', { a, b }).pipe(
        windowAggregate({ ...counting, windows: TimeWindows.of(100), flushIntervalMs: 5 }),
        map(show),
      );
      // flushes at frames 5 and 10; b arrives at 11 and the subscriber is gone at 13, before the flush of 15
      expectObservable(result, '^------------!').toBe('-----x-------', { x: ['/[0,100)=1'] });
      flush();
      expect(outcomeOf(a).kind).to.equal('acked');
      expect(outcomeOf(b).kind).to.equal('pending'); // unsubscribed (a crash) before its flush: redelivered
    });
  });

  it('aggregates a record under every key and hopping window, with windows chosen per key', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const record = testRecord({ campaign: 'c1', operator: 'o7', at: 65 }, { offset: 1 });
      const result = hot('-r---|', { r: record }).pipe(
        windowAggregate({
          windows: (key) =>
            key.startsWith('op=') ? TimeWindows.of(100) : TimeWindows.of(60, { advanceMs: 30 }),
          keysOf: (r) => [`campaign=${r.value.campaign}`, `op=${r.value.operator}`],
          timestampOf: (r) => r.value.at,
          initial: () => 0,
          aggregate: (n: number) => n + 1,
          flushIntervalMs: 3,
        }),
        map(show),
      );
      expectObservable(result).toBe('---x-|', {
        x: ['campaign=c1[30,90)=1', 'campaign=c1[60,120)=1', 'op=o7[0,100)=1'],
      });
    });
  });

  it('emits each window once per flush however many records changed it, and nothing when idle', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const result = hot('-abc----------------|', {
        a: click('/', 1),
        b: click('/', 2),
        c: click('/x', 3),
      }).pipe(windowAggregate({ ...counting, windows: TimeWindows.of(100), flushIntervalMs: 5 }), map(show));
      expectObservable(result).toBe('-----x--------------|', { x: ['/[0,100)=2', '/x[0,100)=1'] });
    });
  });

  it('after a snapshot, a crash and a restore, ends with the same windows as a run without the crash', () => {
    const inputs = (): Committable<Click>[] => {
      offset = 0;
      return [10, 20, 140, 30, 160, 250, 40, 260, 330, 5].map((at) => click(at % 20 === 0 ? '/a' : '/b', at));
    };
    const windows = TimeWindows.of(100, { graceMs: 60, retentionMs: 1_000 });
    const finalWindows = (batches: WindowedValue<number>[][]) => {
      const last = new Map<string, string>();
      for (const w of batches.flat())
        last.set(`${w.key}[${w.window.start},${w.window.end})`, `${w.value}${w.final ? '!' : ''}`);
      return Object.fromEntries([...last].sort());
    };

    // the uninterrupted run
    const uninterrupted: WindowedValue<number>[][] = [];
    testScheduler().run(({ cold, flush }) => {
      const records = inputs();
      cold('-abcdefghij|', Object.fromEntries(records.map((r, i) => [String.fromCharCode(97 + i), r])))
        .pipe(windowAggregate({ ...counting, windows, flushIntervalMs: 3 }))
        .subscribe((batch) => uninterrupted.push(batch));
      flush();
    });

    // the same input, crashing after record g with a snapshot taken at the flush of frame 6 (records a-f)
    const state = StateStores.inMemory({ windows: { kind: 'windowed' } });
    let snapshot: ReturnType<StateStores['snapshot']> | undefined;
    const firstRun: Committable<Click>[] = inputs();
    const scheduler = testScheduler();
    scheduler.run(({ cold }) => {
      const input = cold(
        '-abcdefg',
        Object.fromEntries(firstRun.slice(0, 7).map((r, i) => [String.fromCharCode(97 + i), r])),
      );
      const subscription = input
        .pipe(windowAggregate({ ...counting, windows, state, flushIntervalMs: 3 }))
        .subscribe();
      // frame 6 flushes a-f; g arrives at frame 7 and is never flushed: the process dies at frame 8
      scheduler.schedule(() => {
        snapshot = state.snapshot();
        subscription.unsubscribe();
      }, 8);
    });
    expect(firstRun.slice(0, 6).map((r) => outcomeOf(r).kind)).to.deep.equal(Array(6).fill('acked'));
    expect(outcomeOf(firstRun[6] as Committable<Click>).kind).to.equal('pending');
    expect(snapshot?.positions).to.deep.equal({ 'clicks:0': 6 });

    // restart: the consumer group had committed nothing, so every record comes again
    const resumed: WindowedValue<number>[][] = [];
    const secondRun = inputs();
    testScheduler().run(({ cold, flush }) => {
      const restored = StateStores.inMemory({ windows: { kind: 'windowed' } }, snapshot);
      cold('-abcdefghij|', Object.fromEntries(secondRun.map((r, i) => [String.fromCharCode(97 + i), r])))
        .pipe(windowAggregate({ ...counting, windows, state: restored, flushIntervalMs: 3 }))
        .subscribe((batch) => resumed.push(batch));
      flush();
    });
    // the restored windows come first, before any record
    expect(resumed[0]?.map((w) => w.key).length).to.be.greaterThan(0);
    expect(finalWindows(resumed)).to.deep.equal(finalWindows(uninterrupted));
    expect(secondRun.map((r) => outcomeOf(r).kind)).to.deep.equal(Array(10).fill('acked'));
  });

  it('keeps records unacked and changes unemitted while the state cannot be flushed, then catches up', async () => {
    const state = StateStores.inMemory({ windows: { kind: 'windowed' } });
    let failing = true;
    const flush = state.flush.bind(state);
    state.flush = () => {
      if (failing) throw new Error('broker down');
      return flush();
    };
    const errors: string[] = [];
    const batches: string[][] = [];
    const input = new Subject<Committable<Click>>();
    const subscription = input
      .pipe(
        windowAggregate({
          ...counting,
          windows: TimeWindows.of(100),
          state,
          flushIntervalMs: 5,
          onFlushError: (e) => errors.push((e as Error).message),
        }),
        map(show),
      )
      .subscribe((b) => batches.push(b));
    const a = click('/', 1);
    input.next(a);
    await new Promise((r) => setTimeout(r, 30));
    expect(errors.length).to.be.greaterThan(1);
    expect(batches).to.deep.equal([]);
    expect(outcomeOf(a).kind).to.equal('pending');
    failing = false;
    input.next(click('/', 2));
    await new Promise((r) => setTimeout(r, 30));
    expect(batches).to.deep.equal([['/[0,100)=2']]);
    expect(outcomeOf(a).kind).to.equal('acked');
    subscription.unsubscribe();
  });

  it('starts a flush due while the previous one was under way as soon as that one ends, not a tick later', async () => {
    const state = StateStores.inMemory({ windows: { kind: 'windowed' } });
    const flush = state.flush.bind(state);
    let release = () => {};
    let calls = 0;
    state.flush = () => {
      calls += 1;
      if (calls > 1) return flush();
      // the first flush hangs (a slow transaction) until released
      return new Promise<void>((resolve) => {
        release = () => resolve(flush());
      });
    };
    const batches: string[][] = [];
    const input = new Subject<Committable<Click>>();
    const subscription = input
      .pipe(
        windowAggregate({ ...counting, windows: TimeWindows.of(100), state, flushIntervalMs: 200 }),
        map(show),
      )
      .subscribe((b) => batches.push(b));
    try {
      input.next(click('/', 1));
      await eventually(() => calls === 1, 'the first flush');
      input.next(click('/', 2)); // applied while the first flush is under way
      await new Promise((r) => setTimeout(r, 450)); // ticks come and find it under way
      expect(calls).to.equal(1);
      release();
      await new Promise((r) => setImmediate(r));
      // the second flush did not wait for the next tick (up to 200 ms away)
      expect(calls).to.equal(2);
      expect(batches).to.deep.equal([['/[0,100)=1'], ['/[0,100)=2']]);
    } finally {
      subscription.unsubscribe();
    }
  });

  it('refuses a non-positive flush interval', () => {
    expect(() => windowAggregate({ ...counting, windows: TimeWindows.of(10), flushIntervalMs: 0 })).to.throw(
      RangeError,
    );
  });
});
