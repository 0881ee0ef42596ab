import { z } from 'zod';
import { commaList } from './common.js';

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

export const EventsAnalyserSchema = z
  .object({
    campaigns: z.array(CampaignSchema).min(1),
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
  });

export type CampaignConfig = z.output<typeof CampaignSchema>;
export type EventsAnalyserConfig = z.output<typeof EventsAnalyserSchema>;
