import { type CampaignConfig, ConfigError } from '@tm/contracts';
import { expect } from 'chai';
import { z } from 'zod';
import { createFilterRegistry } from '../filters/builtin.js';
import { checkCampaigns, compileCampaign, compileCampaigns } from './compile.js';
import { defineFilter } from './filter.js';
import { FilterRegistrationError, FilterRegistry } from './registry.js';
import { pass } from './verdict.js';

function campaign(
  overrides: Partial<CampaignConfig> = {},
  settings: Record<string, unknown> = {},
): CampaignConfig {
  return {
    campaignId: 1,
    name: 'campaign-1',
    description: undefined,
    dataStreams: ['MOBILE_LOANS'],
    requestStatuses: ['registered', 'scored'],
    filtersOrder: [],
    mlSkipError: false,
    settings,
    ...overrides,
  };
}

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return (err as ConfigError).problems.map((p) => `${p.path}: ${p.message}`);
  }
  expect.fail('expected a ConfigError');
}

describe('compileCampaign', () => {
  const registry = createFilterRegistry();

  it('keeps filters-order and validates each listed filter’s settings', () => {
    const compiled = compileCampaign(
      campaign(
        { filtersOrder: ['AGE', 'RESIDENCE'] },
        { 'min-age': 21, 'citizenship-unavailable-countries': ['UKR'] },
      ),
      registry,
    );
    expect(compiled.steps.map((s) => s.filter.name)).to.deep.equal(['AGE', 'RESIDENCE']);
    expect(compiled.steps[0]?.settings).to.deep.equal({ 'min-age': 21 });
    expect(compiled.casperEnrichment).to.equal(true);
    expect(compiled.notices).to.deep.equal([]);
  });

  it('reports settings problems and unknown or repeated filters with the key paths of the file', () => {
    const campaigns = [
      campaign({ filtersOrder: ['AGE'] }, { 'min-age': 18 }),
      campaign({ campaignId: 2, filtersOrder: ['AGE', 'AGES', 'AGE'] }, { 'min-age': 'eighteen' }),
    ];
    expect(problemsOf(() => compileCampaigns(campaigns, registry))).to.deep.equal([
      'events-analyser.campaigns[1].min-age: Invalid input: expected number, received string',
      `events-analyser.campaigns[1].filters-order[1]: unknown filter AGES (known: ${registry.names().join(', ')})`,
      'events-analyser.campaigns[1].filters-order[2]: AGE is listed twice',
    ]);
  });

  it('names the missing key of a listed filter', () => {
    expect(
      problemsOf(() => compileCampaign(campaign({ filtersOrder: ['PHONE_TEMPLATES'] }), registry)),
    ).to.deep.equal([
      'events-analyser.campaigns[0].phone-templates: Invalid input: expected array, received undefined',
    ]);
  });

  it('runs a filter whose settings are given but which filters-order omits, before the first remote filter', () => {
    const compiled = compileCampaign(
      campaign(
        { filtersOrder: ['RESIDENCE', 'PHONE_BLACK_LIST', 'ML_PHONE'] },
        {
          'citizenship-unavailable-countries': ['UKR'],
          'phone-templates': ['7\\d{10}'],
          'max-grace-period': 30,
        },
      ),
      registry,
      { keyPath: 'events-analyser.campaigns[3]' },
    );
    expect(compiled.steps.map((s) => [s.filter.name, s.implicit])).to.deep.equal([
      ['RESIDENCE', false],
      ['PHONE_TEMPLATES', true],
      ['GRACE_PERIOD', true],
      ['PHONE_BLACK_LIST', false],
      ['ML_PHONE', false],
    ]);
    expect(compiled.notices.map((n) => `${n.path}: ${n.message}`)).to.deep.equal([
      'events-analyser.campaigns[3].phone-templates: PHONE_TEMPLATES is not in filters-order but its settings are given, so it runs before PHONE_BLACK_LIST (ADR 0020)',
      'events-analyser.campaigns[3].max-grace-period: GRACE_PERIOD is not in filters-order but its settings are given, so it runs before PHONE_BLACK_LIST (ADR 0020)',
    ]);
  });

  it('validates the settings of an implicit filter too', () => {
    expect(problemsOf(() => compileCampaign(campaign({}, { 'max-age': 60 }), registry))).to.deep.equal([
      'events-analyser.campaigns[0].min-age: Invalid input: expected number, received undefined',
    ]);
  });

  it('reads casper-enrichment', () => {
    expect(compileCampaign(campaign({}, { 'casper-enrichment': false }), registry).casperEnrichment).to.equal(
      false,
    );
    expect(
      problemsOf(() => compileCampaign(campaign({}, { 'casper-enrichment': 'no' }), registry))[0],
    ).to.match(/^events-analyser\.campaigns\[0\]\.casper-enrichment: /);
  });

  it('checkCampaigns returns what compiled alongside every problem, without throwing', () => {
    const result = checkCampaigns(
      [campaign({ filtersOrder: ['NOPE'] }), campaign({ campaignId: 2 })],
      registry,
    );
    expect(result.campaigns.map((c) => c.campaignId)).to.deep.equal([2]);
    expect(result.problems).to.have.length(1);
  });
});

describe('FilterRegistry', () => {
  const filter = (name: string) =>
    defineFilter({ name, summary: 's', whenAbsent: 'w', settings: z.object({}), run: () => pass() });

  it('refuses bad, reserved and duplicate names', () => {
    const registry = new FilterRegistry([filter('MINE')]);
    expect(() => registry.register(filter('mine'))).to.throw(FilterRegistrationError, /upper snake case/);
    expect(() => registry.register(filter('DATA_STREAM'))).to.throw(FilterRegistrationError, /reserved/);
    expect(() => registry.register(filter('MINE'))).to.throw(FilterRegistrationError, /registered/);
    expect(() => createFilterRegistry([filter('AGE')])).to.throw(FilterRegistrationError);
    expect(registry.names()).to.deep.equal(['MINE']);
  });

  it('takes a filter’s keys from its settings schema, through transforms', () => {
    const piped = defineFilter({
      name: 'PIPED',
      summary: 's',
      whenAbsent: 'w',
      settings: z
        .object({ 'a-key': z.number(), 'b-key': z.string().optional() })
        .transform((s) => s['a-key']),
      run: () => pass(),
    });
    expect(piped.keys).to.deep.equal(['a-key', 'b-key']);
  });
});
