import type { CasperProfile, Product } from '@tm/contracts';

/** The application is a candidate of the campaign: it passed every step, and is enriched for the operator. */
export interface CandidateOutcome {
  readonly kind: 'candidate';
  readonly campaignId: number;
  /** DATA_STREAM, REQUEST_STATUS, then the cascade's filters, in the order they ran. */
  readonly filtersPassed: readonly string[];
  /** Null when Casper does not know the client or the campaign turned `casper-enrichment` off. */
  readonly casperProfile: CasperProfile | null;
  /** Abram's products for the client (possibly none, unless PRODUCTS_AVAILABLE ran). */
  readonly products: readonly Product[];
  /** Things a reader of this decision should know, `FILTER: what` (an ML error let through by ml-skip-error). */
  readonly notes: readonly string[];
}

/** The application is certainly not a candidate of the campaign: `filter` stopped it. */
export interface RejectionOutcome {
  readonly kind: 'rejection';
  readonly campaignId: number;
  /** DATA_STREAM, REQUEST_STATUS or the name of the filter that rejected. */
  readonly filter: string;
  readonly reason: string;
  readonly detail?: string;
  /** The steps passed before the rejecting one. */
  readonly filtersPassed: readonly string[];
  readonly notes: readonly string[];
}

/** What one campaign decided about one application. */
export type CampaignOutcome = CandidateOutcome | RejectionOutcome;

/** The cascade's own rejection names (thesis figure 25's `data-streams` and `request-statuses`). */
export const DATA_STREAM = 'DATA_STREAM';
export const REQUEST_STATUS = 'REQUEST_STATUS';
