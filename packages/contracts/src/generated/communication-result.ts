// Generated from schemas/ by packages/contracts/scripts/gen-types.ts. Do not edit; run `pnpm --filter @tm/contracts gen:types`.
/* biome-ignore-all lint: generated code */
export type AvroType = TmCommunicationResult;

export type TmResultState = "DRAFT" | "FIXED";

/**
 * What the operator saved for a communication (ARM saveCommunicationDraft / saveCommunicationResult, Appendices И and К). Topic tm-communication-results, keyed by operator id.
 */
export interface TmCommunicationResult {
    /**
     * Unique id of this save; repeats change nothing.
     */
    eventId: string;
    /**
     * TM$COMMUNICATIONS.ID.
     */
    communicationId: number;
    taskId: number;
    operatorId: number;
    clientPhone: string;
    /**
     * DRAFT from saveCommunicationDraft, FIXED from saveCommunicationResult.
     */
    state: TmResultState;
    /**
     * Default: null
     */
    reason: null | string;
    /**
     * The outcome; campaigns list which outcomes mean call again.
     *
     * Default: null
     */
    result: null | string;
    /**
     * Default: null
     */
    comment: null | string;
    savedAt: number;
}

