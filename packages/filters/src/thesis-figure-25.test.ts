import { join } from 'node:path';
import { type Application, loadPipelineConfig } from '@tm/contracts';
import { expect } from 'chai';
import { evaluateApplication } from './evaluate.js';
import { createFilterRegistry } from './filters/builtin.js';
import { checkCampaigns } from './framework/compile.js';
import type { CampaignOutcome } from './framework/outcome.js';
import { applicationFixture, epochDays, moscowTime } from './testing/application-fixture.js';
import { abramAnswer, type FakeAnswers, fakeServices } from './testing/fake-services.js';

const file = join(import.meta.dirname, '..', '..', '..', 'config', 'examples', 'thesis-figures.yaml');

/**
 * config/examples/thesis-figures.yaml is figure 25 as printed. Each test is one of its comments.
 */
describe('thesis figure 25, unchanged, behaves as its comments say', () => {
  const config = loadPipelineConfig(file, {});
  const check = checkCampaigns(config.eventsAnalyser.campaigns, createFilterRegistry());
  const [campaign] = check.campaigns;
  // The thesis's phone templates want a 3 or a 4 as the 7th digit.
  const good = (overrides: Partial<Application> = {}) =>
    applicationFixture({ phone: '79131241234', createdAt: moscowTime('2024-03-01T10:00:00'), ...overrides });
  const decide = async (app: Application, answers: FakeAnswers = {}): Promise<CampaignOutcome> => {
    const [outcome] = await evaluateApplication(app, check.campaigns, fakeServices(answers));
    return outcome as CampaignOutcome;
  };

  it('compiles with no problem; PHONE_TEMPLATES runs although filters-order omits it, and says so', () => {
    expect(check.problems).to.deep.equal([]);
    expect(campaign?.steps.map((s) => s.filter.name)).to.deep.equal([
      'RESIDENCE',
      'AGE',
      'PHONE_TEMPLATES',
      'PHONE_BLACK_LIST',
      'ML_DEVICE',
      'ML_PHONE',
      'ML_FACE',
      'ML_DOCUMENT',
    ]);
    expect(check.notices.map((n) => n.path)).to.deep.equal(['events-analyser.campaigns[0].phone-templates']);
  });

  it('a registered or scored application from MOBILE_LOANS that passes everything is a candidate', async () => {
    expect(await decide(good())).to.include({ kind: 'candidate' });
    expect(await decide(good({ applicationStatus: 'scored' }))).to.include({ kind: 'candidate' });
  });

  it('data-streams: MOBILE_LOANS #the stream from the "Korona Pay" app', async () => {
    expect(await decide(good({ dataStream: 'POS_REJECT' }))).to.include({ filter: 'DATA_STREAM' });
  });

  it('request-statuses: registered, scored #registered, or passed the initial scoring', async () => {
    expect(await decide(good({ applicationStatus: 'created' }))).to.include({ filter: 'REQUEST_STATUS' });
  });

  it('citizenship-unavailable-countries: BLR, UKR #unavailable countries', async () => {
    expect(await decide(good({ citizenship: 'BLR' }))).to.include({ filter: 'RESIDENCE' });
    expect(await decide(good({ citizenship: 'UKR' }))).to.include({ filter: 'RESIDENCE' });
    expect(await decide(good({ citizenship: 'KGZ' }))).to.include({ kind: 'candidate' });
  });

  it('min-age: 18 #minimum age of the client', async () => {
    expect(await decide(good({ birthDate: epochDays('2006-03-02') }))).to.include({ filter: 'AGE' });
    expect(await decide(good({ birthDate: epochDays('2006-03-01') }))).to.include({ kind: 'candidate' });
  });

  it('phone-templates: 7\\d{5}4\\d{4}, 7\\d{5}3\\d{4} #masks for the phone number', async () => {
    expect(await decide(good({ phone: '79131251234' }))).to.include({ filter: 'PHONE_TEMPLATES' });
    expect(await decide(good({ phone: '79131231234' }))).to.include({ kind: 'candidate' });
  });

  it('PHONE_BLACK_LIST #not in the common blacklist of the CFT group', async () => {
    const blacklisted = {
      blacklist: () => [{ id: '1', phone: '79131241234', deviceId: null, reason: 'fraud' }],
    };
    expect(await decide(good(), blacklisted)).to.include({ filter: 'PHONE_BLACK_LIST' });
  });

  it('ML_DEVICE, ML_PHONE, ML_FACE, ML_DOCUMENT #this check from the ML service must be passed', async () => {
    for (const [check, filter] of [
      ['device', 'ML_DEVICE'],
      ['phone', 'ML_PHONE'],
      ['face', 'ML_FACE'],
      ['document', 'ML_DOCUMENT'],
    ] as const) {
      const failing = { abram: () => abramAnswer({ [check]: { status: 'FAILED', reason: null } }) };
      expect(await decide(good(), failing)).to.include({ filter });
    }
  });

  it('ml-skip-error: false #on an error from the ML services the client does not go further', async () => {
    const erring = { abram: () => abramAnswer({ document: { status: 'ERROR', reason: 'model down' } }) };
    expect(await decide(good(), erring)).to.include({ filter: 'ML_DOCUMENT', reason: 'ML_ERROR' });
  });

  it('filters-order #the order of the filters: the first failing one is the one reported', async () => {
    const everythingWrong = good({
      citizenship: 'UKR',
      birthDate: epochDays('2010-01-01'),
      phone: '79990000000',
    });
    expect(await decide(everythingWrong)).to.include({ filter: 'RESIDENCE' });
    expect(await decide(good({ birthDate: epochDays('2010-01-01'), phone: '79990000000' }))).to.include({
      filter: 'AGE',
    });
  });
});
