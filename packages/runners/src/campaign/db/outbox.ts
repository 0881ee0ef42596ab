import type { Knex } from 'knex';
import { sqlArray } from './bindings.js';
import { OUTBOX_COLUMNS, type OutboxDialTask, type OutboxRow, outboxDialTaskOf } from './dial-task-row.js';
import { withDbContext } from './errors.js';

/**
 * Key of the transaction-scoped advisory lock that makes one outbox publisher active at a time, whatever the number
 * of engine instances: publishing in outbox order is what keeps a task's ADD ahead of its DELETE.
 */
export const OUTBOX_PUBLISHER_LOCK = 0x746d_6f75_74; // "tmout"

/**
 * Unpublished dial tasks, oldest outbox row first. Reading alone claims nothing: use {@link publishOutboxBatch} when
 * more than one process may publish.
 */
export async function fetchUnpublishedDialTasks(db: Knex, limit: number): Promise<OutboxDialTask[]> {
  return withDbContext('fetchUnpublishedDialTasks', { limit }, async () => {
    const { rows } = await db.raw<{ rows: OutboxRow[] }>(
      `SELECT ${OUTBOX_COLUMNS} FROM TM$DIAL_TASK_OUTBOX WHERE PUBLISHED_AT IS NULL ORDER BY ID LIMIT ?`,
      [limit],
    );
    return rows.map(outboxDialTaskOf);
  });
}

/**
 * Marks outbox rows published, after Kafka acknowledged their dial tasks. Rows already marked keep their first
 * PUBLISHED_AT, so marking twice (a retried publish) is harmless. Returns how many rows were marked now.
 */
export async function markDialTasksPublished(
  db: Knex,
  outboxIds: readonly number[],
  now: Date,
): Promise<number> {
  if (outboxIds.length === 0) return 0;
  return withDbContext('markDialTasksPublished', { rows: outboxIds.length }, async () => {
    const { rowCount } = await db.raw<{ rowCount: number }>(
      `UPDATE TM$DIAL_TASK_OUTBOX SET PUBLISHED_AT = ?::timestamptz
        WHERE ID = ANY(?::bigint[]) AND PUBLISHED_AT IS NULL`,
      [now, sqlArray(outboxIds)],
    );
    return rowCount;
  });
}

/** What {@link publishOutboxBatch} did. */
export interface OutboxPublishResult {
  /** False when another publisher held the lock; nothing was read then. */
  acquired: boolean;
  /** Dial tasks handed to `publish` and marked published. */
  published: number;
}

/**
 * Publishes the next batch of the outbox, at least once and in outbox order: in one transaction, takes the
 * publisher lock (or returns at once when another process has it), reads up to `limit` unpublished dial tasks,
 * awaits `publish(tasks)` — which resolves once Kafka acknowledged every one — and marks them published. If
 * `publish` throws, or the process dies before the commit, nothing is marked and the same tasks go out again next
 * time; the dialer drops repeats by `dialTaskId`.
 *
 * The transaction stays open while `publish` runs, so keep `publish` to the produce call and its acknowledgement.
 */
export async function publishOutboxBatch(
  db: Knex,
  limit: number,
  publish: (tasks: readonly OutboxDialTask[]) => Promise<void>,
  now: () => Date = () => new Date(),
): Promise<OutboxPublishResult> {
  return db.transaction(async (trx) => {
    const { rows } = await withDbContext('publishOutboxBatch', { limit }, () =>
      trx.raw<{ rows: { locked: boolean }[] }>('SELECT pg_try_advisory_xact_lock(?::bigint) AS locked', [
        OUTBOX_PUBLISHER_LOCK,
      ]),
    );
    if (!rows[0]?.locked) return { acquired: false, published: 0 };
    return publishNextBatch(trx, limit, publish, now);
  });
}

/** Reads up to `limit` unpublished dial tasks, awaits `publish(tasks)`, marks them published. */
async function publishNextBatch(
  db: Knex,
  limit: number,
  publish: (tasks: readonly OutboxDialTask[]) => Promise<void>,
  now: () => Date,
): Promise<OutboxPublishResult> {
  const tasks = await fetchUnpublishedDialTasks(db, limit);
  if (tasks.length === 0) return { acquired: true, published: 0 };
  await publish(tasks);
  await markDialTasksPublished(
    db,
    tasks.map((t) => t.outboxId),
    now(),
  );
  return { acquired: true, published: tasks.length };
}

/**
 * Publishes the next batch of the outbox like {@link publishOutboxBatch}, at least once and in outbox order, but
 * without holding a connection while `publish` waits for Kafka: one statement reads up to `limit` unpublished dial
 * tasks, `publish(tasks)` runs with no transaction open, and a second statement marks them published. A failure or
 * crash in between leaves them unmarked, and they go out again next time.
 *
 * For a database that one engine process alone uses — the embedded profile's PGlite, whose single connection
 * (ADR 0037) {@link publishOutboxBatch} would keep busy, and every other query of the process waiting, for as long
 * as Kafka takes. No lock is taken: two publishers calling this on one database could publish a task's ADD after
 * its DELETE. The caller runs one publisher at a time (the campaign engine does); several engine processes on one
 * database use {@link publishOutboxBatch}.
 */
export async function publishOutboxBatchDetached(
  db: Knex,
  limit: number,
  publish: (tasks: readonly OutboxDialTask[]) => Promise<void>,
  now: () => Date = () => new Date(),
): Promise<OutboxPublishResult> {
  return publishNextBatch(db, limit, publish, now);
}

/**
 * Deletes outbox rows published before `before` (housekeeping; the table otherwise grows by a row or two per call),
 * except the ADD of a task still IN_PROGRESS in that attempt, which stays as the record of its dispatch.
 * Returns how many were deleted.
 */
export async function prunePublishedDialTasks(db: Knex, before: Date): Promise<number> {
  return withDbContext('prunePublishedDialTasks', {}, async () => {
    const { rowCount } = await db.raw<{ rowCount: number }>(
      `DELETE FROM TM$DIAL_TASK_OUTBOX o
        WHERE o.PUBLISHED_AT < ?::timestamptz
          AND NOT EXISTS (SELECT 1 FROM TM$CAMPAIGN_TASKS t
                           WHERE t.ID = o.CAMPAIGN_TASK_ID AND t.TASK_STATE = 'IN_PROGRESS'
                             AND t.ATTEMPT = o.ATTEMPT AND o.ACTION = 'ADD')`,
      [before],
    );
    return rowCount;
  });
}
