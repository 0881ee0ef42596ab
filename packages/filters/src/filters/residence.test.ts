import { expect } from 'chai';
import { applicationFixture } from '../testing/application-fixture.js';
import { RESIDENCE } from './residence.js';
import { runFilter, settingsProblems } from './run-filter.test-support.js';

describe('RESIDENCE', () => {
  const settings = { 'citizenship-unavailable-countries': ['BLR', 'UKR'] };

  it('rejects a listed citizenship, in any letter case', async () => {
    expect(await runFilter(RESIDENCE, settings, applicationFixture({ citizenship: 'UKR' }))).to.deep.equal({
      pass: false,
      reason: 'citizenship UKR is unavailable',
    });
    expect((await runFilter(RESIDENCE, settings, applicationFixture({ citizenship: 'blr' }))).pass).to.equal(
      false,
    );
    const lower = { 'citizenship-unavailable-countries': ['ukr'] };
    expect((await runFilter(RESIDENCE, lower, applicationFixture({ citizenship: 'UKR' }))).pass).to.equal(
      false,
    );
  });

  it('passes a citizenship that is not listed, known or not', async () => {
    expect((await runFilter(RESIDENCE, settings, applicationFixture({ citizenship: 'KGZ' }))).pass).to.equal(
      true,
    );
    expect((await runFilter(RESIDENCE, settings, applicationFixture({ citizenship: 'XYZ' }))).pass).to.equal(
      true,
    );
  });

  it('passes an absent citizenship unless citizenship-required', async () => {
    for (const citizenship of [null, '', '  ']) {
      const app = applicationFixture({ citizenship });
      expect((await runFilter(RESIDENCE, settings, app)).pass, String(citizenship)).to.equal(true);
      expect(await runFilter(RESIDENCE, { ...settings, 'citizenship-required': true }, app)).to.deep.equal({
        pass: false,
        reason: 'citizenship absent',
      });
    }
  });

  it('accepts a comma-separated list, and names a bad code by its index', () => {
    expect(settingsProblems(RESIDENCE, { 'citizenship-unavailable-countries': 'BLR, UKR' })).to.deep.equal(
      [],
    );
    expect(
      settingsProblems(RESIDENCE, { 'citizenship-unavailable-countries': ['BLR', 'Belarus'] }),
    ).to.deep.equal([
      'citizenship-unavailable-countries.1: a 3-letter country code (ISO 3166-1 alpha-3), like BLR',
    ]);
  });
});
