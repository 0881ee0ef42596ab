import type { Application } from '@tm/contracts';
import { z } from 'zod';
import type { ServiceLookups } from '../services/service-lookups.js';
import type { FilterVerdict } from './verdict.js';

/** What a filter knows about the campaign it runs for, besides its own settings. */
export interface CampaignInfo {
  readonly campaignId: number;
  /** Figure 25's `ml-skip-error`: an ML error lets the application pass the check (true) or rejects it (false). */
  readonly mlSkipError: boolean;
}

/** Everything a filter may use besides the application and its settings. */
export interface FilterContext {
  readonly campaign: CampaignInfo;
  /** External answers about this application, memoised across campaigns. */
  readonly lookups: ServiceLookups;
}

/** An external system a filter asks. Filters that ask one are "remote": they cost a network call. */
export type ServiceName = 'blacklist' | 'casper' | 'abram';

/**
 * A named, documented step of a campaign's cascade. Its settings are keys of the campaign (kebab-case, as in
 * thesis figure 25), declared by a zod schema that validates them and turns them into what `run` receives.
 *
 * @typeParam S - the settings after validation (what `run` gets).
 */
export interface Filter<S = unknown> {
  /** Upper snake case; what `filters-order` lists (AGE, PHONE_BLACK_LIST). */
  readonly name: string;
  /** One line: what passes. */
  readonly summary: string;
  /** What the filter does when the application lacks the field(s) it reads. */
  readonly whenAbsent: string;
  /** Validates the campaign's keys this filter reads. Unrelated keys are ignored. */
  readonly settings: z.ZodType<S>;
  /** The campaign keys the filter reads (the settings schema's keys). */
  readonly keys: readonly string[];
  /** External systems the filter asks; empty for filters that only look at the application. */
  readonly services: readonly ServiceName[];
  /** Decides for one application. May be async; throwing means "cannot decide" (never a pass). */
  run(app: Application, settings: S, context: FilterContext): FilterVerdict | Promise<FilterVerdict>;
}

/** What {@link defineFilter} takes: a {@link Filter} whose `keys` and `services` may be left out. */
export type FilterDefinition<S> = Omit<Filter<S>, 'keys' | 'services'> & {
  readonly keys?: readonly string[];
  readonly services?: readonly ServiceName[];
};

/** The settings of a filter that reads no campaign keys. */
export const noSettings = z.object({});

/** The keys of an object schema, also through `.transform()` / `.refine()` pipes. */
export function keysOfSchema(schema: z.ZodType): string[] {
  if (schema instanceof z.ZodObject) return Object.keys(schema.shape);
  if (schema instanceof z.ZodPipe) return keysOfSchema(schema.in as z.ZodType);
  return [];
}

/**
 * Declares a filter. `keys` defaults to the keys of the settings schema when it is a `z.object(...)` (possibly
 * piped through `.transform`); give them explicitly for other schema shapes.
 *
 * ## Example
 * ```ts
 * const NOT_TOO_RICH = defineFilter({
 *   name: 'NOT_TOO_RICH',
 *   summary: 'The requested amount is at most `max-requested-amount` roubles.',
 *   whenAbsent: 'No requested amount: passes.',
 *   settings: z.object({ 'max-requested-amount': z.number().int().positive() }),
 *   run: (app, s) =>
 *     app.requestedAmount === null || app.requestedAmount <= s['max-requested-amount']
 *       ? pass()
 *       : reject('requested amount above the maximum'),
 * });
 * ```
 */
export function defineFilter<S>(definition: FilterDefinition<S>): Filter<S> {
  return {
    ...definition,
    keys: definition.keys ?? keysOfSchema(definition.settings),
    services: definition.services ?? [],
  };
}
