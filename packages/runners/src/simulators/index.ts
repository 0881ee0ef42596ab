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
  type SimulatedService,
  startSimulators,
} from './start-simulators.js';
