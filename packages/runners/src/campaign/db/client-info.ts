import { type Candidate, canonicalTimeZone } from '@tm/contracts';

/**
 * TM$CAMPAIGN_TASKS.CLIENT_INFO: what the operator's client card and the dispatcher need from a candidate — the
 * application, the Casper profile and the Abram products, plus the filters passed and when the analyser decided.
 */
export interface ClientInfo {
  candidateId: string;
  application: Candidate['application'];
  casperProfile: Candidate['casperProfile'];
  products: Candidate['products'];
  filtersPassed: string[];
  decidedAt: number;
}

/** The CLIENT_INFO document of a candidate. */
export function clientInfoOf(candidate: Candidate): ClientInfo {
  return {
    candidateId: candidate.candidateId,
    application: candidate.application,
    casperProfile: candidate.casperProfile,
    products: candidate.products,
    filtersPassed: candidate.filtersPassed,
    decidedAt: candidate.decidedAt,
  };
}

/**
 * The zone a candidate's calling hours are checked in: Casper's time zone, canonically spelt, when it is a zone
 * this runtime knows, else `defaultTimeZone`. Checked here, once, so the dispatch query never meets an unknown zone.
 */
export function clientTimeZoneOf(candidate: Candidate, defaultTimeZone: string): string {
  const zone = candidate.casperProfile?.timeZone?.trim();
  return (zone && canonicalTimeZone(zone)) || defaultTimeZone;
}
