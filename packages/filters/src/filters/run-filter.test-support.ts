import type { Application } from '@tm/contracts';
import type { Filter } from '../framework/filter.js';
import type { FilterVerdict } from '../framework/verdict.js';
import { createServiceLookups } from '../services/service-lookups.js';
import type { Services } from '../services/types.js';
import { fakeServices } from '../testing/fake-services.js';

/** Validates `settings` with the filter's schema (throwing on problems) and runs it for `app`. */
export async function runFilter(
  filter: Filter,
  settings: Record<string, unknown>,
  app: Application,
  options: { services?: Services; mlSkipError?: boolean } = {},
): Promise<FilterVerdict> {
  const parsed = filter.settings.parse(settings);
  const lookups = createServiceLookups(app, options.services ?? fakeServices());
  return filter.run(app, parsed, {
    campaign: { campaignId: 1, mlSkipError: options.mlSkipError ?? false },
    lookups,
  });
}

/** The zod problems of `settings` for the filter, as `path: message`. */
export function settingsProblems(filter: Filter, settings: Record<string, unknown>): string[] {
  const result = filter.settings.safeParse(settings);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}
