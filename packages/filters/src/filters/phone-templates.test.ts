import { expect } from 'chai';
import { applicationFixture } from '../testing/application-fixture.js';
import { PHONE_TEMPLATES } from './phone-templates.js';
import { runFilter, settingsProblems } from './run-filter.test-support.js';

describe('PHONE_TEMPLATES', () => {
  // Figure 25's templates: the 7th digit is 4 or 3.
  const settings = { 'phone-templates': ['7\\d{5}4\\d{4}', '7\\d{5}3\\d{4}'] };
  const verdict = (phone: string) => runFilter(PHONE_TEMPLATES, settings, applicationFixture({ phone }));

  it('passes a phone matched whole by any template', async () => {
    expect((await verdict('79131241234')).pass).to.equal(true);
    expect((await verdict('79131231234')).pass).to.equal(true);
  });

  it('rejects a phone no template matches', async () => {
    expect(await verdict('79131251234')).to.deep.equal({ pass: false, reason: 'phone matches no template' });
  });

  it('is anchored at both ends: a template matching only a substring does not pass', async () => {
    // Each of these contains a match of 7\d{5}4\d{4} but is not one.
    expect((await verdict('779131241234')).pass).to.equal(false); // extra digit in front
    expect((await verdict('791312412345')).pass).to.equal(false); // extra digit behind
    const loose = { 'phone-templates': ['7913'] };
    expect(
      (await runFilter(PHONE_TEMPLATES, loose, applicationFixture({ phone: '79131234567' }))).pass,
    ).to.equal(false);
  });

  it('keeps alternations inside the anchors', async () => {
    const alternation = { 'phone-templates': ['79131234567|7999'] };
    expect(
      (await runFilter(PHONE_TEMPLATES, alternation, applicationFixture({ phone: '79991234567' }))).pass,
    ).to.equal(false);
  });

  it('reports a template that is not a regular expression by its index, and an empty list', () => {
    const problems = settingsProblems(PHONE_TEMPLATES, { 'phone-templates': ['7\\d+', '7(\\d'] });
    expect(problems).to.have.length(1);
    expect(problems[0]).to.match(/^phone-templates\.1: not a regular expression/);
    expect(settingsProblems(PHONE_TEMPLATES, { 'phone-templates': [] })[0]).to.match(/^phone-templates: /);
    // Balanced only once wrapped in ^(?:...)$, which would unanchor it: refused.
    expect(settingsProblems(PHONE_TEMPLATES, { 'phone-templates': ['1)|(7\\d{10}'] })[0]).to.match(
      /^phone-templates\.0: not a regular expression/,
    );
  });
});
