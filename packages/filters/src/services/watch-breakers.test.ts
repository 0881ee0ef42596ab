import type { ServiceClientConfig } from '@tm/contracts';
import { expect } from 'chai';
import { fakeServices } from '../testing/fake-services.js';
import { HttpStatusError } from './errors.js';
import { createServicePolicy } from './resilience.js';
import type { Services } from './types.js';
import { policiesOf, watchBreakers } from './watch-breakers.js';

const config: ServiceClientConfig = {
  url: 'http://127.0.0.1:1',
  timeoutMs: 1_000,
  retry: { maxRetries: 0, initialDelayMs: 1, maxDelayMs: 1 },
  breaker: { consecutiveFailures: 1, halfOpenAfterMs: 20 },
  concurrency: { maxInFlight: 1, maxQueued: 10 },
};

function recordingLog() {
  const lines: Array<[string, object, string]> = [];
  return {
    lines,
    info: (fields: object, message: string) => lines.push(['info', fields, message]),
    warn: (fields: object, message: string) => lines.push(['warn', fields, message]),
  };
}

describe('watchBreakers', () => {
  it('logs a breaker opening as a warning and its closing as info, naming the service', async () => {
    const policy = createServicePolicy('abram', config);
    const services: Services = { ...fakeServices(), abram: Object.assign(fakeServices().abram, { policy }) };
    const log = recordingLog();
    const watch = watchBreakers(services, log);

    await policy.execute('assess', () => Promise.reject(new HttpStatusError(503, ''))).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 30));
    await policy.execute('assess', () => Promise.resolve('ok'));

    expect(log.lines).to.deep.equal([
      ['warn', { service: 'abram', breaker: 'open' }, 'service circuit breaker open'],
      ['warn', { service: 'abram', breaker: 'half-open' }, 'service circuit breaker half-open'],
      [
        'info',
        { service: 'abram', breaker: 'closed' },
        'service circuit breaker closed: calls go through again',
      ],
    ]);
    watch.dispose();
  });

  it('stops logging once disposed, and watches nothing of services without policies', async () => {
    const policy = createServicePolicy('casper', config);
    const log = recordingLog();
    watchBreakers(
      { ...fakeServices(), casper: Object.assign(fakeServices().casper, { policy }) },
      log,
    ).dispose();
    await policy.execute('search', () => Promise.reject(new HttpStatusError(503, ''))).catch(() => undefined);
    expect(log.lines).to.deep.equal([]);
    expect(policiesOf(fakeServices())).to.deep.equal([]);
  });

  it('is unready while a breaker refuses calls, naming the service, and ready again past its half-open time', async () => {
    const policy = createServicePolicy('blacklist', {
      ...config,
      breaker: { consecutiveFailures: 1, halfOpenAfterMs: 200 },
    });
    const services: Services = {
      ...fakeServices(),
      blacklist: Object.assign(fakeServices().blacklist, { policy }),
    };
    const watch = watchBreakers(services, recordingLog());
    expect([watch.ready(), watch.reason()]).to.deep.equal([true, null]);

    await policy.execute('search', () => Promise.reject(new HttpStatusError(503, ''))).catch(() => undefined);
    expect(policy.breakerState()).to.equal('open');
    expect([watch.ready(), watch.reason()]).to.deep.equal([false, 'blacklist: circuit breaker open']);

    // Past the half-open time the breaker still says open until a call is tried, but that call would go through.
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(policy.breakerState()).to.equal('open');
    expect([watch.ready(), watch.reason()]).to.deep.equal([true, null]);
    await policy.execute('search', () => Promise.resolve('ok'));
    expect([policy.breakerState(), watch.ready()]).to.deep.equal(['closed', true]);
    watch.dispose();
  });

  it('is always ready for services without policies', () => {
    const watch = watchBreakers(fakeServices(), recordingLog());
    expect([watch.ready(), watch.reason()]).to.deep.equal([true, null]);
    watch.dispose();
  });
});
