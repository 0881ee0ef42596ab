import type { Application, Product } from '@tm/contracts';
import type { ServiceLookups } from '../services/service-lookups.js';
import type { CompiledCampaign } from './compile.js';
import { ApplicationEvaluationError } from './evaluation-error.js';
import type { FilterContext } from './filter.js';
import { type CampaignOutcome, DATA_STREAM, REQUEST_STATUS } from './outcome.js';

/** `err` as the {@link ApplicationEvaluationError} of step `name` (unchanged when it already is one). */
function stepError(
  app: Application,
  campaignId: number,
  name: string,
  err: unknown,
): ApplicationEvaluationError {
  return err instanceof ApplicationEvaluationError
    ? err
    : new ApplicationEvaluationError(app.applicationNumber, campaignId, name, err);
}

/**
 * Runs one step; a failure becomes the step's {@link ApplicationEvaluationError}. A step that answers at once (most
 * local filters) is not wrapped in a promise of its own: that was a promise and two turns per filter (ADR 0196).
 */
function step<T>(
  app: Application,
  campaignId: number,
  name: string,
  run: () => T | Promise<T>,
): T | Promise<T> {
  let result: T | Promise<T>;
  try {
    result = run();
  } catch (err) {
    throw stepError(app, campaignId, name, err);
  }
  if (!(result instanceof Promise)) return result;
  return result.catch((err: unknown) => {
    throw stepError(app, campaignId, name, err);
  });
}

/**
 * Runs one campaign's cascade for one application (thesis §2.6.2): the data stream and the request status first,
 * then each filter in order, stopping at the first rejection — a failed filter means the application is certainly
 * not a candidate. A candidate is then enriched with Casper's profile and Abram's products.
 *
 * Throws {@link ApplicationEvaluationError} when a filter or a service cannot answer; it never passes or rejects
 * an application on a failure (ML errors reported by Abram are answers, handled by `ml-skip-error`).
 */
export async function evaluateCampaign(
  app: Application,
  campaign: CompiledCampaign,
  lookups: ServiceLookups,
): Promise<CampaignOutcome> {
  const { campaignId } = campaign;
  const passed: string[] = [];
  const notes: string[] = [];
  const rejection = (filter: string, reason: string, detail?: string): CampaignOutcome => ({
    kind: 'rejection',
    campaignId,
    filter,
    reason,
    ...(detail === undefined ? {} : { detail }),
    filtersPassed: passed,
    notes,
  });

  if (!campaign.dataStreams.includes(app.dataStream)) {
    return rejection(
      DATA_STREAM,
      `data stream ${app.dataStream} is not one of ${campaign.dataStreams.join(', ')}`,
    );
  }
  passed.push(DATA_STREAM);
  if (!campaign.requestStatuses.includes(app.applicationStatus)) {
    return rejection(
      REQUEST_STATUS,
      `request status ${app.applicationStatus} is not one of ${campaign.requestStatuses.join(', ')}`,
    );
  }
  passed.push(REQUEST_STATUS);

  const context: FilterContext = { campaign: { campaignId, mlSkipError: campaign.mlSkipError }, lookups };
  for (const { filter, settings } of campaign.steps) {
    const ran = step(app, campaignId, filter.name, () => filter.run(app, settings, context));
    const verdict = ran instanceof Promise ? await ran : ran;
    if (!verdict.pass) return rejection(filter.name, verdict.reason, verdict.detail);
    passed.push(filter.name);
    if (verdict.note !== undefined) notes.push(`${filter.name}: ${verdict.note}`);
  }

  const [casperProfile, assessment] = await Promise.all([
    campaign.casperEnrichment ? step(app, campaignId, 'CASPER_ENRICHMENT', () => lookups.casper()) : null,
    step(app, campaignId, 'ABRAM_PRODUCTS', () => lookups.abram()),
  ]);
  const products: readonly Product[] = assessment.products;
  return { kind: 'candidate', campaignId, filtersPassed: passed, casperProfile, products, notes };
}
