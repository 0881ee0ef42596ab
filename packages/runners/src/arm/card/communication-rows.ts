import type { Knex } from 'knex';
import type { ClientInfo } from '../../campaign/db/client-info.js';
import { withDbContext } from '../../campaign/db/errors.js';

/** One communication with what a card or a list shows of it: its task, campaign, operator and result window. */
export interface CommunicationRow {
  id: number;
  state: 'NEW' | 'DRAFT' | 'FIXED';
  resultDetails: { reason?: string | null; result?: string | null; comment?: string | null };
  startedAt: Date | null;
  endedAt: Date | null;
  writtenAt: Date;
  taskId: number;
  attempt: number;
  operatorId: number;
  phone: string;
  clientInfo: ClientInfo;
  campaignId: number;
  campaignName: string;
  operatorFirstName: string | null;
  operatorLastName: string | null;
  resultDueAt: Date | null;
  resultWindowClosedAt: Date | null;
}

interface RawRow {
  id: string;
  state: CommunicationRow['state'];
  result_details: CommunicationRow['resultDetails'] | null;
  started_at: Date | null;
  ended_at: Date | null;
  wtime: Date;
  campaign_task_id: string;
  attempt: number;
  operator_id: string;
  phone: string;
  client_info: ClientInfo;
  campaign_id: string;
  campaign_name: string;
  first_name: string | null;
  last_name: string | null;
  due_at: Date | null;
  closed_at: Date | null;
}

const SELECT = `
  SELECT c.ID, c.STATE, c.RESULT_DETAILS, c.STARTED_AT, c.ENDED_AT, c.WTIME, c.CAMPAIGN_TASK_ID, c.ATTEMPT,
         c.OPERATOR_ID, t.PHONE, t.CLIENT_INFO, t.CAMPAIGN_ID, cp.NAME AS CAMPAIGN_NAME,
         o.FIRST_NAME, o.LAST_NAME, w.DUE_AT, w.CLOSED_AT
    FROM TM$COMMUNICATIONS c
    JOIN TM$CAMPAIGN_TASKS t ON t.ID = c.CAMPAIGN_TASK_ID
    JOIN TM$CAMPAIGNS cp ON cp.ID = t.CAMPAIGN_ID
    LEFT JOIN TM$OPERATORS o ON o.ID = c.OPERATOR_ID
    LEFT JOIN TM$RESULT_WINDOWS w ON w.COMMUNICATION_ID = c.ID`;

const rowOf = (r: RawRow): CommunicationRow => ({
  id: Number(r.id),
  state: r.state,
  resultDetails: r.result_details ?? {},
  startedAt: r.started_at,
  endedAt: r.ended_at,
  writtenAt: r.wtime,
  taskId: Number(r.campaign_task_id),
  attempt: r.attempt,
  operatorId: Number(r.operator_id),
  phone: r.phone,
  clientInfo: r.client_info,
  campaignId: Number(r.campaign_id),
  campaignName: r.campaign_name,
  operatorFirstName: r.first_name,
  operatorLastName: r.last_name,
  resultDueAt: r.due_at,
  resultWindowClosedAt: r.closed_at,
});

async function select(
  db: Knex,
  where: string,
  bindings: readonly Knex.RawBinding[],
): Promise<CommunicationRow[]> {
  const { rows } = await db.raw<{ rows: RawRow[] }>(`${SELECT} ${where}`, bindings);
  return rows.map(rowOf);
}

/**
 * The communication `id` if it is `operatorId`'s, else undefined — the same answer for another operator's
 * communication as for one that does not exist.
 */
export function ownCommunication(
  db: Knex,
  id: number,
  operatorId: number,
): Promise<CommunicationRow | undefined> {
  return withDbContext('ownCommunication', { communicationId: id }, async () => {
    const rows = await select(db, 'WHERE c.ID = ? AND c.OPERATOR_ID = ?', [id, operatorId]);
    return rows[0];
  });
}

/** The client's other communications, any campaign and operator, newest first (the card's history). */
export function clientHistory(
  db: Knex,
  phone: string,
  exceptId: number,
  limit: number,
): Promise<CommunicationRow[]> {
  return withDbContext('clientHistory', { exceptId }, () =>
    select(db, 'WHERE t.PHONE = ? AND c.ID <> ? ORDER BY COALESCE(c.STARTED_AT, c.WTIME) DESC LIMIT ?', [
      phone,
      exceptId,
      limit,
    ]),
  );
}

/**
 * The operator's rework list (thesis fig. 47): their DRAFT communications, and those of `draftsInFlight` still NEW
 * (a DRAFT published the engine has not stored yet), the latest call first.
 */
export function reworkList(
  db: Knex,
  operatorId: number,
  limit: number,
  draftsInFlight: readonly number[] = [],
): Promise<CommunicationRow[]> {
  return withDbContext('reworkList', { operatorId }, () =>
    select(
      db,
      `WHERE c.OPERATOR_ID = ? AND (c.STATE = 'DRAFT' OR (c.STATE = 'NEW' AND c.ID = ANY(?::bigint[])))
       ORDER BY c.ENDED_AT DESC NULLS LAST, c.ID DESC LIMIT ?`,
      [operatorId, [...draftsInFlight], limit],
    ),
  );
}

/**
 * The operator's latest communication whose call is going on or whose result window is open: the current card
 * when the ARM's fast state has none (Redis lost it).
 */
export function latestOpenCommunication(db: Knex, operatorId: number): Promise<CommunicationRow | undefined> {
  return withDbContext('latestOpenCommunication', { operatorId }, async () => {
    const rows = await select(
      db,
      `WHERE c.OPERATOR_ID = ? AND c.STATE = 'NEW'
         AND ((c.ENDED_AT IS NULL AND c.STARTED_AT > now() - interval '2 hours') OR (w.CLOSED_AT IS NULL AND w.DUE_AT IS NOT NULL))
       ORDER BY c.ID DESC LIMIT 1`,
      [operatorId],
    );
    return rows[0];
  });
}

/** The client's applications of every task (any campaign), newest first, one per application number. */
export function clientApplications(
  db: Knex,
  phone: string,
  limit: number,
): Promise<{ taskId: number; clientInfo: ClientInfo }[]> {
  return withDbContext('clientApplications', {}, async () => {
    const { rows } = await db.raw<{ rows: { id: string; client_info: ClientInfo }[] }>(
      `SELECT ID, CLIENT_INFO FROM (
         SELECT DISTINCT ON (CLIENT_INFO->'application'->>'applicationNumber') ID, CLIENT_INFO, WTIME
           FROM TM$CAMPAIGN_TASKS WHERE PHONE = ?
          ORDER BY CLIENT_INFO->'application'->>'applicationNumber', WTIME DESC) a
        ORDER BY WTIME DESC LIMIT ?`,
      [phone, limit],
    );
    return rows.map((r) => ({ taskId: Number(r.id), clientInfo: r.client_info }));
  });
}
