import type { Application } from '@tm/contracts';
import { evaluateCampaign } from './framework/cascade.js';
import type { CompiledCampaign } from './framework/compile.js';
import type { CampaignOutcome } from './framework/outcome.js';
import { createServiceLookups } from './services/service-lookups.js';
import type { Services } from './services/types.js';

/**
 * Decides one application for every campaign: the one call the analyser runner makes per record.
 *
 * Campaigns run concurrently over one set of memoised lookups, so each external service is asked at most once
 * per application however many campaigns need it, and only when some campaign gets as far as needing it. The
 * outcomes come back in the order of `campaigns`, and are the same on every run given the same service answers.
 *
 * Throws the first {@link ApplicationEvaluationError} (in campaign order) when any campaign could not decide;
 * then no outcome is returned at all, so the runner retries the whole application or dead-letters it, and never
 * publishes half of its decisions.
 *
 * ## Example
 * ```ts
 * const registry = createFilterRegistry();
 * const campaigns = compileCampaigns(config.eventsAnalyser.campaigns, registry);
 * const services = createServiceClients(config.services);
 * const outcomes = await evaluateApplication(app, campaigns, services);
 * // [{ kind: 'candidate', campaignId: 1, ... }, { kind: 'rejection', campaignId: 2, filter: 'DATA_STREAM', ... }]
 * ```
 */
export async function evaluateApplication(
  app: Application,
  campaigns: readonly CompiledCampaign[],
  services: Services,
): Promise<CampaignOutcome[]> {
  const lookups = createServiceLookups(app, services);
  const settled = await Promise.allSettled(campaigns.map((c) => evaluateCampaign(app, c, lookups)));
  const outcomes: CampaignOutcome[] = [];
  for (const result of settled) {
    if (result.status === 'rejected') throw result.reason;
    outcomes.push(result.value);
  }
  return outcomes;
}
