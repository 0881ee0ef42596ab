import { expect } from 'chai';
import { from, lastValueFrom, map, reduce, toArray } from 'rxjs';
import { inLanes } from './in-lanes.js';

const passThrough = map((key: string) => key);

describe('inLanes', () => {
  it('sends every item of a key through the same lane, each lane its own copy of the operator', async () => {
    const keys = Array.from({ length: 200 }, (_, i) => `k${i % 20}`);
    const perLane = await lastValueFrom(
      from(keys).pipe(
        inLanes(
          3,
          (key) => key,
          (items) =>
            items.pipe(
              reduce((seen: string[], key) => [...seen, key], []),
              map((seen) => new Set(seen)),
            ),
        ),
        toArray(),
      ),
    );
    expect(perLane.length, 'one result per lane used').to.be.within(2, 3);
    const lanesOfKey = new Map<string, number>();
    perLane.forEach((keysOfLane, lane) => {
      for (const key of keysOfLane) {
        expect(lanesOfKey.get(key) ?? lane, `${key} in one lane`).to.equal(lane);
        lanesOfKey.set(key, lane);
      }
    });
    expect(lanesOfKey.size).to.equal(20);
  });

  it('keeps the order of a key’s items; each lane counts only its own', async () => {
    const items = Array.from({ length: 60 }, (_, i) => ({ key: `k${i % 6}`, i }));
    const out = await lastValueFrom(
      from(items).pipe(
        inLanes(
          3,
          (item) => item.key,
          (lane) => lane.pipe(map((item, inLane) => ({ ...item, inLane }))),
        ),
        toArray(),
      ),
    );
    for (const key of new Set(items.map((item) => item.key))) {
      const ofKey = out.filter((item) => item.key === key).map((item) => item.i);
      expect(ofKey, `${key} in order`).to.deep.equal([...ofKey].sort((a, b) => a - b));
    }
    const firsts = out.filter((item) => item.inLane === 0);
    expect(firsts.length, 'every lane used counts from 0').to.equal(new Set(firsts.map((f) => f.key)).size);
    expect(firsts.length).to.be.within(2, 3);
  });

  it('with one lane, passes everything through one copy of the operator', async () => {
    const counts = await lastValueFrom(
      from(['a', 'b', 'c']).pipe(
        inLanes(
          1,
          (key) => key,
          (items) => items.pipe(toArray()),
        ),
        toArray(),
      ),
    );
    expect(counts).to.deep.equal([['a', 'b', 'c']]);
  });

  it('refuses fewer than one lane', () => {
    expect(() => inLanes(0, String, passThrough)).to.throw(RangeError);
  });
});
