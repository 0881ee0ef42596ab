import type { CasperProfile, ClientType, Product } from '@tm/contracts';

/** What BlackList is asked about one application: its phone and, when known, its device id. */
export interface BlacklistSubject {
  readonly phone: string;
  readonly deviceId: string | null;
}

/** One BlackList record that matched (thesis §2.3.1: a client's data with the reason for blocking). */
export interface BlacklistRecord {
  readonly id: string;
  readonly phone: string | null;
  readonly deviceId: string | null;
  readonly reason: string | null;
}

/** What Casper is asked (thesis §2.3.2): phone, device id, passport series and number. */
export interface CasperQuery {
  readonly phone: string;
  readonly deviceId: string | null;
  readonly passportSeries: string | null;
  readonly passportNumber: string | null;
}

/** The four checks of Abram's ML models, one per subject (figure 25's ML_DEVICE, ML_PHONE, ML_FACE, ML_DOCUMENT). */
export type MlCheck = 'device' | 'phone' | 'face' | 'document';

/** ML_CHECKS in the order figure 25 lists them. */
export const ML_CHECKS: readonly MlCheck[] = ['device', 'phone', 'face', 'document'];

/**
 * One check's answer. PASSED / FAILED are the model's decision; ERROR means the model could not decide (the
 * "ML error" that `ml-skip-error` governs); NOT_CHECKED means Abram lacked the subject (no face id sent).
 */
export type MlCheckStatus = 'PASSED' | 'FAILED' | 'ERROR' | 'NOT_CHECKED';

export interface MlCheckResult {
  readonly status: MlCheckStatus;
  readonly reason: string | null;
}

/** What Abram is asked about one application (thesis §2.3.3: the client's features). */
export interface AbramRequest {
  readonly applicationNumber: string;
  readonly clientType: ClientType;
  readonly phone: string;
  readonly deviceId: string | null;
  readonly faceId: string | null;
  readonly passportSeries: string | null;
  readonly passportNumber: string | null;
  /** ISO date (YYYY-MM-DD) or null. */
  readonly birthDate: string | null;
  readonly requestedAmount: number | null;
  readonly productType: string | null;
}

/** Abram's answer: every ML check and the products the client may be offered. */
export interface AbramAssessment {
  readonly checks: Readonly<Record<MlCheck, MlCheckResult>>;
  readonly products: readonly Product[];
}

/** BlackList as the filters see it. */
export interface BlacklistService {
  search(subject: BlacklistSubject): Promise<readonly BlacklistRecord[]>;
}

/** Casper as the filters see it: the client's profile, or null when Casper does not know the client. */
export interface CasperService {
  findClient(query: CasperQuery): Promise<CasperProfile | null>;
}

/** Abram as the filters see it. */
export interface AbramService {
  assess(request: AbramRequest): Promise<AbramAssessment>;
}

/**
 * The external systems as the filters see them. The HTTP clients of this package implement these; tests may pass
 * plain objects. Implementations must throw (never resolve with a made-up answer) when they cannot answer.
 */
export interface Services {
  readonly blacklist: BlacklistService;
  readonly casper: CasperService;
  readonly abram: AbramService;
}
