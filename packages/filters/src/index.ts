/**
 * @tm/filters — the analyser's decisions (thesis §2.6.2): the filter framework, the telemarketing filters, and the
 * clients of the external services BlackList, Casper and Abram (thesis §2.3).
 *
 * The analyser runner calls, once at start-up, {@link createFilterRegistry}, {@link compileCampaigns} and
 * {@link createServiceClients}; then {@link evaluateApplication} per record, publishing {@link candidateOf} /
 * {@link rejectionOf} of each outcome, and retrying or dead-lettering on {@link ApplicationEvaluationError}.
 * @packageDocumentation
 */

export { evaluateApplication } from './evaluate.js';
export { AGE, ageOn } from './filters/age.js';
export { BUILTIN_FILTERS, createFilterRegistry } from './filters/builtin.js';
export { DAYS_PER_MONTH, GRACE_PERIOD, graceInDays } from './filters/grace-period.js';
export { ML_DEVICE, ML_DOCUMENT, ML_ERROR, ML_FACE, ML_PHONE } from './filters/ml-checks.js';
export { PHONE_BLACK_LIST } from './filters/phone-black-list.js';
export { PHONE_TEMPLATES, wholePhonePattern } from './filters/phone-templates.js';
export { PRODUCTS_AVAILABLE } from './filters/products-available.js';
export { RESIDENCE } from './filters/residence.js';
export { evaluateCampaign } from './framework/cascade.js';
export {
  type CampaignCheck,
  type CompiledCampaign,
  type CompiledStep,
  checkCampaigns,
  compileCampaign,
  compileCampaigns,
} from './framework/compile.js';
export { ApplicationEvaluationError, isRetriable } from './framework/evaluation-error.js';
export {
  type CampaignInfo,
  defineFilter,
  type Filter,
  type FilterContext,
  type FilterDefinition,
  keysOfSchema,
  noSettings,
  type ServiceName,
} from './framework/filter.js';
export {
  type CampaignOutcome,
  type CandidateOutcome,
  DATA_STREAM,
  REQUEST_STATUS,
  type RejectionOutcome,
} from './framework/outcome.js';
export { FilterRegistrationError, FilterRegistry, RESERVED_FILTER_NAMES } from './framework/registry.js';
export { type FilterVerdict, pass, reject } from './framework/verdict.js';
export { candidateOf, maskPhone, rejectionOf } from './records.js';
export { ABRAM_ASSESS_PATH, AbramClient } from './services/abram-client.js';
export {
  BLACKLIST_SEARCH_PATH,
  BlacklistClient,
  recordsFor,
  searchQuery,
} from './services/blacklist-client.js';
export { CASPER_SEARCH_PATH, CasperClient } from './services/casper-client.js';
export {
  HttpStatusError,
  ServiceError,
  type ServiceId,
  ServiceRequestError,
  ServiceResponseError,
  ServiceUnavailableError,
} from './services/errors.js';
export {
  ABRAM_ASSESS,
  type AbramAssessBody,
  BLACKLIST_SEARCH,
  type BlacklistSearchBody,
  CASPER_SEARCH,
  type CasperSearchBody,
  type HttpContract,
  requestJsonSchema,
} from './services/http-contracts.js';
export {
  type BreakerState,
  breakerStateOf,
  createServicePolicy,
  isTransient,
  type ServicePolicy,
} from './services/resilience.js';
export { createServiceClients, type ServiceClients } from './services/service-clients.js';
export {
  abramRequestOf,
  casperQueryOf,
  createServiceLookups,
  keptAnswers,
  type ServiceLookups,
} from './services/service-lookups.js';
export {
  type AbramAssessment,
  type AbramRequest,
  type AbramService,
  type BlacklistRecord,
  type BlacklistService,
  type BlacklistSubject,
  type CasperQuery,
  type CasperService,
  ML_CHECKS,
  type MlCheck,
  type MlCheckResult,
  type MlCheckStatus,
  type Services,
} from './services/types.js';
export {
  type BreakerLog,
  type BreakerWatch,
  policiesOf,
  watchBreakers,
} from './services/watch-breakers.js';
