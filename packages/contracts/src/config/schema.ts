import { z } from 'zod';
import { ArmSchema } from './sections/arm.js';
import {
  CampaignEngineSchema,
  resolveCampaignEngine,
  unknownEngineCampaigns,
} from './sections/campaign-engine.js';
import { EventsAnalyserSchema } from './sections/campaigns.js';
import { DialerSchema } from './sections/dialer.js';
import { EventsSchema } from './sections/events.js';
import { InfraSchema } from './sections/infra.js';
import { KpiSchema } from './sections/kpi.js';
import { SecuritySchema } from './sections/security.js';
import { ServicesSchema } from './sections/services.js';
import { SimulatorsSchema } from './sections/simulators.js';
import { TopicsSchema } from './sections/topics.js';

/**
 * The whole of config/pipeline.yaml. Each section has its own file under sections/, owned by the stage that reads
 * it. Every section has a schema of its own.
 */
export const PipelineConfigSchema = z
  .object({
    'csv-events-base-folder': z.string().optional(),
    events: EventsSchema,
    'events-analyser': EventsAnalyserSchema,
    topics: TopicsSchema.prefault({}),
    services: ServicesSchema.prefault({}),
    simulators: SimulatorsSchema.prefault({}),
    'campaign-engine': CampaignEngineSchema.prefault({}),
    security: SecuritySchema.prefault({}),
    arm: ArmSchema.prefault({}),
    dialer: DialerSchema.prefault({}),
    kpi: KpiSchema.prefault({}),
    infra: InfraSchema,
  })
  .strict()
  .superRefine((c, ctx) => {
    const ids = c['events-analyser'].campaigns.map((campaign) => campaign.campaignId);
    for (const { index, campaignId } of unknownEngineCampaigns(c['campaign-engine'], ids)) {
      ctx.addIssue({
        code: 'custom',
        path: ['campaign-engine', 'campaigns', index, 'campaign-id'],
        message: `campaign ${campaignId} is not in events-analyser.campaigns`,
      });
    }
  })
  .transform((c) => ({
    csvEventsBaseFolder: c['csv-events-base-folder'],
    events: c.events,
    eventsAnalyser: c['events-analyser'],
    topics: c.topics,
    services: c.services,
    simulators: c.simulators,
    campaignEngine: resolveCampaignEngine(
      c['campaign-engine'],
      c['events-analyser'].campaigns.map((campaign) => campaign.campaignId),
    ),
    security: c.security,
    arm: c.arm,
    dialer: c.dialer,
    kpi: c.kpi,
    infra: c.infra,
  }));

export type PipelineConfig = z.output<typeof PipelineConfigSchema>;
