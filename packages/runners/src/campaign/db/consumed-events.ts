import type { Knex } from 'knex';
import { withDbContext } from './errors.js';

/** Kinds of events recorded in TM$CONSUMED_EVENTS. */
export type ConsumedEventType = 'call-event' | 'communication-result';

/**
 * Records that an event is being applied, inside the transaction that applies it. Returns false when the id was
 * recorded before: the event is a repeat and the caller changes nothing. Two transactions racing on the same id
 * serialise on the primary key; the second sees the first's row once it commits.
 */
export async function recordConsumedEvent(
  trx: Knex.Transaction,
  eventId: string,
  eventType: ConsumedEventType,
): Promise<boolean> {
  const { rowCount } = await trx.raw<{ rowCount: number }>(
    'INSERT INTO TM$CONSUMED_EVENTS (EVENT_ID, EVENT_TYPE) VALUES (?, ?) ON CONFLICT (EVENT_ID) DO NOTHING',
    [eventId, eventType],
  );
  return rowCount === 1;
}

/**
 * Forgets consumed event ids recorded before `before`. Safe once no redelivery can be that old: Kafka retention of
 * tm-call-events and tm-communication-results bounds it. Returns how many ids were forgotten.
 */
export async function pruneConsumedEvents(db: Knex, before: Date): Promise<number> {
  return withDbContext('pruneConsumedEvents', {}, async () => {
    const { rowCount } = await db.raw<{ rowCount: number }>(
      'DELETE FROM TM$CONSUMED_EVENTS WHERE WTIME < ?::timestamptz',
      [before],
    );
    return rowCount;
  });
}
