import type { CampaignEngineRules, DialTask } from '@tm/contracts';
import type { Serde, TransportProducer } from '@tm/pipeline-core';
import type { Knex } from 'knex';
import { claimDueTasks } from '../db/claim.js';
import type { OutboxDialTask } from '../db/dial-task-row.js';
import { type OutboxPublishResult, publishOutboxBatch, publishOutboxBatchDetached } from '../db/outbox.js';

/**
 * How the outbox publisher keeps to one publisher at a time (ADR 0062):
 * - `advisory-lock`: {@link publishOutboxBatch}, a transaction-scoped advisory lock across every engine process on
 *   the database, held while Kafka acknowledges — for PostgreSQL with a connection pool;
 * - `single-process`: {@link publishOutboxBatchDetached}, no connection held while Kafka acknowledges; this
 *   process must be the database's only engine — for the embedded profile's single PGlite connection (ADR 0037).
 */
export type OutboxPublisherMode = 'advisory-lock' | 'single-process';

/** What the {@link Dispatcher} needs. */
export interface DispatcherOptions {
  db: Knex;
  /** A connected producer; dial tasks go out through `send` (acks=all). */
  producer: TransportProducer;
  serde: Serde<DialTask>;
  /** tm-dial-tasks. */
  topic: string;
  campaigns: readonly Pick<CampaignEngineRules, 'campaignId' | 'callingHours'>[];
  /** Most tasks claimed per transaction, and most dial tasks published per batch. */
  batchSize: number;
  mode: OutboxPublisherMode;
  clock: () => Date;
  /** Told of each claimed and each published batch (metrics). */
  onClaimed?: (tasks: number) => void;
  onPublished?: (dialTasks: number) => void;
}

/** What one dispatch round did. */
export interface DispatchRound {
  /** Tasks claimed (NEW → IN_PROGRESS, an ADD dial task each). */
  claimed: number;
  /** Dial tasks published to Kafka and marked (ADD and DELETE, claimed in this round or earlier). */
  published: number;
}

/**
 * The scheduled dispatch of thesis §2.6.3 and the outbox publisher of ADR 0034, for one engine process.
 *
 * A round claims every due NEW task inside calling hours, a batch per transaction ({@link claimDueTasks}: the
 * task becomes IN_PROGRESS and its ADD dial task is written in the same statement), while the publisher sends the
 * outbox to tm-dial-tasks, keyed by phone, in outbox order, marking rows published once Kafka acknowledged them.
 * Claiming and publishing overlap: the publisher takes each batch as soon as it is committed. Rounds of one
 * process never overlap ({@link round} queues behind the running one); rounds of several processes claim disjoint
 * tasks (`SKIP LOCKED`), and only one of them publishes at a time.
 */
export class Dispatcher {
  readonly #o: DispatcherOptions;
  #queue: Promise<unknown> = Promise.resolve();
  /** Counts wake-ups of the publisher: each committed claim batch, and the end of claiming. */
  #wakes = 0;
  #claimWaiters: (() => void)[] = [];

  constructor(options: DispatcherOptions) {
    this.#o = options;
  }

  /** Runs a round after the running one (if any) finished: claim all that is due, publish the outbox. */
  round(): Promise<DispatchRound> {
    return this.#serial(() => this.#round());
  }

  /** Publishes the outbox (DELETEs written by ingest, rows left by a crash) after the running round. */
  publish(): Promise<number> {
    return this.#serial(() => this.#publishAll(() => false));
  }

  /** Resolves once the running and queued rounds and publishes finished. */
  async idle(): Promise<void> {
    await this.#queue;
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(work, work);
    this.#queue = next.catch(() => {});
    return next;
  }

  async #round(): Promise<DispatchRound> {
    let claiming = true;
    const claimed = this.#claimAll().finally(() => {
      claiming = false;
      this.#wakePublisher();
    });
    const published = this.#publishAll(() => claiming);
    // Both run to the end even if one fails, so no claim is left running behind the next round.
    const [c, p] = await Promise.allSettled([claimed, published]);
    if (c.status === 'rejected') throw c.reason;
    if (p.status === 'rejected') throw p.reason;
    return { claimed: c.value, published: p.value };
  }

  async #claimAll(): Promise<number> {
    const { db, batchSize, campaigns, clock } = this.#o;
    let total = 0;
    for (;;) {
      const batch = await claimDueTasks(db, { now: clock(), limit: batchSize, campaigns });
      if (batch.length > 0) {
        total += batch.length;
        this.#o.onClaimed?.(batch.length);
        this.#wakePublisher();
      }
      if (batch.length < batchSize) return total;
    }
  }

  /**
   * Publishes batches until the outbox is empty and `claiming()` is false, or another process holds the
   * publisher lock (it publishes what this round claimed; every round of every process publishes anyway).
   */
  async #publishAll(claiming: () => boolean): Promise<number> {
    let total = 0;
    for (;;) {
      // Read before publishing: a batch claimed before this point is committed, so the fetch below sees it.
      const stillClaiming = claiming();
      const wakes = this.#wakes;
      const result = await this.#publishBatch();
      total += result.published;
      if (!result.acquired) return total;
      if (result.published === this.#o.batchSize) continue;
      if (!stillClaiming) return total;
      // Nothing new since the fetch began: wait for the next claimed batch or the end of claiming.
      if (wakes === this.#wakes) await this.#nextClaim();
    }
  }

  #publishBatch(): Promise<OutboxPublishResult> {
    const { db, batchSize, clock, mode } = this.#o;
    const publish = mode === 'single-process' ? publishOutboxBatchDetached : publishOutboxBatch;
    return publish(db, batchSize, (tasks) => this.#send(tasks), clock);
  }

  async #send(tasks: readonly OutboxDialTask[]): Promise<void> {
    const { producer, serde, topic } = this.#o;
    await producer.send(
      tasks.map(({ dialTask }) => ({ topic, key: dialTask.phone, value: serde.encode(dialTask) })),
    );
    this.#o.onPublished?.(tasks.length);
  }

  #nextClaim(): Promise<void> {
    return new Promise((resolve) => this.#claimWaiters.push(resolve));
  }

  #wakePublisher(): void {
    this.#wakes += 1;
    const waiters = this.#claimWaiters;
    this.#claimWaiters = [];
    for (const w of waiters) w();
  }
}
