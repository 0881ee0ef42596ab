import type { Knex } from 'knex';
import { sqlArray } from '../campaign/db/bindings.js';
import { withDbContext } from '../campaign/db/errors.js';
import type { OperatorCredentials, OperatorStatus } from '../telephony/telephony.js';

/** An active operator as TM$MIGHTYCALL_ACTIVE_OPERATORS keeps it (thesis §2.6.6.1). */
export interface ActiveOperatorRow {
  readonly operatorId: number;
  readonly status: OperatorStatus;
  /** The telephony's cursor after the last events published; null: from the session's start. */
  readonly cursor: string | null;
}

/** Every active operator (the cache is loaded from here at start). */
export async function activeOperators(db: Knex): Promise<ActiveOperatorRow[]> {
  return withDbContext('activeOperators', {}, async () => {
    const { rows } = await db.raw<{
      rows: { operator_id: string; status: OperatorStatus; poll_cursor: string | null }[];
    }>('SELECT OPERATOR_ID, STATUS, POLL_CURSOR FROM TM$MIGHTYCALL_ACTIVE_OPERATORS ORDER BY OPERATOR_ID');
    return rows.map((r) => ({ operatorId: Number(r.operator_id), status: r.status, cursor: r.poll_cursor }));
  });
}

/**
 * Opens (or keeps open) an operator's session with `status`; a session open already keeps its cursor. Resolves
 * false when TM$OPERATORS has no such operator.
 */
export async function openOperator(db: Knex, operatorId: number, status: OperatorStatus): Promise<boolean> {
  return withDbContext('openOperator', { operatorId }, async () => {
    const { rowCount } = await db.raw<{ rowCount: number }>(
      `INSERT INTO TM$MIGHTYCALL_ACTIVE_OPERATORS (OPERATOR_ID, STATUS)
       SELECT ID, ? FROM TM$OPERATORS WHERE ID = ?
       ON CONFLICT (OPERATOR_ID) DO UPDATE SET STATUS = EXCLUDED.STATUS`,
      [status, operatorId],
    );
    return rowCount === 1;
  });
}

/** Closes an operator's session (thesis §2.6.6.2): the operator is no longer polled. */
export async function closeOperator(db: Knex, operatorId: number): Promise<void> {
  await withDbContext('closeOperator', { operatorId }, () =>
    db.raw('DELETE FROM TM$MIGHTYCALL_ACTIVE_OPERATORS WHERE OPERATOR_ID = ?', [operatorId]),
  );
}

/** Stores the operators' cursors after their events were acknowledged by the broker. */
export async function saveCursors(
  db: Knex,
  cursors: readonly { operatorId: number; cursor: string }[],
): Promise<void> {
  if (cursors.length === 0) return;
  await withDbContext('saveCursors', { count: cursors.length }, () =>
    db.raw(
      `UPDATE TM$MIGHTYCALL_ACTIVE_OPERATORS a SET POLL_CURSOR = c.CURSOR
         FROM unnest(?::bigint[], ?::text[]) AS c(OPERATOR_ID, CURSOR)
        WHERE a.OPERATOR_ID = c.OPERATOR_ID`,
      [sqlArray(cursors.map((c) => c.operatorId)), sqlArray(cursors.map((c) => c.cursor))],
    ),
  );
}

/** Records (or clears, with null) the operator's last telephony login error, for whoever looks at the table. */
export async function saveLoginError(db: Knex, operatorId: number, error: string | null): Promise<void> {
  await withDbContext('saveLoginError', { operatorId }, () =>
    db.raw('UPDATE TM$MIGHTYCALL_ACTIVE_OPERATORS SET LOGIN_ERROR = ? WHERE OPERATOR_ID = ?', [
      error?.slice(0, 512) ?? null,
      operatorId,
    ]),
  );
}

/** The operator's telephony login from TM$MIGHTYCALL_OPERATORS (table 7), or undefined when it has none. */
export async function storedCredentials(
  db: Knex,
  operatorId: number,
): Promise<OperatorCredentials | undefined> {
  return withDbContext('storedCredentials', { operatorId }, async () => {
    const { rows } = await db.raw<{ rows: { login: string; password: string }[] }>(
      'SELECT LOGIN, PASSWORD FROM TM$MIGHTYCALL_OPERATORS WHERE OPERATOR_ID = ?',
      [operatorId],
    );
    const row = rows[0];
    return row && { login: row.login, secret: row.password };
  });
}
