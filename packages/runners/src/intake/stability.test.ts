import { expect } from 'chai';
import { StabilityTracker } from './stability.js';

const file = (path: string, size: number, mtimeMs: number) => ({ path, size, mtimeMs });

describe('StabilityTracker (events.stable-after-ms)', () => {
  it('is ready once size and mtime held for the wait, counted from the first scan that saw them', () => {
    const t = new StabilityTracker(2000);
    expect(t.observe([file('a', 10, 1)], 0)).to.deep.equal([]);
    expect(t.observe([file('a', 10, 1)], 1999)).to.deep.equal([]);
    expect(t.observe([file('a', 10, 1)], 2000).map((f) => f.path)).to.deep.equal(['a']);
  });

  it('starts the wait again when the size or the mtime changes (a writer still appending)', () => {
    const t = new StabilityTracker(1000);
    t.observe([file('a', 10, 1)], 0);
    expect(t.observe([file('a', 20, 1)], 1500)).to.deep.equal([]);
    expect(t.observe([file('a', 20, 2)], 2600)).to.deep.equal([]);
    expect(t.observe([file('a', 20, 2)], 3599)).to.deep.equal([]);
    expect(t.observe([file('a', 20, 2)], 3600)).to.have.length(1);
  });

  it('forgets files that disappeared and files it was told to forget', () => {
    const t = new StabilityTracker(1000);
    t.observe([file('a', 1, 1), file('b', 1, 1)], 0);
    t.observe([file('b', 1, 1)], 500); // a is gone
    t.forget('b');
    expect(t.observe([file('a', 1, 1), file('b', 1, 1)], 1000)).to.deep.equal([]);
    expect(t.observe([file('a', 1, 1), file('b', 1, 1)], 2000)).to.have.length(2);
  });

  it('with a wait of 0, is ready at the first sighting; keeps the order it was given', () => {
    const t = new StabilityTracker(0);
    const ready = t.observe([file('z', 1, 1), file('a', 1, 1)], 5);
    expect(ready.map((f) => f.path)).to.deep.equal(['z', 'a']);
  });
});
