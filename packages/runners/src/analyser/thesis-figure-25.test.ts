import { join } from 'node:path';
import type { Application } from '@tm/contracts';
import type { AbramAssessment, BlacklistRecord, Services } from '@tm/filters';
import { abramAnswer, applicationFixture, epochDays, fakeServices, moscowTime } from '@tm/filters/testing';
import { eventually } from '@tm/pipeline-core/testing';
import { expect } from 'chai';
import { AnalyserHarness, repoRoot, testConfig } from './analyser.test-support.js';

/**
 * config/examples/thesis-figures.yaml — figure 25 as printed — through the analyser runner: each application below
 * is one of the figure's comments, and comes out as a candidate or as a rejection naming that comment's filter.
 */
describe('thesis figure 25 through the analyser runner', () => {
  let harness: AnalyserHarness | undefined;
  afterEach(async () => {
    await harness?.stop();
  });

  const app = (n: number, overrides: Partial<Application> = {}) =>
    applicationFixture({
      applicationNumber: String(n),
      phone: `791312${n % 2 ? 3 : 4}${String(n).padStart(4, '0')}`, // the templates want a 3 or a 4 as 7th digit
      createdAt: moscowTime('2024-03-01T10:00:00'),
      ...overrides,
    });
  const blacklisted = app(9);
  const mlError = app(10);
  const faceFailed = app(11);

  /** Services answering per phone: one blacklisted phone, one device check in ERROR, one face check FAILED. */
  const services: Services = {
    ...fakeServices(),
    blacklist: {
      search: async ({ phone }): Promise<BlacklistRecord[]> =>
        phone === blacklisted.phone ? [{ id: 'bl-1', phone, deviceId: null, reason: 'fraud' }] : [],
    },
    abram: {
      assess: async ({ phone }): Promise<AbramAssessment> =>
        phone === mlError.phone
          ? abramAnswer({ device: { status: 'ERROR', reason: 'model timeout' } })
          : phone === faceFailed.phone
            ? abramAnswer({ face: { status: 'FAILED', reason: 'no match' } })
            : abramAnswer(),
    },
  };

  const cases: [string, Application, string][] = [
    ['passes everything (registered)', app(1), 'candidate'],
    ['passes everything (scored)', app(2, { applicationStatus: 'scored' }), 'candidate'],
    ['data-streams: MOBILE_LOANS', app(3, { dataStream: 'POS_REJECT' }), 'DATA_STREAM'],
    ['request-statuses: registered, scored', app(4, { applicationStatus: 'created' }), 'REQUEST_STATUS'],
    ['citizenship-unavailable-countries: BLR', app(5, { citizenship: 'BLR' }), 'RESIDENCE'],
    ['citizenship-unavailable-countries: UKR', app(6, { citizenship: 'UKR' }), 'RESIDENCE'],
    ['min-age: 18 (17 until tomorrow)', app(7, { birthDate: epochDays('2006-03-02') }), 'AGE'],
    ['phone-templates (7th digit 5)', app(8, { phone: '79131251234' }), 'PHONE_TEMPLATES'],
    ['PHONE_BLACK_LIST', blacklisted, 'PHONE_BLACK_LIST'],
    [
      'ml-skip-error: false (device check in ERROR)',
      mlError,
      'ML_DEVICE: ML_ERROR: device check ended in ERROR (model timeout)',
    ],
    ['ML_FACE must be passed', faceFailed, 'ML_FACE: face check failed: no match'],
    ['ML_FACE cannot be passed without a face id', app(12, { faceId: null }), 'ML_FACE: face id absent'],
  ];

  it('loads unchanged and decides each application as the figure’s comments say', async () => {
    const config = testConfig(join(repoRoot, 'config', 'examples', 'thesis-figures.yaml'));
    expect(config.eventsAnalyser.campaigns).to.have.length(1);
    harness = await new AnalyserHarness(config, services).start();
    harness.publish(cases.map(([, a]) => a));
    const { topics } = config;
    await eventually(
      () => harness!.raw(topics.candidates).length + harness!.raw(topics.rejections).length === cases.length,
      'one decision per application',
    );
    const decided = new Map<string, string>();
    for (const r of harness.raw(topics.candidates)) {
      decided.set(
        (await harness.serdes.candidate.decode(r.value as Buffer)).application.applicationNumber,
        'candidate',
      );
    }
    for (const r of harness.raw(topics.rejections)) {
      const rejection = await harness.serdes.rejection.decode(r.value as Buffer);
      const shown = [
        'DATA_STREAM',
        'REQUEST_STATUS',
        'RESIDENCE',
        'AGE',
        'PHONE_TEMPLATES',
        'PHONE_BLACK_LIST',
      ];
      decided.set(
        rejection.applicationNumber,
        shown.includes(rejection.filter) ? rejection.filter : `${rejection.filter}: ${rejection.reason}`,
      );
    }
    expect(cases.map(([comment, a]) => [comment, decided.get(a.applicationNumber)])).to.deep.equal(
      cases.map(([comment, , expected]) => [comment, expected]),
    );
    expect(harness.raw(`${topics.incomingEvents}.dlq`)).to.have.length(0);
  });
});
