import type { Knex } from 'knex';
import { withDbContext } from '../campaign/db/errors.js';

/** An operator as TM$OPERATORS holds them (thesis table 5), without the password hash. */
export interface OperatorRow {
  id: number;
  login: string;
  firstName: string;
  lastName: string;
  locked: boolean;
  role: 'OPERATOR';
}

/** What {@link findOperatorForLogin} returns: the row and its password hash. */
export interface OperatorCredentials {
  id: number;
  passwordHash: string;
  locked: boolean;
}

interface RawOperator {
  id: string;
  login: string;
  first_name: string;
  last_name: string;
  locked: boolean;
  role: 'OPERATOR';
}

const rowOf = (r: RawOperator): OperatorRow => ({
  id: Number(r.id),
  login: r.login,
  firstName: r.first_name,
  lastName: r.last_name,
  locked: r.locked,
  role: r.role,
});

/** A new operator to add: the password already hashed. */
export interface NewOperator {
  login: string;
  passwordHash: string;
  firstName: string;
  lastName: string;
}

/**
 * Adds an operator (role OPERATOR, not locked). Resolves with the new row, or undefined when the login is taken.
 * @throws {@link CampaignDbError} when the database fails.
 */
export async function addOperator(db: Knex, operator: NewOperator): Promise<OperatorRow | undefined> {
  return withDbContext('addOperator', {}, async () => {
    const { rows } = await db.raw<{ rows: RawOperator[] }>(
      `INSERT INTO TM$OPERATORS (LOGIN, PASSWORD, ROLE, FIRST_NAME, LAST_NAME)
       VALUES (?, ?, 'OPERATOR', ?, ?)
       ON CONFLICT (LOGIN) DO NOTHING
       RETURNING ID, LOGIN, FIRST_NAME, LAST_NAME, LOCKED, ROLE`,
      [operator.login, operator.passwordHash, operator.firstName, operator.lastName],
    );
    return rows[0] ? rowOf(rows[0]) : undefined;
  });
}

/** Sets an operator's password hash; resolves false when there is no such login. */
export async function setOperatorPassword(db: Knex, login: string, passwordHash: string): Promise<boolean> {
  return withDbContext('setOperatorPassword', {}, async () => {
    const { rowCount } = await db.raw<{ rowCount: number }>(
      'UPDATE TM$OPERATORS SET PASSWORD = ? WHERE LOGIN = ?',
      [passwordHash, login],
    );
    return rowCount === 1;
  });
}

/** Locks or unlocks an operator; resolves with the row, or undefined when there is no such login. */
export async function setOperatorLocked(
  db: Knex,
  login: string,
  locked: boolean,
): Promise<OperatorRow | undefined> {
  return withDbContext('setOperatorLocked', { locked }, async () => {
    const { rows } = await db.raw<{ rows: RawOperator[] }>(
      `UPDATE TM$OPERATORS SET LOCKED = ? WHERE LOGIN = ?
       RETURNING ID, LOGIN, FIRST_NAME, LAST_NAME, LOCKED, ROLE`,
      [locked, login],
    );
    return rows[0] ? rowOf(rows[0]) : undefined;
  });
}

/** Every operator, by id. */
export async function listOperators(db: Knex): Promise<OperatorRow[]> {
  return withDbContext('listOperators', {}, async () => {
    const { rows } = await db.raw<{ rows: RawOperator[] }>(
      'SELECT ID, LOGIN, FIRST_NAME, LAST_NAME, LOCKED, ROLE FROM TM$OPERATORS ORDER BY ID',
    );
    return rows.map(rowOf);
  });
}

/** The id, password hash and lock of the operator with `login`, or undefined. */
export async function findOperatorForLogin(
  db: Knex,
  login: string,
): Promise<OperatorCredentials | undefined> {
  return withDbContext('findOperatorForLogin', {}, async () => {
    const { rows } = await db.raw<{ rows: { id: string; password: string; locked: boolean }[] }>(
      'SELECT ID, PASSWORD, LOCKED FROM TM$OPERATORS WHERE LOGIN = ?',
      [login],
    );
    const row = rows[0];
    return row ? { id: Number(row.id), passwordHash: row.password, locked: row.locked } : undefined;
  });
}
