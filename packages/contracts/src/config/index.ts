export { interpolate, relaxedEnvName } from './interpolate.js';
export {
  ConfigError,
  type ConfigProblem,
  defaultConfigPath,
  keyPath,
  loadPipelineConfig,
  parsePipelineConfig,
  problemsOf,
} from './load.js';
export { type PipelineConfig, PipelineConfigSchema } from './schema.js';
export { type ArmConfig, ArmSchema } from './sections/arm.js';
export {
  CAMPAIGN_DOMAINS,
  type CampaignDomain,
  type CampaignEngineConfig,
  type CampaignEngineRules,
  canonicalTimeZone,
  isTimeZone,
} from './sections/campaign-engine.js';
export type { CampaignConfig, EventsAnalyserConfig } from './sections/campaigns.js';
export { commaList, millis } from './sections/common.js';
export { type DialerConfig, DialerSchema } from './sections/dialer.js';
export type { CsvDialect, DataStreamConfig, EventsConfig } from './sections/events.js';
export type { InfraConfig } from './sections/infra.js';
export type { KpiConfig } from './sections/kpi.js';
export { type SecurityConfig, SecuritySchema } from './sections/security.js';
export {
  type BlacklistClientConfig,
  type ServiceClientConfig,
  type ServicesConfig,
  ServicesSchema,
} from './sections/services.js';
export {
  type SimulatorsConfig,
  SimulatorsSchema,
  type TelephonySimulatorConfig,
} from './sections/simulators.js';
export type { TopicsConfig } from './sections/topics.js';
