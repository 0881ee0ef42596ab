import { expect } from 'chai';
import { backoffDelay } from './backoff.js';

describe('backoffDelay', () => {
  it('computes full, equal and no jitter within their bounds, capped by maxDelayMs', () => {
    const policy = { initialDelayMs: 100, multiplier: 2, maxDelayMs: 1000 };
    expect(backoffDelay({ ...policy, jitter: 'none' }, 1)).to.equal(100);
    expect(backoffDelay({ ...policy, jitter: 'none' }, 3)).to.equal(400);
    expect(backoffDelay({ ...policy, jitter: 'none' }, 10)).to.equal(1000);
    expect(backoffDelay({ ...policy, jitter: 'full', random: () => 0.5 }, 2)).to.equal(100);
    expect(backoffDelay({ ...policy, jitter: 'equal', random: () => 0 }, 2)).to.equal(100);
    expect(backoffDelay({ ...policy, jitter: 'equal', random: () => 0.999 }, 2)).to.be.closeTo(200, 0.2);
  });

  it('grows by the multiplier (default 2) and stays at the cap however many retries came before', () => {
    const policy = { initialDelayMs: 500, maxDelayMs: 5_000, jitter: 'none' } as const;
    expect([1, 2, 3, 4, 5, 6].map((retry) => backoffDelay(policy, retry))).to.deep.equal([
      500, 1000, 2000, 4000, 5000, 5000,
    ]);
    expect(backoffDelay(policy, 10_000), 'no overflow to NaN').to.equal(5000);
  });
});
