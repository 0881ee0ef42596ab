import type { Application, Candidate, Rejection } from '@tm/contracts';
import type { CandidateOutcome, RejectionOutcome } from './framework/outcome.js';

/** `+7 (***) ***-67-89`: a phone as logs and operator lists may show it (DESIGN.md §7). */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  return `+${digits.slice(0, 1) || '?'} (***) ***-${digits.slice(-4, -2)}-${digits.slice(-2)}`;
}

/** The tml-candidates record for a candidate outcome (schemas/candidate.avsc). */
export function candidateOf(app: Application, outcome: CandidateOutcome, decidedAt: number): Candidate {
  return {
    candidateId: `${app.applicationNumber}:${outcome.campaignId}`,
    campaignId: outcome.campaignId,
    phone: app.phone,
    application: app,
    casperProfile: outcome.casperProfile,
    products: [...outcome.products],
    filtersPassed: [...outcome.filtersPassed],
    decidedAt,
  };
}

/** The tml-rejections record for a rejection outcome (schemas/rejection.avsc); the detail follows the reason. */
export function rejectionOf(app: Application, outcome: RejectionOutcome, decidedAt: number): Rejection {
  return {
    applicationNumber: app.applicationNumber,
    campaignId: outcome.campaignId,
    maskedPhone: maskPhone(app.phone),
    dataStream: app.dataStream,
    filter: outcome.filter,
    reason: outcome.detail === undefined ? outcome.reason : `${outcome.reason}: ${outcome.detail}`,
    decidedAt,
  };
}
