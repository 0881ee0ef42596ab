export {
  ANALYSER_STAGE_NAME,
  type AnalyserStage,
  type AnalyserStageOptions,
  createAnalyserStage,
} from './analyser-stage.js';
export { type DecisionSinks, decisionRecords } from './decision-records.js';
export {
  attemptsToRideOut,
  longestRideOut,
  type RideOutSettings,
  rideOutRetryPolicy,
} from './ride-out-retry.js';
