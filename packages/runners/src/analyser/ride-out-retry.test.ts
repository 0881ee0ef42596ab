import { ApplicationEvaluationError, ServiceRequestError, ServiceUnavailableError } from '@tm/filters';
import { backoffDelay } from '@tm/pipeline-core';
import { expect } from 'chai';
import { attemptsToRideOut, longestRideOut, rideOutRetryPolicy } from './ride-out-retry.js';

/** The waits of every retry of a policy, with jitter drawn by `random`. */
function totalWait(settings: Parameters<typeof rideOutRetryPolicy>[0], random: () => number): number {
  const policy = rideOutRetryPolicy(settings, random);
  let total = 0;
  for (let retry = 1; retry < (policy.maxAttempts ?? 1); retry += 1) total += backoffDelay(policy, retry);
  return total;
}

describe('ride-out retry policy', () => {
  const settings = { rideOutMs: 30_000, initialDelayMs: 250, maxDelayMs: 5000 };

  it('waits at least the ride-out window even when jitter draws every wait at its shortest', () => {
    expect(totalWait(settings, () => 0)).to.be.at.least(30_000);
    // and no attempt more than needed: one retry fewer would fall short
    const attempts = attemptsToRideOut(settings);
    const policy = rideOutRetryPolicy(settings, () => 0);
    let shortOfOne = 0;
    for (let retry = 1; retry < attempts - 1; retry += 1) shortOfOne += backoffDelay(policy, retry);
    expect(shortOfOne).to.be.below(30_000);
  });

  it('waits at most the nominal delays, about twice the window', () => {
    const longest = totalWait(settings, () => 0.999_999);
    expect(longest).to.be.at.most(longestRideOut(settings));
    expect(longestRideOut(settings)).to.be.within(60_000, 60_000 + 2 * settings.maxDelayMs);
  });

  it('counts attempts from the doubling delays and their cap', () => {
    // halves of 100, 200, 400, 800, 1000, 1000: 50+100+200+400+500 = 1250 >= 1200 after 5 retries
    expect(attemptsToRideOut({ rideOutMs: 1200, initialDelayMs: 100, maxDelayMs: 1000 })).to.equal(6);
    expect(attemptsToRideOut({ rideOutMs: 0, initialDelayMs: 100, maxDelayMs: 1000 })).to.equal(1);
  });

  it('retries what a service could not answer, and nothing else', () => {
    const { retriable } = rideOutRetryPolicy(settings);
    const unavailable = new ServiceUnavailableError('blacklist', 'search', 4, 'HTTP 503');
    const refused = new ServiceRequestError('abram', 'assessments', 400, 'HTTP 400');
    expect(retriable?.(new ApplicationEvaluationError('1', 1, 'PHONE_BLACK_LIST', unavailable))).to.equal(
      true,
    );
    expect(retriable?.(new ApplicationEvaluationError('1', 1, 'ML_PHONE', refused))).to.equal(false);
    expect(retriable?.(new TypeError('a bug'))).to.equal(false);
  });
});
