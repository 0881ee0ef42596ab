import { z } from 'zod';
import { commaList, millis } from './common.js';

/**
 * `events-analyser.campaigns[]`: thesis figure 25. The keys every campaign has are checked here; the keys of
 * individual filters (`min-age`, `phone-templates`, ...) are kept in `settings` and checked by @tm/filters
 * against each filter's own schema. The campaign engine's per-campaign keys (calling hours, re-calls) live in the
 * `campaign-engine` section instead (ADR 0032).
 */
const APPLICATION_STATUSES = ['created', 'registered', 'scored', 'canceled'] as const;

export const CampaignSchema = z
  .object({
    'campaign-id': z.number().int().positive(),
    name: z.string().min(1).max(64).optional(),
    description: z.string().max(256).optional(),
    'data-streams': commaList.pipe(z.array(z.string()).min(1)),
    'request-statuses': commaList.pipe(z.array(z.enum(APPLICATION_STATUSES)).min(1)),
    'filters-order': z.array(z.string().min(1)).default([]),
    'ml-skip-error': z.boolean().default(false),
  })
  .catchall(z.unknown())
  .transform((c) => {
    const {
      'campaign-id': campaignId,
      name,
      description,
      'data-streams': dataStreams,
      'request-statuses': requestStatuses,
      'filters-order': filtersOrder,
      'ml-skip-error': mlSkipError,
      ...settings
    } = c;
    return {
      campaignId,
      name: name ?? `campaign-${campaignId}`,
      description,
      dataStreams,
      requestStatuses,
      filtersOrder,
      mlSkipError,
      /** Every other key of the campaign, as written (kebab-case), for filters and the engine to check. */
      settings: settings as Record<string, unknown>,
    };
  });

/**
 * `events-analyser.retry` (ours): what the analyser does with an application whose services cannot answer. It waits
 * and evaluates the application again, with exponential backoff, for at least `ride-out-ms`; after that the
 * application goes to the dead-letter topic. Each service client retries its own calls first (`services.<name>`).
 */
const AnalyserRetrySchema = z
  .object({
    /** An outage at least this long is ridden out: applications wait, none is dead-lettered before it ends. */
    'ride-out-ms': millis.default(600_000),
    /** The first wait before an application is evaluated again; later waits double up to `max-delay-ms`. */
    'initial-delay-ms': z.number().int().min(1).default(250),
    'max-delay-ms': z.number().int().min(1).default(15_000),
  })
  .strict()
  .refine((r) => r['max-delay-ms'] >= r['initial-delay-ms'], {
    message: 'max-delay-ms is below initial-delay-ms',
    path: ['max-delay-ms'],
  })
  .transform((r) => ({
    rideOutMs: r['ride-out-ms'],
    initialDelayMs: r['initial-delay-ms'],
    maxDelayMs: r['max-delay-ms'],
  }));

/**
 * `events-analyser`: thesis figure 25's `campaigns`, plus how the analyser runner works (ours): `concurrency`
 * (applications evaluated at once, at most one per client phone), `max-in-flight` (applications fetched and not yet
 * published; partitions pause at the bound) and `retry`.
 */
export const EventsAnalyserSchema = z
  .object({
    campaigns: z.array(CampaignSchema).min(1),
    concurrency: z.number().int().min(1).max(100_000).default(512),
    'max-in-flight': z.number().int().min(1).max(1_000_000).default(4000),
    retry: AnalyserRetrySchema.prefault({}),
  })
  .catchall(z.unknown())
  .superRefine((analyser, ctx) => {
    const seen = new Set<number>();
    analyser.campaigns.forEach((c, i) => {
      if (seen.has(c.campaignId)) {
        ctx.addIssue({
          code: 'custom',
          path: ['campaigns', i, 'campaign-id'],
          message: `duplicate campaign id ${c.campaignId}`,
        });
      }
      seen.add(c.campaignId);
    });
    if (analyser['max-in-flight'] < analyser.concurrency) {
      ctx.addIssue({
        code: 'custom',
        path: ['max-in-flight'],
        message: `max-in-flight (${analyser['max-in-flight']}) is below concurrency (${analyser.concurrency}): the extra concurrency could never be used`,
      });
    }
  })
  .transform((a) => ({
    campaigns: a.campaigns,
    concurrency: a.concurrency,
    maxInFlight: a['max-in-flight'],
    retry: a.retry,
  }));

export type CampaignConfig = z.output<typeof CampaignSchema>;
export type EventsAnalyserConfig = z.output<typeof EventsAnalyserSchema>;
