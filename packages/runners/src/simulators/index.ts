export { type AbramRates, abramCheckFor, abramProductsFor, createAbramSimulator } from './abram-simulator.js';
export {
  type BlacklistEntry,
  BlacklistFileError,
  loadBlacklistFile,
  parseBlacklist,
} from './blacklist-file.js';
export { createBlacklistSimulator } from './blacklist-simulator.js';
export { CASPER_TIME_ZONES, casperClientFor, createCasperSimulator } from './casper-simulator.js';
export { FaultControl, type FaultSettings, type SimulatorStats } from './faults.js';
export { seededId, seededUnit } from './seeded.js';
export {
  type RunningSimulator,
  type RunningSimulators,
  type RunningTelephonySimulator,
  type SimulatedService,
  type StartSimulatorsOptions,
  startSimulators,
} from './start-simulators.js';
export {
  DEMO_TELEPHONY_API_KEY,
  DEMO_TELEPHONY_OPERATOR_SECRET,
  type SimulatedCallEvent,
  type SimulatedTaskInput,
  simulatedCallFor,
  TELEPHONY_API_KEY_ENV,
  TELEPHONY_OPERATOR_SECRET_ENV,
  TelephonyModel,
  type TelephonyModelSettings,
  TelephonyRefusal,
  type TelephonyStats,
  telephonySecretsFromEnv,
} from './telephony-model.js';
export {
  createTelephonySimulator,
  MAX_EVENTS_PAGE,
  TELEPHONY_API,
  telephonyModelSettings,
} from './telephony-simulator.js';
