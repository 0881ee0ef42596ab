import { expect } from 'chai';
import { backoffDelay, longestWait, retryWithBackoff, ridingOut } from './backoff.js';

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

describe('retryWithBackoff', () => {
  const fast = { initialDelayMs: 1, maxDelayMs: 2, jitter: 'none' } as const;

  it('tries again after each failure until a try succeeds, telling afterFailure each failure', async () => {
    const failures: [string, number][] = [];
    const result = await retryWithBackoff(
      { ...fast, maxAttempts: Number.POSITIVE_INFINITY },
      async (attempt) => {
        if (attempt < 4) throw new Error(`down ${attempt}`);
        return attempt;
      },
      (error, attempt) => {
        failures.push([(error as Error).message, attempt]);
      },
    );
    expect(result).to.equal(4);
    expect(failures).to.deep.equal([
      ['down 1', 1],
      ['down 2', 2],
      ['down 3', 3],
    ]);
  });

  it('gives up when afterFailure throws, rejecting with what it threw', async () => {
    let tries = 0;
    const loop = retryWithBackoff(
      { ...fast, maxAttempts: Number.POSITIVE_INFINITY },
      async () => {
        tries += 1;
        throw new Error('down');
      },
      (_error, attempt) => {
        if (attempt === 2) throw new Error('outage limit passed');
      },
    );
    await loop.then(
      () => expect.fail('resolved'),
      (err: Error) => expect(err.message).to.equal('outage limit passed'),
    );
    expect(tries).to.equal(2);
  });

  it('ends with the error after maxAttempts tries, or at once for an error that is not retriable', async () => {
    let tries = 0;
    const failing = async () => {
      tries += 1;
      throw new Error(tries === 1 ? 'transient' : 'fatal');
    };
    await retryWithBackoff({ ...fast, maxAttempts: 3 }, failing).catch(() => {});
    expect(tries).to.equal(3);
    tries = 0;
    const fatal = retryWithBackoff(
      { ...fast, maxAttempts: 10, retriable: (e) => (e as Error).message !== 'fatal' },
      failing,
    );
    await fatal.then(
      () => expect.fail('resolved'),
      (err: Error) => expect(err.message).to.equal('fatal'),
    );
    expect(tries).to.equal(2);
  });
});

describe('ridingOut', () => {
  const policy = { initialDelayMs: 100, maxDelayMs: 1000 } as const;

  it('takes the fewest tries whose shortest waits cover the window: half the nominal delays with equal jitter', () => {
    // halves of 100, 200, 400, 800, 1000: 50+100+200+400+500 = 1250 >= 1200 after 5 retries; 750 after 4
    expect(ridingOut({ ...policy, jitter: 'equal' }, 1200).maxAttempts).to.equal(6);
    // whole delays without jitter: 100+200+400+800 = 1500 >= 1200 after 4 retries; 700 after 3
    expect(ridingOut({ ...policy, jitter: 'none' }, 1200).maxAttempts).to.equal(5);
    expect(ridingOut({ ...policy, jitter: 'equal' }, 0).maxAttempts, 'no window: one try').to.equal(1);
  });

  it('keeps the rest of the policy, and refuses full jitter, which can draw every wait at 0', () => {
    const retriable = () => true;
    const ridden = ridingOut({ ...policy, jitter: 'equal', retriable }, 500);
    expect([ridden.initialDelayMs, ridden.maxDelayMs, ridden.jitter, ridden.retriable]).to.deep.equal([
      100,
      1000,
      'equal',
      retriable,
    ]);
    expect(() => ridingOut({ ...policy, jitter: 'full' }, 500)).to.throw(RangeError);
  });
});

describe('longestWait', () => {
  it("adds up every wait between a policy's tries at its nominal delay, whatever the jitter", () => {
    const policy = { initialDelayMs: 100, maxDelayMs: 1000, maxAttempts: 6 } as const;
    expect(longestWait({ ...policy, jitter: 'equal' })).to.equal(100 + 200 + 400 + 800 + 1000);
    expect(longestWait({ ...policy, jitter: 'full' })).to.equal(2500);
    expect(longestWait({ ...policy, maxAttempts: 1 })).to.equal(0);
  });
});
