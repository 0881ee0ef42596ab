import type { Knex } from 'knex';
import { withDbContext } from '../campaign/db/errors.js';
import { preparedQuery } from '../campaign/db/prepared.js';

/** How long tokens live (`security.token`, in ms). */
export interface TokenLifetime {
  /** A token expires this long after its last use... */
  idleMs: number;
  /** ...and at the latest this long after it was issued (TM$OPERATOR_AUTHS.WTIME). */
  maxMs: number;
  /** A check moves the expiry only when it would move at least this far. */
  slideStepMs: number;
}

/** Stores a token (its hash) for an operator, expiring at `expiresAt`. */
export async function storeToken(
  db: Knex,
  auth: { tokenHash: string; operatorId: number; issuedAt: Date; expiresAt: Date },
): Promise<void> {
  await withDbContext('storeToken', { operatorId: auth.operatorId }, () =>
    db.raw('INSERT INTO TM$OPERATOR_AUTHS (TOKEN, OPERATOR_ID, WTIME, EXP_DATE) VALUES (?, ?, ?, ?)', [
      auth.tokenHash,
      auth.operatorId,
      auth.issuedAt,
      auth.expiresAt,
    ]),
  );
}

/** What a token is worth now: see {@link checkToken}. */
export type TokenCheck =
  | { kind: 'valid'; operatorId: number; expiresAt: Date }
  | { kind: 'unknown' }
  | { kind: 'expired'; operatorId: number }
  | { kind: 'locked'; operatorId: number };

/** The token check, one statement: $1 now, $2 idle ms, $3 max ms, $4 hash, $5 slide, $6 slide step ms. */
const CHECK_TOKEN = `
  WITH t AS (
    SELECT a.ID, a.EXP_DATE, a.OPERATOR_ID, o.LOCKED,
           LEAST($1::timestamptz + make_interval(secs => $2::float8 / 1000),
                 a.WTIME + make_interval(secs => $3::float8 / 1000)) AS NEXT_EXP
      FROM TM$OPERATOR_AUTHS a JOIN TM$OPERATORS o ON o.ID = a.OPERATOR_ID
     WHERE a.TOKEN = $4),
  slid AS (
    UPDATE TM$OPERATOR_AUTHS a SET EXP_DATE = t.NEXT_EXP FROM t
     WHERE a.ID = t.ID AND $5::boolean AND NOT t.LOCKED AND t.EXP_DATE > $1::timestamptz
       AND t.NEXT_EXP >= t.EXP_DATE + make_interval(secs => $6::float8 / 1000)
    RETURNING a.EXP_DATE)
  SELECT t.OPERATOR_ID, t.LOCKED, t.EXP_DATE, (SELECT EXP_DATE FROM slid) AS SLID FROM t`;

/**
 * Checks the token with this hash at `now`, in one statement: unknown, expired, its operator locked, or valid. A
 * valid token's expiry slides to `now + idleMs` (never past `issued + maxMs`) when `slide` is set and it would move
 * by at least `slideStepMs`, so a client polling every second writes once per step, not once per poll.
 */
export async function checkToken(
  db: Knex,
  hash: string,
  now: Date,
  lifetime: TokenLifetime,
  slide: boolean,
): Promise<TokenCheck> {
  return withDbContext('checkToken', { slide }, async () => {
    const rows = await preparedQuery<{
      operator_id: string;
      locked: boolean;
      exp_date: Date;
      slid: Date | null;
    }>(db, 'tm_check_token', CHECK_TOKEN, [
      now,
      lifetime.idleMs,
      lifetime.maxMs,
      hash,
      slide,
      lifetime.slideStepMs,
    ]);
    const row = rows[0];
    if (!row) return { kind: 'unknown' };
    const operatorId = Number(row.operator_id);
    if (row.exp_date.getTime() <= now.getTime()) return { kind: 'expired', operatorId };
    if (row.locked) return { kind: 'locked', operatorId };
    return { kind: 'valid', operatorId, expiresAt: row.slid ?? row.exp_date };
  });
}

/** Deletes the token with this hash; resolves true when it existed. */
export async function deleteToken(db: Knex, hash: string): Promise<boolean> {
  return withDbContext('deleteToken', {}, async () => {
    const { rowCount } = await db.raw<{ rowCount: number }>('DELETE FROM TM$OPERATOR_AUTHS WHERE TOKEN = ?', [
      hash,
    ]);
    return rowCount === 1;
  });
}

/** Deletes tokens that expired before `before`; resolves with how many. */
export async function purgeExpiredTokens(db: Knex, before: Date): Promise<number> {
  return withDbContext('purgeExpiredTokens', {}, async () => {
    const { rowCount } = await db.raw<{ rowCount: number }>(
      'DELETE FROM TM$OPERATOR_AUTHS WHERE EXP_DATE < ?',
      [before],
    );
    return rowCount;
  });
}
