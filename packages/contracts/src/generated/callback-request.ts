// Generated from schemas/ by packages/contracts/scripts/gen-types.ts. Do not edit; run `pnpm --filter @tm/contracts gen:types`.
/* biome-ignore-all lint: generated code */
export type AvroType = TmCallbackRequest;

/**
 * Click-to-call (seed 003): an operator asked, through the ARM, to call the client of one of their own communications back. Topic tm-callback-requests, keyed by operator id. The dialer asks the telephony to call the client and connect this operator; the call's events come back on tm-call-events with the task id and attempt given here.
 */
export interface TmCallbackRequest {
    /**
     * Unique id of the request; repeats change nothing.
     */
    requestId: string;
    /**
     * The operator to connect (TM$OPERATORS.ID).
     */
    operatorId: number;
    /**
     * The communication the operator called back from (TM$COMMUNICATIONS.ID).
     */
    communicationId: number;
    /**
     * TM$CAMPAIGN_TASKS.ID of that communication.
     */
    taskId: number;
    /**
     * The communication's attempt.
     *
     * Default: null
     */
    attempt: null | number;
    /**
     * The client's phone, 11 digits; never shown to the operator.
     */
    phone: string;
    requestedAt: number;
}

