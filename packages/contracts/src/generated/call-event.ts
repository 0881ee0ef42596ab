// Generated from schemas/ by packages/contracts/scripts/gen-types.ts. Do not edit; run `pnpm --filter @tm/contracts gen:types`.
/* biome-ignore-all lint: generated code */
export type AvroType = TmCallEvent;

export type TmCallEventType = "CALL_STARTED" | "CALL_ENDED";

export type TmCallOutcome = "ANSWERED" | "NO_ANSWER" | "BUSY" | "FAILED";

/**
 * A call started or ended for a campaign task, reported by the dialer. Topic tm-call-events, keyed by operator id.
 */
export interface TmCallEvent {
    /**
     * Unique id of the event; repeats change nothing.
     */
    eventId: string;
    type: TmCallEventType;
    taskId: number;
    operatorId: number;
    /**
     * The telephony's id of the call.
     */
    callId: string;
    phone: string;
    /**
     * Set on CALL_ENDED.
     *
     * Default: null
     */
    durationSeconds: null | number;
    occurredAt: number;
    /**
     * The attempt of the dial task the call was made for (DialTask.attempt). Null when the dialer does not say: the call is then taken to belong to the task's attempt at the time the engine applies the event.
     *
     * Default: null
     */
    attempt: null | number;
    /**
     * Set on CALL_ENDED: how the call went. ANSWERED calls get their result from the operator (ARM); the others are closed by the system with the outcome as the result, under the campaign's re-call rules. Null (a dialer that does not say) is taken as ANSWERED.
     *
     * Default: null
     */
    outcome: null | TmCallOutcome;
}

