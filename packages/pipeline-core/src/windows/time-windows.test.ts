import { expect } from 'chai';
import { combineWindows, TimeWindows } from './time-windows.js';

const { MINUTE, HOUR, DAY } = TimeWindows;
const at = (iso: string) => Date.parse(iso);
const iso = (w: { start: number; end: number }) => [
  new Date(w.start).toISOString(),
  new Date(w.end).toISOString(),
];

describe('TimeWindows', () => {
  it('puts a timestamp in exactly one tumbling window, aligned to the epoch', () => {
    const minutes = TimeWindows.of(MINUTE);
    expect(minutes.windowsFor(at('2024-03-01T10:15:59.999Z')).map(iso)).to.deep.equal([
      ['2024-03-01T10:15:00.000Z', '2024-03-01T10:16:00.000Z'],
    ]);
    expect(minutes.windowsFor(at('2024-03-01T10:16:00.000Z')).map(iso)).to.deep.equal([
      ['2024-03-01T10:16:00.000Z', '2024-03-01T10:17:00.000Z'],
    ]);
  });

  it('starts day windows at Moscow midnight (21:00 UTC) with an offset of -3 h', () => {
    const days = TimeWindows.of(DAY, { offsetMs: -3 * HOUR });
    expect(days.offsetMs).to.equal(21 * HOUR);
    expect(days.windowsFor(at('2024-03-01T20:59:59.999Z')).map(iso)).to.deep.equal([
      ['2024-02-29T21:00:00.000Z', '2024-03-01T21:00:00.000Z'],
    ]);
    expect(days.windowsFor(at('2024-03-01T21:00:00.000Z')).map(iso)).to.deep.equal([
      ['2024-03-01T21:00:00.000Z', '2024-03-02T21:00:00.000Z'],
    ]);
    // the offset is irrelevant to hours, Moscow being a whole number of hours from UTC
    expect(TimeWindows.of(HOUR, { offsetMs: -3 * HOUR }).offsetMs).to.equal(0);
  });

  it('gives every hopping window holding the timestamp, earliest first', () => {
    const hopping = TimeWindows.of(10_000, { advanceMs: 5_000 });
    expect(hopping.windowsFor(12_000)).to.deep.equal([
      { start: 5_000, end: 15_000 },
      { start: 10_000, end: 20_000 },
    ]);
    expect(hopping.windowsFor(10_000)).to.deep.equal([
      { start: 5_000, end: 15_000 },
      { start: 10_000, end: 20_000 },
    ]);
    // an advance that does not divide the size: windows [0,7), [3,10), [6,13) around 6
    expect(TimeWindows.of(7, { advanceMs: 3 }).windowsFor(6)).to.deep.equal([
      { start: 0, end: 7 },
      { start: 3, end: 10 },
      { start: 6, end: 13 },
    ]);
  });

  it('works before the epoch and for every timestamp of a range (property check)', () => {
    const spec = TimeWindows.of(10, { advanceMs: 4, offsetMs: 3 });
    for (let ts = -50; ts <= 50; ts += 1) {
      const windows = spec.windowsFor(ts);
      for (const w of windows) {
        expect(w.start <= ts && ts < w.end, `ts ${ts} in [${w.start}, ${w.end})`).to.equal(true);
        expect((((w.start - 3) % 4) + 4) % 4).to.equal(0);
      }
      expect(windows.length).to.be.within(2, 3);
      expect(windows.map((w) => w.start)).to.deep.equal(
        [...windows.map((w) => w.start)].sort((a, b) => a - b),
      );
    }
  });

  it('closes a window at end + grace and evicts it at start + retention', () => {
    const spec = TimeWindows.of(MINUTE, { graceMs: 5_000, retentionMs: HOUR });
    const [w] = spec.windowsFor(90_000);
    expect(w).to.deep.equal({ start: 60_000, end: 120_000 });
    expect(spec.closesAt(w!)).to.equal(125_000);
    expect(spec.evictedAt(w!)).to.equal(60_000 + HOUR);
    expect(TimeWindows.of(MINUTE, { graceMs: 5_000 }).evictedAt(w!)).to.equal(125_000);
  });

  it('refuses specs that make no sense', () => {
    expect(() => TimeWindows.of(0)).to.throw(RangeError);
    expect(() => TimeWindows.of(MINUTE, { advanceMs: 2 * MINUTE })).to.throw(RangeError, /exceeds/);
    expect(() => TimeWindows.of(MINUTE, { graceMs: -1 })).to.throw(RangeError);
    expect(() => TimeWindows.of(MINUTE, { graceMs: 10, retentionMs: MINUTE })).to.throw(
      RangeError,
      /retention/,
    );
  });

  it('names its size', () => {
    expect(String(TimeWindows.of(MINUTE))).to.equal('PT1M');
    expect(String(TimeWindows.of(HOUR))).to.equal('PT1H');
    expect(String(TimeWindows.of(DAY, { offsetMs: -3 * HOUR }))).to.equal('P1D');
  });
});

describe('combineWindows', () => {
  it('gives a window of each size, each closing and evicted by its own spec', () => {
    const minutes = TimeWindows.of(MINUTE, { graceMs: 1_000 });
    const days = TimeWindows.of(DAY, { offsetMs: -3 * HOUR, graceMs: HOUR, retentionMs: 30 * DAY });
    const windows = combineWindows(minutes, days);
    const [minute, day] = windows.windowsFor(at('2024-03-01T21:00:30Z'));
    expect([minute, day].map((w) => iso(w!))).to.deep.equal([
      ['2024-03-01T21:00:00.000Z', '2024-03-01T21:01:00.000Z'],
      ['2024-03-01T21:00:00.000Z', '2024-03-02T21:00:00.000Z'],
    ]);
    expect(windows.closesAt(minute!)).to.equal(minute!.end + 1_000);
    expect(windows.closesAt(day!)).to.equal(day!.end + HOUR);
    expect(windows.evictedAt(day!)).to.equal(day!.start + 30 * DAY);
    expect(windows.retentionMs).to.equal(30 * DAY);
    expect(() => combineWindows(minutes, TimeWindows.of(MINUTE))).to.throw(RangeError);
  });
});
