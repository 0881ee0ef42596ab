export { HttpTelephony, type HttpTelephonyOptions } from './http-telephony.js';
export {
  type AddTaskOutcome,
  type DeleteTaskResult,
  type OperatorCredentials,
  type OperatorSession,
  type OperatorStatus,
  type PolledEvents,
  type Telephony,
  type TelephonyCallEvent,
  TelephonyError,
  type TelephonyErrorKind,
  type TelephonyTask,
} from './telephony.js';
