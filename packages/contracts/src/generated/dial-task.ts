// Generated from schemas/ by packages/contracts/scripts/gen-types.ts. Do not edit; run `pnpm --filter @tm/contracts gen:types`.
/* biome-ignore-all lint: generated code */
export type AvroType = TmDialTask;

export type TmDialAction = "ADD" | "DELETE";

/**
 * An instruction to the telephony adapter: add a campaign task to the dialler queue, or delete it. Topic tm-dial-tasks, keyed by phone.
 */
export interface TmDialTask {
    /**
     * Unique id of this instruction; the dialer drops repeats of it.
     */
    dialTaskId: string;
    action: TmDialAction;
    /**
     * TM$CAMPAIGN_TASKS.ID.
     */
    taskId: number;
    campaignId: number;
    phone: string;
    /**
     * 1 for the first call of the task, 2 for the first re-call, ...
     */
    attempt: number;
    /**
     * IANA zone the calling hours were checked in.
     */
    clientTimeZone: string;
    createdAt: number;
}

