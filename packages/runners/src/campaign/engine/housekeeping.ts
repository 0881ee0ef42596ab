import type { Knex } from 'knex';
import { pruneConsumedEvents } from '../db/consumed-events.js';
import { prunePublishedDialTasks } from '../db/outbox.js';

/** How long the engine keeps rows that only guard against repeats, ms. */
export interface Retention {
  /** Published dial tasks (the ADD of a task still IN_PROGRESS is always kept). */
  keepPublishedDialTasksMs: number;
  /** Ids of applied call events and communication results: longer than Kafka keeps those topics. */
  keepConsumedEventIdsMs: number;
}

/** What one {@link pruneOldRows} call deleted. */
export interface Pruned {
  dialTasks: number;
  eventIds: number;
}

/** The engine's slow housekeeping: deletes published dial tasks and consumed event ids older than their retention. */
export async function pruneOldRows(db: Knex, now: Date, retention: Retention): Promise<Pruned> {
  const dialTasks = await prunePublishedDialTasks(
    db,
    new Date(now.getTime() - retention.keepPublishedDialTasksMs),
  );
  const eventIds = await pruneConsumedEvents(db, new Date(now.getTime() - retention.keepConsumedEventIdsMs));
  return { dialTasks, eventIds };
}
