import { expect } from 'chai';
import { applicationFixture, epochDays, moscowTime } from '../testing/application-fixture.js';
import { AGE, ageOn } from './age.js';
import { runFilter, settingsProblems } from './run-filter.test-support.js';

describe('AGE', () => {
  describe('ageOn', () => {
    it('counts the new year of age from the start of the birthday', () => {
      const birth = epochDays('2006-03-01');
      expect(ageOn(birth, moscowTime('2024-02-29T23:59:59'))).to.equal(17);
      expect(ageOn(birth, moscowTime('2024-03-01T00:00:00'))).to.equal(18);
    });

    it('uses the Moscow calendar day, not the UTC one', () => {
      // 00:30 in Moscow on the birthday is still the day before in UTC.
      const at = moscowTime('2024-03-01T00:30:00');
      expect(new Date(at).getUTCDate()).to.equal(29);
      expect(ageOn(epochDays('2006-03-01'), at)).to.equal(18);
    });

    it('gives someone born on 29 February their birthday on 28 February in a non-leap year', () => {
      const birth = epochDays('2004-02-29');
      expect(ageOn(birth, moscowTime('2022-02-27T12:00:00'))).to.equal(17);
      expect(ageOn(birth, moscowTime('2022-02-28T00:00:00'))).to.equal(18);
      expect(ageOn(birth, moscowTime('2022-03-01T00:00:00'))).to.equal(18);
    });

    it('gives it on 29 February itself in a leap year', () => {
      const birth = epochDays('2004-02-29');
      expect(ageOn(birth, moscowTime('2024-02-28T23:59:59'))).to.equal(19);
      expect(ageOn(birth, moscowTime('2024-02-29T00:00:00'))).to.equal(20);
    });

    it('handles births before 1970 (negative days)', () => {
      expect(ageOn(epochDays('1960-05-10'), moscowTime('2024-05-09T12:00:00'))).to.equal(63);
      expect(ageOn(epochDays('1960-05-10'), moscowTime('2024-05-10T12:00:00'))).to.equal(64);
    });
  });

  const created = moscowTime('2024-03-01T09:30:00');
  const app = (birth: string | null) =>
    applicationFixture({ createdAt: created, birthDate: birth === null ? null : epochDays(birth) });

  it('passes exactly at the minimum age, on the birthday itself', async () => {
    expect(await runFilter(AGE, { 'min-age': 18 }, app('2006-03-01'))).to.deep.equal({ pass: true });
  });

  it('rejects the day before the birthday that reaches the minimum', async () => {
    expect(await runFilter(AGE, { 'min-age': 18 }, app('2006-03-02'))).to.deep.equal({
      pass: false,
      reason: 'younger than 18',
      detail: 'age 17',
    });
  });

  it('applies max-age inclusively', async () => {
    const settings = { 'min-age': 18, 'max-age': 65 };
    expect((await runFilter(AGE, settings, app('1958-03-02'))).pass).to.equal(true); // 65, birthday tomorrow
    expect(await runFilter(AGE, settings, app('1958-03-01'))).to.include({
      pass: false,
      reason: 'older than 65',
    });
  });

  it('rejects when the birth date is absent', async () => {
    expect(await runFilter(AGE, { 'min-age': 18 }, app(null))).to.include({
      pass: false,
      reason: 'birth date absent',
    });
    expect(AGE.whenAbsent).to.match(/rejects/);
  });

  it('validates its settings', () => {
    expect(settingsProblems(AGE, {})).to.deep.equal([
      'min-age: Invalid input: expected number, received undefined',
    ]);
    expect(settingsProblems(AGE, { 'min-age': 18.5 })[0]).to.match(/^min-age: /);
    expect(settingsProblems(AGE, { 'min-age': 30, 'max-age': 20 })).to.deep.equal([
      'max-age: max-age is below min-age',
    ]);
  });
});
