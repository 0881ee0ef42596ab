import { defaultConfigPath, loadPipelineConfig, type PipelineConfig } from '@tm/contracts';

/** What the demo changes in config/pipeline.yaml, printed with its summary so nobody mistakes it for production. */
export const DEMO_OVERRIDES = [
  'transport: memory (every stage in this process)',
  'database: embedded PGlite',
  'external services: the simulators, in this process, answering in 1–2 ms',
  'calling hours: the whole day (00:00–24:00), so dispatch happens whatever the time of day',
] as const;

/**
 * The embedded default: the repository's pipeline config with its CSV folders under `dir`, the memory transport,
 * in-process simulators on free ports, and calling hours widened to the whole day.
 */
export function demoConfig(dir: string, file = defaultConfigPath()): PipelineConfig {
  const config = loadPipelineConfig(file, { ...process.env, TM_CSV_DIR: dir });
  config.infra.transport = 'memory';
  for (const service of ['blacklist', 'casper', 'abram', 'telephony'] as const) {
    config.simulators[service].port = 0;
    config.simulators[service].latency = { fixedMs: 1, jitterMs: 1 };
  }
  for (const campaign of config.campaignEngine.campaigns)
    campaign.callingHours = { from: '00:00', to: '24:00' };
  return config;
}
