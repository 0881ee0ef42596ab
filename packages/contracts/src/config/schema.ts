import { z } from 'zod';
import { EventsAnalyserSchema } from './sections/campaigns.js';
import { EventsSchema } from './sections/events.js';
import { InfraSchema } from './sections/infra.js';
import { ServicesSchema } from './sections/services.js';
import { SimulatorsSchema } from './sections/simulators.js';
import { TopicsSchema } from './sections/topics.js';

/**
 * The whole of config/pipeline.yaml. Each section has its own file under sections/, owned by the stage that reads
 * it. Sections not yet given a schema (`campaign-engine`) are accepted as objects and checked by their owners.
 */
export const PipelineConfigSchema = z
  .object({
    'csv-events-base-folder': z.string().optional(),
    events: EventsSchema,
    'events-analyser': EventsAnalyserSchema,
    topics: TopicsSchema.prefault({}),
    services: ServicesSchema.prefault({}),
    simulators: SimulatorsSchema.prefault({}),
    'campaign-engine': z.record(z.string(), z.unknown()).default({}),
    infra: InfraSchema,
  })
  .strict()
  .transform((c) => ({
    csvEventsBaseFolder: c['csv-events-base-folder'],
    events: c.events,
    eventsAnalyser: c['events-analyser'],
    topics: c.topics,
    services: c.services,
    simulators: c.simulators,
    campaignEngine: c['campaign-engine'],
    infra: c.infra,
  }));

export type PipelineConfig = z.output<typeof PipelineConfigSchema>;
