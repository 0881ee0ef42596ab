import { expect } from 'chai';
import { applicationFixture } from '../testing/application-fixture.js';
import { abramAnswer, fakeServices } from '../testing/fake-services.js';
import { abramRequestOf, casperQueryOf, createServiceLookups, keptAnswers } from './service-lookups.js';

describe('keptAnswers', () => {
  const app = applicationFixture();

  it('asks each service once and reuses the answer on later attempts', async () => {
    const services = fakeServices();
    const kept = keptAnswers(services);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      await kept.blacklist.search({ phone: app.phone, deviceId: null });
      await kept.abram.assess(abramRequestOf(app));
    }
    expect(services.calls).to.deep.equal({ blacklist: 1, casper: 0, abram: 1 });
  });

  it('forgets a failure, so the next attempt asks again, and keeps the success that follows', async () => {
    let failures = 2;
    const services = fakeServices({
      abram: () => {
        if (failures > 0) {
          failures -= 1;
          throw new Error('down');
        }
        return abramAnswer();
      },
    });
    const kept = keptAnswers(services);
    const outcomes: string[] = [];
    for (let attempt = 0; attempt < 4; attempt += 1) {
      outcomes.push(
        await kept.abram.assess(abramRequestOf(app)).then(
          () => 'ok',
          (err: Error) => err.message,
        ),
      );
    }
    expect(outcomes).to.deep.equal(['down', 'down', 'ok', 'ok']);
    expect(services.calls.abram).to.equal(3);
  });

  it('shares one call among concurrent callers', async () => {
    const services = fakeServices();
    const kept = keptAnswers(services);
    await Promise.all([1, 2, 3].map(() => kept.casper.findClient(casperQueryOf(app))));
    expect(services.calls.casper).to.equal(1);
  });
});

describe('createServiceLookups', () => {
  const app = applicationFixture();

  it('asks each service at most once, and shares a failure with every later caller', async () => {
    const services = fakeServices({
      abram: () => {
        throw new Error('down');
      },
    });
    const lookups = createServiceLookups(app, services);
    const outcomes = await Promise.all(
      [1, 2, 3].map(() =>
        lookups.abram().then(
          () => 'ok',
          (err: Error) => err.message,
        ),
      ),
    );
    await lookups.blacklist();
    await lookups.blacklist();
    expect(outcomes).to.deep.equal(['down', 'down', 'down']);
    expect(services.calls).to.deep.equal({ blacklist: 1, casper: 0, abram: 1 });
  });
});
