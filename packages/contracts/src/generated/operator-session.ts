// Generated from schemas/ by packages/contracts/scripts/gen-types.ts. Do not edit; run `pnpm --filter @tm/contracts gen:types`.
/* biome-ignore-all lint: generated code */
export type AvroType = TmOperatorSession;

export type TmSessionAction = "OPEN" | "CLOSE" | "READY" | "BREAK";

/**
 * An operator's session changed: the ARM opened it at login or closed it at logout (thesis 2.6.6.1-2), or the operator went ready or on a break. Topic tm-operator-sessions, keyed by operator id. The dialer polls the telephony for the operators whose session is open.
 */
export interface TmOperatorSession {
    /**
     * Unique id of the event; repeats change nothing.
     */
    eventId: string;
    /**
     * TM$OPERATORS.ID.
     */
    operatorId: number;
    /**
     * OPEN at login, CLOSE at logout or when the ARM ends a session it found abandoned; READY and BREAK while open.
     */
    action: TmSessionAction;
    /**
     * Why, when not the operator's own request (e.g. TOKEN_EXPIRED).
     *
     * Default: null
     */
    reason: null | string;
    occurredAt: number;
}

