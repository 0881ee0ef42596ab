// Generated from schemas/ by packages/contracts/scripts/gen-types.ts. Do not edit; run `pnpm --filter @tm/contracts gen:types`.
/* biome-ignore-all lint: generated code */
export type AvroType = TmRejection;

/**
 * An application that one campaign's filter cascade stopped. Topic tml-rejections, keyed by phone.
 */
export interface TmRejection {
    applicationNumber: string;
    campaignId: number;
    /**
     * Phone with the middle digits masked: +7 (***) ***-67-89.
     */
    maskedPhone: string;
    dataStream: string;
    /**
     * The filter that rejected: DATA_STREAM, REQUEST_STATUS, RESIDENCE, AGE, PHONE_TEMPLATES, ...
     */
    filter: string;
    /**
     * Why, in words; ML_ERROR when an ML check failed and ml-skip-error is false.
     */
    reason: string;
    decidedAt: number;
}

