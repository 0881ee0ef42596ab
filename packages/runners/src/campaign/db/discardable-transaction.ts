import type { Knex } from 'knex';

/** Carries an outcome out of a transaction that is rolled back. */
class Discarded<T> extends Error {
  constructor(readonly outcome: T) {
    super('transaction discarded');
    this.name = 'Discarded';
  }
}

/**
 * Runs `body` in a transaction and returns its outcome. The transaction commits, unless `discard(outcome)` is true:
 * then it is rolled back, so nothing `body` wrote stays (the consumed event id an apply function recorded above
 * all), and the outcome is returned all the same. A failure of `body` rolls back and rejects, as `db.transaction`
 * does.
 */
export async function discardableTransaction<T>(
  db: Knex,
  body: (trx: Knex.Transaction) => Promise<T>,
  discard: (outcome: T) => boolean,
): Promise<T> {
  try {
    return await db.transaction(async (trx) => {
      const outcome = await body(trx);
      if (discard(outcome)) throw new Discarded(outcome);
      return outcome;
    });
  } catch (err) {
    if (err instanceof Discarded) return err.outcome as T;
    throw err;
  }
}
