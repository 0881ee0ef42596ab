import type { DialTask } from '@tm/contracts';

/** A TM$DIAL_TASK_OUTBOX row as the queries here select it (`OUTBOX_COLUMNS`). */
export interface OutboxRow {
  id: string;
  dial_task_id: string;
  action: DialTask['action'];
  campaign_task_id: string;
  campaign_id: string;
  phone: string;
  attempt: number;
  client_time_zone: string;
  wtime: Date;
}

/** The outbox columns {@link OutboxRow} reads, for `RETURNING` and `SELECT` lists. */
export const OUTBOX_COLUMNS =
  'ID, DIAL_TASK_ID, ACTION, CAMPAIGN_TASK_ID, CAMPAIGN_ID, PHONE, ATTEMPT, CLIENT_TIME_ZONE, WTIME';

/** A dial task waiting in (or published from) the outbox, with the outbox row id that orders it. */
export interface OutboxDialTask {
  outboxId: number;
  dialTask: DialTask;
}

/** The tm-dial-tasks message of an outbox row. BIGINT ids arrive as strings and fit a JavaScript number. */
export function outboxDialTaskOf(row: OutboxRow): OutboxDialTask {
  return {
    outboxId: Number(row.id),
    dialTask: {
      dialTaskId: row.dial_task_id,
      action: row.action,
      taskId: Number(row.campaign_task_id),
      campaignId: Number(row.campaign_id),
      phone: row.phone,
      attempt: row.attempt,
      clientTimeZone: row.client_time_zone,
      createdAt: row.wtime.getTime(),
    },
  };
}
