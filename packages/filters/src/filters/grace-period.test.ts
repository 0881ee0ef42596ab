import { expect } from 'chai';
import { applicationFixture } from '../testing/application-fixture.js';
import { GRACE_PERIOD } from './grace-period.js';
import { runFilter, settingsProblems } from './run-filter.test-support.js';

describe('GRACE_PERIOD', () => {
  const app = (grace: number | null, graceUnit: 'day' | 'month' | null) =>
    applicationFixture({ grace, graceUnit });

  it('compares in days, a month being 30 days, bounds inclusive', async () => {
    const settings = { 'min-grace-period': '7 days', 'max-grace-period': '1 month' };
    expect((await runFilter(GRACE_PERIOD, settings, app(7, 'day'))).pass).to.equal(true);
    expect((await runFilter(GRACE_PERIOD, settings, app(30, 'day'))).pass).to.equal(true);
    expect((await runFilter(GRACE_PERIOD, settings, app(1, 'month'))).pass).to.equal(true);
    expect(await runFilter(GRACE_PERIOD, settings, app(31, 'day'))).to.deep.equal({
      pass: false,
      reason: 'grace above maximum',
      detail: '31 days > 30',
    });
    expect((await runFilter(GRACE_PERIOD, settings, app(2, 'month'))).pass).to.equal(false);
    expect(await runFilter(GRACE_PERIOD, settings, app(6, 'day'))).to.include({
      reason: 'grace below minimum',
    });
  });

  it('takes bounds in months against a grace in days, and bare numbers as days', async () => {
    const settings = { 'min-grace-period': '2 months', 'max-grace-period': 90 };
    expect((await runFilter(GRACE_PERIOD, settings, app(59, 'day'))).pass).to.equal(false);
    expect((await runFilter(GRACE_PERIOD, settings, app(60, 'day'))).pass).to.equal(true);
    expect((await runFilter(GRACE_PERIOD, settings, app(3, 'month'))).pass).to.equal(true);
    expect((await runFilter(GRACE_PERIOD, settings, app(91, 'day'))).pass).to.equal(false);
  });

  it('works with one bound only', async () => {
    expect(
      (await runFilter(GRACE_PERIOD, { 'min-grace-period': '1 month' }, app(12, 'month'))).pass,
    ).to.equal(true);
    expect((await runFilter(GRACE_PERIOD, { 'max-grace-period': '10 days' }, app(0, 'day'))).pass).to.equal(
      true,
    );
  });

  it('rejects an absent grace, and a grace without its unit unless it is 0', async () => {
    const settings = { 'max-grace-period': '1 month' };
    expect(await runFilter(GRACE_PERIOD, settings, app(null, null))).to.deep.equal({
      pass: false,
      reason: 'grace absent',
    });
    expect(await runFilter(GRACE_PERIOD, settings, app(5, null))).to.deep.equal({
      pass: false,
      reason: 'grace unit absent',
    });
    expect((await runFilter(GRACE_PERIOD, settings, app(0, null))).pass).to.equal(true);
  });

  it('validates its settings', () => {
    expect(settingsProblems(GRACE_PERIOD, {})).to.deep.equal([
      ': give min-grace-period, max-grace-period or both',
    ]);
    expect(settingsProblems(GRACE_PERIOD, { 'min-grace-period': '2 weeks' })).to.deep.equal([
      'min-grace-period: a whole number of days, or a number with a unit: "14 days", "2 months"',
    ]);
    expect(settingsProblems(GRACE_PERIOD, { 'min-grace-period': -1 })).to.have.length(1);
    expect(
      settingsProblems(GRACE_PERIOD, { 'min-grace-period': '1 month', 'max-grace-period': '29 days' }),
    ).to.deep.equal(['max-grace-period: max-grace-period is below min-grace-period']);
  });
});
