import { ConfigError, parsePipelineConfig } from '@tm/contracts';
import { compileCampaigns, evaluateApplication } from '@tm/filters';
import { applicationFixture, casperProfileFixture, fakeServices } from '@tm/filters/testing';
import { expect } from 'chai';
import { exampleRegistry } from './custom-filter.js';

const config = (campaign: string) => `
events:
  data-streams:
    - { name: MOBILE_LOANS, folder: /in }
events-analyser:
  campaigns:
    - campaign-id: 7
      data-streams: MOBILE_LOANS
      request-statuses: registered
${campaign}
infra:
  kafka: { brokers: "localhost:9092" }
  database: { url: "postgres://localhost/x" }
  redis: { url: "redis://localhost" }
`;

describe('examples: a custom filter', () => {
  const yaml = config(`      filters-order: [AGE, REQUESTED_AMOUNT, CALLABLE_TIME_ZONE]
      min-age: 18
      max-requested-amount: 30000
      callable-time-zones: [Europe/Moscow, Europe/Samara]`);
  const campaigns = compileCampaigns(
    parsePipelineConfig(yaml, { env: {} }).eventsAnalyser.campaigns,
    exampleRegistry(),
  );
  const moscow = () => casperProfileFixture();

  it('runs by its name in filters-order, in its place', async () => {
    const [tooMuch] = await evaluateApplication(
      applicationFixture({ requestedAmount: 50_000 }),
      campaigns,
      fakeServices({ casper: moscow }),
    );
    expect(tooMuch).to.include({
      kind: 'rejection',
      filter: 'REQUESTED_AMOUNT',
      reason: 'requested amount above maximum',
    });
    expect(tooMuch?.filtersPassed).to.deep.equal(['DATA_STREAM', 'REQUEST_STATUS', 'AGE']);

    const services = fakeServices({ casper: moscow });
    const [ok] = await evaluateApplication(
      applicationFixture({ requestedAmount: 25_000 }),
      campaigns,
      services,
    );
    expect(ok).to.include({ kind: 'candidate' });
    expect(ok?.filtersPassed).to.deep.equal([
      'DATA_STREAM',
      'REQUEST_STATUS',
      'AGE',
      'REQUESTED_AMOUNT',
      'CALLABLE_TIME_ZONE',
    ]);
    // The async filter and the candidate's enrichment shared one Casper call.
    expect(services.calls.casper).to.equal(1);
  });

  it('can use a service answer', async () => {
    const [far] = await evaluateApplication(
      applicationFixture(),
      campaigns,
      fakeServices({ casper: () => casperProfileFixture({ timeZone: 'Asia/Vladivostok' }) }),
    );
    expect(far).to.include({
      filter: 'CALLABLE_TIME_ZONE',
      reason: 'time zone Asia/Vladivostok is not callable',
    });
  });

  it('has its settings checked like a built-in filter’s', () => {
    const broken = config(`      filters-order: [REQUESTED_AMOUNT]
      min-requested-amount: 40000
      max-requested-amount: 30000`);
    let caught: unknown;
    try {
      compileCampaigns(parsePipelineConfig(broken, { env: {} }).eventsAnalyser.campaigns, exampleRegistry());
    } catch (err) {
      caught = err;
    }
    expect(caught).to.be.instanceOf(ConfigError);
    expect((caught as ConfigError).problems).to.deep.equal([
      {
        path: 'events-analyser.campaigns[0].min-requested-amount',
        message: 'min-requested-amount is above max-requested-amount',
      },
    ]);
  });
});
