import type { CampaignConfig } from '@tm/contracts';
import { expect } from 'chai';
import { z } from 'zod';
import { evaluateApplication } from '../evaluate.js';
import { createFilterRegistry } from '../filters/builtin.js';
import { ServiceUnavailableError } from '../services/errors.js';
import { applicationFixture, epochDays } from '../testing/application-fixture.js';
import { abramAnswer, casperProfileFixture, fakeServices } from '../testing/fake-services.js';
import { compileCampaigns } from './compile.js';
import { ApplicationEvaluationError } from './evaluation-error.js';
import { defineFilter } from './filter.js';
import { pass, reject } from './verdict.js';

function campaign(
  id: number,
  filtersOrder: string[],
  settings: Record<string, unknown> = {},
): CampaignConfig {
  return {
    campaignId: id,
    name: `campaign-${id}`,
    description: undefined,
    dataStreams: ['MOBILE_LOANS'],
    requestStatuses: ['registered', 'scored'],
    filtersOrder,
    mlSkipError: false,
    settings,
  };
}

describe('the cascade', () => {
  const ran: string[] = [];
  const spy = (name: string, verdict: 'pass' | 'reject') =>
    defineFilter({
      name,
      summary: 'records that it ran',
      whenAbsent: 'reads nothing',
      settings: z.object({}),
      run: () => {
        ran.push(name);
        return verdict === 'pass' ? pass() : reject(`${name} says no`);
      },
    });
  const registry = createFilterRegistry([
    spy('FIRST', 'pass'),
    spy('SECOND', 'reject'),
    spy('THIRD', 'pass'),
  ]);

  beforeEach(() => {
    ran.length = 0;
  });

  it('checks the data stream, then the request status, then filters-order in order, stopping at the first rejection', async () => {
    const campaigns = compileCampaigns([campaign(1, ['FIRST', 'SECOND', 'THIRD'])], registry);
    const [outcome] = await evaluateApplication(applicationFixture(), campaigns, fakeServices());
    expect(ran).to.deep.equal(['FIRST', 'SECOND']);
    expect(outcome).to.deep.equal({
      kind: 'rejection',
      campaignId: 1,
      filter: 'SECOND',
      reason: 'SECOND says no',
      filtersPassed: ['DATA_STREAM', 'REQUEST_STATUS', 'FIRST'],
      notes: [],
    });
  });

  it('rejects on the data stream and on the request status before any filter runs', async () => {
    const campaigns = compileCampaigns([campaign(1, ['FIRST'])], registry);
    const [byStream] = await evaluateApplication(
      applicationFixture({ dataStream: 'POS_REJECT' }),
      campaigns,
      fakeServices(),
    );
    expect(byStream).to.include({
      filter: 'DATA_STREAM',
      reason: 'data stream POS_REJECT is not one of MOBILE_LOANS',
    });
    const [byStatus] = await evaluateApplication(
      applicationFixture({ applicationStatus: 'canceled' }),
      campaigns,
      fakeServices(),
    );
    expect(byStatus).to.include({
      filter: 'REQUEST_STATUS',
      reason: 'request status canceled is not one of registered, scored',
    });
    expect(ran).to.deep.equal([]);
  });

  it('makes a candidate with every filter passed, Casper’s profile and Abram’s products', async () => {
    const profile = casperProfileFixture();
    const services = fakeServices({ casper: () => profile });
    const campaigns = compileCampaigns([campaign(1, ['FIRST', 'THIRD'])], registry);
    const [outcome] = await evaluateApplication(applicationFixture(), campaigns, services);
    expect(outcome).to.deep.equal({
      kind: 'candidate',
      campaignId: 1,
      filtersPassed: ['DATA_STREAM', 'REQUEST_STATUS', 'FIRST', 'THIRD'],
      casperProfile: profile,
      products: abramAnswer().products,
      notes: [],
    });
  });

  it('skips Casper for a campaign with casper-enrichment: false', async () => {
    const services = fakeServices({ casper: () => expect.fail('Casper asked') });
    const campaigns = compileCampaigns([campaign(1, [], { 'casper-enrichment': false })], registry);
    const [outcome] = await evaluateApplication(applicationFixture(), campaigns, services);
    expect(outcome).to.include({ kind: 'candidate', casperProfile: null });
    expect(services.calls.casper).to.equal(0);
  });

  it('asks each service at most once per application however many campaigns need it', async () => {
    const services = fakeServices();
    const all = ['PHONE_BLACK_LIST', 'ML_DEVICE', 'ML_PHONE', 'ML_FACE', 'ML_DOCUMENT', 'PRODUCTS_AVAILABLE'];
    const campaigns = compileCampaigns(
      [campaign(1, all), campaign(2, ['PHONE_BLACK_LIST', 'PRODUCTS_AVAILABLE']), campaign(3, ['ML_FACE'])],
      registry,
    );
    const outcomes = await evaluateApplication(applicationFixture(), campaigns, services);
    expect(outcomes.map((o) => o.kind)).to.deep.equal(['candidate', 'candidate', 'candidate']);
    expect(services.calls).to.deep.equal({ blacklist: 1, casper: 1, abram: 1 });
  });

  it('asks no service when every campaign rejects before needing one', async () => {
    const services = fakeServices();
    const campaigns = compileCampaigns(
      [campaign(1, ['AGE', 'PHONE_BLACK_LIST', 'ML_PHONE'], { 'min-age': 18 })],
      registry,
    );
    const [outcome] = await evaluateApplication(
      applicationFixture({ birthDate: epochDays('2010-01-01') }),
      campaigns,
      services,
    );
    expect(outcome).to.include({ filter: 'AGE' });
    expect(services.calls).to.deep.equal({ blacklist: 0, casper: 0, abram: 0 });
  });

  it('records an ML error let through by ml-skip-error in the candidate’s notes', async () => {
    const services = fakeServices({ abram: () => abramAnswer({ face: { status: 'ERROR', reason: null } }) });
    const skipping = { ...campaign(1, ['ML_FACE']), mlSkipError: true };
    const [outcome] = await evaluateApplication(
      applicationFixture(),
      compileCampaigns([skipping], registry),
      services,
    );
    expect(outcome).to.include({ kind: 'candidate' });
    expect(outcome?.notes).to.deep.equal(['ML_FACE: face check ended in ERROR; passed by ml-skip-error']);
  });

  it('fails the whole application with a retriable error when a service is unavailable, deciding nothing', async () => {
    const services = fakeServices({
      blacklist: () => {
        throw new ServiceUnavailableError('blacklist', 'search', 4, 'gave up after 4 attempt(s): HTTP 500');
      },
    });
    const campaigns = compileCampaigns([campaign(1, ['FIRST']), campaign(2, ['PHONE_BLACK_LIST'])], registry);
    let caught: unknown;
    try {
      await evaluateApplication(applicationFixture(), campaigns, services);
    } catch (err) {
      caught = err;
    }
    expect(caught).to.be.instanceOf(ApplicationEvaluationError);
    const error = caught as ApplicationEvaluationError;
    expect(error).to.include({
      applicationNumber: '34697463',
      campaignId: 2,
      step: 'PHONE_BLACK_LIST',
      retriable: true,
    });
    expect(error.cause).to.be.instanceOf(ServiceUnavailableError);
    expect(error.message).not.to.contain(applicationFixture().phone);
  });

  it('marks a filter that throws a plain error as not retriable (a bug: dead-letter it)', async () => {
    const broken = defineFilter({
      name: 'BROKEN',
      summary: 'throws',
      whenAbsent: 'throws',
      settings: z.object({}),
      run: () => {
        throw new Error('bug');
      },
    });
    const campaigns = compileCampaigns([campaign(1, ['BROKEN'])], createFilterRegistry([broken]));
    let caught: unknown;
    try {
      await evaluateApplication(applicationFixture(), campaigns, fakeServices());
    } catch (err) {
      caught = err;
    }
    expect(caught).to.be.instanceOf(ApplicationEvaluationError);
    expect(caught).to.include({ step: 'BROKEN', retriable: false });
  });

  it('is deterministic: the same answers give the same outcomes in campaign order', async () => {
    const campaigns = compileCampaigns(
      [campaign(2, ['PHONE_BLACK_LIST']), campaign(1, ['SECOND']), campaign(3, ['ML_PHONE'])],
      registry,
    );
    const first = await evaluateApplication(applicationFixture(), campaigns, fakeServices());
    const second = await evaluateApplication(applicationFixture(), campaigns, fakeServices());
    expect(first.map((o) => o.campaignId)).to.deep.equal([2, 1, 3]);
    expect(second).to.deep.equal(first);
  });
});
