import { expect } from 'chai';
import { NaturalBatch } from './natural-batch.js';

describe('NaturalBatch', () => {
  it('flushes the first item at once and what comes during a flush together in the next', async () => {
    const flushed: number[][] = [];
    let release: (() => void) | undefined;
    const batch = new NaturalBatch<number>(async (items) => {
      flushed.push(items);
      if (flushed.length === 1) await new Promise<void>((r) => (release = r));
    });
    const first = batch.add(1);
    const rest = [batch.add(2), batch.add(3)];
    expect(flushed).to.deep.equal([[1]]);
    release?.();
    await Promise.all([first, ...rest]);
    expect(flushed).to.deep.equal([[1], [2, 3]]);
  });

  it('rejects the items of a failed flush only', async () => {
    let calls = 0;
    const batch = new NaturalBatch<number>(async () => {
      calls += 1;
      if (calls === 1) throw new Error('database down');
    });
    const failed = batch.add(1);
    await failed.then(
      () => expect.fail('should reject'),
      (e: Error) => expect(e.message).to.equal('database down'),
    );
    await batch.add(2);
    expect(calls).to.equal(2);
  });
});
