import {
  type ApplicationStatus,
  type CampaignConfig,
  ConfigError,
  type ConfigProblem,
  problemsOf,
} from '@tm/contracts';
import { z } from 'zod';
import type { Filter } from './filter.js';
import type { FilterRegistry } from './registry.js';

/** One step of a compiled cascade: a filter with its validated settings. */
export interface CompiledStep {
  readonly filter: Filter;
  readonly settings: unknown;
  /**
   * True when the campaign configures the filter's keys but does not list it in `filters-order`; such a filter
   * still runs, placed before the first listed filter that calls an external service (ADR 0020).
   */
  readonly implicit: boolean;
}

/** A campaign ready to evaluate: its selection, its cascade in running order, and how candidates are enriched. */
export interface CompiledCampaign {
  readonly campaignId: number;
  readonly name: string;
  readonly dataStreams: readonly string[];
  readonly requestStatuses: readonly ApplicationStatus[];
  readonly mlSkipError: boolean;
  /** Ask Casper for the client profile of each candidate (`casper-enrichment`, default true). */
  readonly casperEnrichment: boolean;
  readonly steps: readonly CompiledStep[];
  /** Things worth saying that are not errors (a filter enabled by its keys alone), with key paths. */
  readonly notices: readonly ConfigProblem[];
}

/** Campaign keys the framework itself reads (not any filter's). */
const EnrichmentSettings = z.object({
  'casper-enrichment': z.boolean().default(true),
});

/** The result of checking campaigns without throwing: what compiled, and every problem and notice. */
export interface CampaignCheck {
  readonly campaigns: readonly CompiledCampaign[];
  readonly problems: readonly ConfigProblem[];
  readonly notices: readonly ConfigProblem[];
}

function validate(
  schema: z.ZodType,
  settings: Record<string, unknown>,
  path: string,
  problems: ConfigProblem[],
): unknown {
  const parsed = schema.safeParse(settings);
  if (parsed.success) return parsed.data;
  problems.push(...problemsOf(parsed.error, path));
  return undefined;
}

function compileOne(
  campaign: CampaignConfig,
  registry: FilterRegistry,
  path: string,
): { compiled: CompiledCampaign | undefined; problems: ConfigProblem[]; notices: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const notices: ConfigProblem[] = [];
  const listed: CompiledStep[] = [];
  const seen = new Set<string>();

  campaign.filtersOrder.forEach((name, i) => {
    const at = `${path}.filters-order[${i}]`;
    const filter = registry.get(name);
    if (filter === undefined) {
      problems.push({ path: at, message: `unknown filter ${name} (known: ${registry.names().join(', ')})` });
      return;
    }
    if (seen.has(name)) {
      problems.push({ path: at, message: `${name} is listed twice` });
      return;
    }
    seen.add(name);
    listed.push({
      filter,
      settings: validate(filter.settings, campaign.settings, path, problems),
      implicit: false,
    });
  });

  // Filters configured by their keys but not listed run anyway, before the first listed filter that asks an
  // external service: cheap checks first, and no network call for an application they reject.
  const firstRemote = listed.findIndex((step) => step.filter.services.length > 0);
  const at = firstRemote === -1 ? listed.length : firstRemote;
  const placement = at < listed.length ? `before ${listed[at]?.filter.name}` : 'after the listed filters';
  const implicit: CompiledStep[] = [];
  for (const filter of registry) {
    if (seen.has(filter.name)) continue;
    const present = filter.keys.filter((key) => key in campaign.settings);
    if (present.length === 0) continue;
    implicit.push({
      filter,
      settings: validate(filter.settings, campaign.settings, path, problems),
      implicit: true,
    });
    notices.push({
      path: `${path}.${present[0]}`,
      message: `${filter.name} is not in filters-order but its settings are given, so it runs ${placement} (ADR 0020)`,
    });
  }
  const steps = [...listed.slice(0, at), ...implicit, ...listed.slice(at)];

  const enrichment = validate(EnrichmentSettings, campaign.settings, path, problems) as
    | z.output<typeof EnrichmentSettings>
    | undefined;

  if (problems.length > 0 || enrichment === undefined) return { compiled: undefined, problems, notices };
  return {
    compiled: {
      campaignId: campaign.campaignId,
      name: campaign.name,
      dataStreams: campaign.dataStreams,
      requestStatuses: campaign.requestStatuses,
      mlSkipError: campaign.mlSkipError,
      casperEnrichment: enrichment['casper-enrichment'],
      steps,
      notices,
    },
    problems,
    notices,
  };
}

/**
 * Checks every campaign against the registry without throwing: unknown or repeated names in `filters-order`, and
 * each active filter's settings, with key paths as in the file (`events-analyser.campaigns[0].min-age`).
 */
export function checkCampaigns(
  campaigns: readonly CampaignConfig[],
  registry: FilterRegistry,
  basePath = 'events-analyser.campaigns',
): CampaignCheck {
  const compiled: CompiledCampaign[] = [];
  const problems: ConfigProblem[] = [];
  const notices: ConfigProblem[] = [];
  campaigns.forEach((campaign, i) => {
    const result = compileOne(campaign, registry, `${basePath}[${i}]`);
    if (result.compiled) compiled.push(result.compiled);
    problems.push(...result.problems);
    notices.push(...result.notices);
  });
  return { campaigns: compiled, problems, notices };
}

/**
 * Compiles one campaign of `events-analyser.campaigns`: resolves `filters-order` against the registry, validates
 * each filter's settings, and fixes the running order. Throws {@link ConfigError} listing every problem.
 *
 * @param options.keyPath - where the campaign sits in the file, for messages (default `events-analyser.campaigns[0]`
 *   is wrong for any other index, so pass it; {@link compileCampaigns} does).
 */
export function compileCampaign(
  campaign: CampaignConfig,
  registry: FilterRegistry,
  options: { keyPath?: string; source?: string } = {},
): CompiledCampaign {
  const result = compileOne(campaign, registry, options.keyPath ?? 'events-analyser.campaigns[0]');
  if (result.compiled === undefined)
    throw new ConfigError(options.source ?? 'events-analyser', result.problems);
  return result.compiled;
}

/** Compiles every campaign; throws one {@link ConfigError} naming every problem of every campaign. */
export function compileCampaigns(
  campaigns: readonly CampaignConfig[],
  registry: FilterRegistry,
  options: { source?: string } = {},
): CompiledCampaign[] {
  const result = checkCampaigns(campaigns, registry);
  if (result.problems.length > 0) throw new ConfigError(options.source ?? 'events-analyser', result.problems);
  return [...result.campaigns];
}
