/**
 * @tm/contracts — the data contracts of the telemarketing pipeline (DESIGN.md §4): TypeScript types generated from
 * the Avro schemas in schemas/, their names, the pipeline config, and the CSV contract of thesis Appendix A (format
 * control of intake files).
 * @packageDocumentation
 */

export * from './config/index.js';
export * from './csv/index.js';
export type {
  TmApplication as Application,
  TmApplicationStatus as ApplicationStatus,
  TmClientType as ClientType,
  TmGender as Gender,
  TmLoanStatus as LoanStatus,
  TmPeriodUnit as PeriodUnit,
  TmScoringResult as ScoringResult,
} from './generated/application.js';
export type {
  TmCallEvent as CallEvent,
  TmCallEventType as CallEventType,
  TmCallOutcome as CallOutcome,
} from './generated/call-event.js';
export type { TmCallbackRequest as CallbackRequest } from './generated/callback-request.js';
export type {
  TmCandidate as Candidate,
  TmCasperProfile as CasperProfile,
  TmProduct as Product,
} from './generated/candidate.js';
export type {
  TmCommunicationResult as CommunicationResult,
  TmResultState as ResultState,
} from './generated/communication-result.js';
export type { TmDialAction as DialAction, TmDialTask as DialTask } from './generated/dial-task.js';
export type {
  TmOperatorSession as OperatorSession,
  TmSessionAction as SessionAction,
} from './generated/operator-session.js';
export type { TmRejection as Rejection } from './generated/rejection.js';
export { SchemaNames, schemasDir } from './schemas.js';
