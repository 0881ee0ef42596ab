// Generated from schemas/ by packages/contracts/scripts/gen-types.ts. Do not edit; run `pnpm --filter @tm/contracts gen:types`.
/* biome-ignore-all lint: generated code */
export type AvroType = TmApplication;

export type TmApplicationStatus = "created" | "registered" | "scored" | "canceled";

export type TmLoanStatus = "transferred" | "received" | "canceled" | "repaid";

export type TmScoringResult = "approved" | "rejected";

export type TmClientType = "pioneer" | "repeater";

export type TmGender = "M" | "F";

export type TmPeriodUnit = "day" | "month";

/**
 * One loan application: a row of an intake CSV file (thesis Appendix A) that passed format control. Times are UTC epoch milliseconds converted from Moscow time (UTC+3); dates of birth are days since the epoch. Topic tml-incoming-events, keyed by applicationNumber.
 */
export interface TmApplication {
    /**
     * 1.1 Application number (digits, kept as written).
     */
    applicationNumber: string;
    /**
     * 1.2 + 1.3 Created (draft) date and time.
     */
    createdAt: number;
    /**
     * 1.4 + 1.5 Last significant change of the application.
     */
    changedAt: number;
    /**
     * 1.6 Business status of the application.
     */
    applicationStatus: TmApplicationStatus;
    /**
     * 1.7 + 1.8 Last significant change of the loan; both columns present or both absent.
     *
     * Default: null
     */
    loanChangedAt: null | number;
    /**
     * 1.9 Business status of the loan; the thesis's spelling `recieved` is read as received.
     *
     * Default: null
     */
    loanStatus: null | TmLoanStatus;
    /**
     * 1.10 Scoring result; only present when applicationStatus is scored.
     *
     * Default: null
     */
    scoringResult: null | TmScoringResult;
    /**
     * 2.1 First-time (pioneer) or repeat (repeater) client.
     */
    clientType: TmClientType;
    /**
     * 2.2 Phone: 11 digits, first digit 7, no plus sign.
     */
    phone: string;
    /**
     * 2.3 faceID.
     *
     * Default: null
     */
    faceId: null | string;
    /**
     * 2.4 Citizenship, ISO 3166-1 alpha-3 (KGZ).
     *
     * Default: null
     */
    citizenship: null | string;
    /**
     * 2.5 Identity document series.
     *
     * Default: null
     */
    passportSeries: null | string;
    /**
     * 2.6 Identity document number.
     *
     * Default: null
     */
    passportNumber: null | string;
    /**
     * 2.7 Last name (Cyrillic or Latin).
     *
     * Default: null
     */
    lastName: null | string;
    /**
     * 2.8 First name.
     *
     * Default: null
     */
    firstName: null | string;
    /**
     * 2.9 Middle name (patronymic).
     *
     * Default: null
     */
    middleName: null | string;
    /**
     * 2.10 Date of birth, days since 1970-01-01.
     *
     * Default: null
     */
    birthDate: null | number;
    /**
     * 2.11 Gender.
     *
     * Default: null
     */
    gender: null | TmGender;
    /**
     * 3.1 Device OS.
     *
     * Default: null
     */
    os: null | string;
    /**
     * 3.2 Mobile app version.
     *
     * Default: null
     */
    appVersion: null | string;
    /**
     * 3.3 Device id.
     *
     * Default: null
     */
    deviceId: null | string;
    /**
     * 4.1 Requested amount, whole roubles.
     *
     * Default: null
     */
    requestedAmount: null | number;
    /**
     * 4.2 Approved amount, whole roubles.
     *
     * Default: null
     */
    approvedAmount: null | number;
    /**
     * 4.3 Product type, an open set: express, consumer, overdraft, securedByCar, onlineCreditTransfer, webExpress or another name.
     *
     * Default: null
     */
    productType: null | string;
    /**
     * 4.4 Loan term, in termUnit.
     *
     * Default: null
     */
    term: null | number;
    /**
     * 4.5 Unit of the term.
     *
     * Default: null
     */
    termUnit: null | TmPeriodUnit;
    /**
     * 4.6 Grace period, in graceUnit.
     *
     * Default: null
     */
    grace: null | number;
    /**
     * 4.7 Unit of the grace period.
     *
     * Default: null
     */
    graceUnit: null | TmPeriodUnit;
    /**
     * Data stream the file came from (MOBILE_LOANS, POS_REJECT).
     */
    dataStream: string;
    /**
     * Name of the CSV file the row came from.
     */
    sourceFile: string;
    /**
     * 1-based line of the row in its file.
     */
    lineNumber: number;
    /**
     * When intake read the row.
     */
    receivedAt: number;
}

