import type { CallEvent } from '@tm/contracts';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { type PolledEvents, type Telephony, TelephonyError } from '../telephony/telephony.js';
import { saveCursors } from './active-operators-db.js';
import { mapBounded } from './bounded.js';
import type { CallEventPublisher } from './call-event-publisher.js';
import { callEventOf } from './dial-rules.js';
import type { DialerMetrics } from './dialer-metrics.js';
import { NaturalBatch } from './natural-batch.js';
import { type ActiveOperator, errorText, type OperatorSessions } from './operator-sessions.js';
import { markCalled, sentTasksOf } from './tasks-db.js';

export interface PollerOptions {
  db: Knex;
  telephony: Telephony;
  sessions: OperatorSessions;
  publisher: CallEventPublisher;
  metrics: DialerMetrics;
  logger: Logger;
  concurrency: number;
  now?: () => number;
}

/** How long a page with a call of an unknown telephony task waits for the sender to store that task's id. */
export const UNKNOWN_GRACE_MS = 10_000;

/** One operator's polled page. */
interface Page {
  readonly operator: ActiveOperator;
  readonly page: PolledEvents;
}

/** What one {@link Poller.round} did. */
export interface PollRound {
  polled: number;
  published: number;
  unknown: number;
}

/**
 * Polls each active operator's call events after its persisted cursor (thesis §2.6.6.3), at most `concurrency`
 * operators at once, and publishes them as CallEvents (ADR 0086):
 * 1. each operator is logged in and told its status first ({@link OperatorSessions.ready}); an AUTH answer to the
 *    poll logs the operator in again and polls once more;
 * 2. the events' telephony task ids are mapped to TM$MIGHTYCALL_TASKS (task id, attempt, phone) in one query;
 * 3. the events go to tm-call-events as soon as their operator's page is in, pages that come while a send runs
 *    together in the next send, with ids fixed by call id and kind;
 * 4. only once the broker acknowledged them are those operators' new cursors stored (one statement) and the ended
 *    calls' ADDs closed. A crash between 3 and 4 polls the same events again and publishes the same ids, which consumers drop;
 *    a restart after 4 publishes nothing again.
 * A round fails (and keeps every cursor) when the broker or the database does; an operator the telephony does not
 * answer for is skipped this round. READY operators are polled first: their calls start, so each is polled early
 * in every round, about one poll interval after the last time (an operator on a break only ends a call).
 */
export class Poller {
  /** Pages with news, published as they come: pages polled while a publish runs go together in the next one. */
  readonly #pages: NaturalBatch<Page>;
  #counts = { published: 0, unknown: 0 };

  constructor(private readonly o: PollerOptions) {
    this.#pages = new NaturalBatch((pages) => this.#publish(pages));
  }

  async round(): Promise<PollRound> {
    const stop = this.o.metrics.pollRound.startTimer();
    try {
      return await this.#round();
    } finally {
      stop();
    }
  }

  async #round(): Promise<PollRound> {
    this.#counts = { published: 0, unknown: 0 };
    const published: Promise<void>[] = [];
    let polled = 0;
    await mapBounded(readyFirst(this.o.sessions.active()), this.o.concurrency, async (operator) => {
      const page = await this.#poll(operator);
      if (!page) return;
      polled += 1;
      if (page.events.length > 0 || page.cursor !== operator.cursor) {
        const added = this.#pages.add({ operator, page });
        // Awaited below, once every operator was polled; a publish that fails before then must not count as an
        // unhandled rejection meanwhile (Node ends the process on one: seen in `pnpm chaos`, a PostgreSQL restart).
        added.catch(() => {});
        published.push(added);
      }
    });
    const failed = (await Promise.allSettled(published)).find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    return { polled, ...this.#counts };
  }

  /** Publishes the pages' events in one send; once acknowledged, stores the cursors and closes the ended calls' ADDs. */
  async #publish(pages: readonly Page[]): Promise<void> {
    const externalIds = [...new Set(pages.flatMap((p) => p.page.events.map((e) => e.externalTaskId)))];
    const tasks = await sentTasksOf(this.o.db, externalIds);
    const events: CallEvent[] = [];
    const ended: string[] = [];
    const taken: Page[] = [];
    let unknown = 0;
    const now = (this.o.now ?? Date.now)();
    for (const p of pages) {
      const { operator, page } = p;
      const strangers = page.events.filter((e) => !tasks.has(e.externalTaskId));
      // The telephony may report a call before the sender stored the task's telephony id: the page waits (its cursor
      // too) and is polled again, for up to UNKNOWN_GRACE_MS; only then is the call taken for one never stored.
      if (strangers.length > 0) {
        operator.unknownSince ??= now;
        if (now - operator.unknownSince < UNKNOWN_GRACE_MS) continue;
      }
      operator.unknownSince = undefined;
      taken.push(p);
      for (const event of strangers) {
        unknown += 1;
        this.o.logger.warn(
          { operatorId: operator.operatorId, callId: event.callId, externalTaskId: event.externalTaskId },
          'call of a telephony task the dialer never stored; not published',
        );
      }
      for (const event of page.events) {
        const task = tasks.get(event.externalTaskId);
        if (!task) continue;
        events.push(callEventOf(event, operator.operatorId, task));
        if (event.kind === 'ENDED') ended.push(event.externalTaskId);
      }
    }
    await this.o.publisher.publish(events);
    for (const e of events) this.o.metrics.callEvents.inc({ type: e.type });
    if (unknown > 0) this.o.metrics.unknownCalls.inc(unknown);
    this.#counts.published += events.length;
    this.#counts.unknown += unknown;

    const moved = taken.filter((p) => p.page.cursor !== p.operator.cursor);
    await saveCursors(
      this.o.db,
      moved.map((p) => ({ operatorId: p.operator.operatorId, cursor: p.page.cursor })),
    );
    for (const p of moved) this.o.sessions.setCursor(p.operator.operatorId, p.page.cursor);
    await markCalled(this.o.db, ended);
  }

  /** One operator's page of events, or undefined when the operator cannot be polled this round. */
  async #poll(operator: ActiveOperator, again = true): Promise<PolledEvents | undefined> {
    const session = await this.o.sessions.ready(operator);
    if (!session) return undefined;
    try {
      return await this.o.telephony.pollEvents(session, operator.cursor);
    } catch (error) {
      if (error instanceof TelephonyError && error.kind === 'AUTH') {
        this.o.sessions.invalidate(operator);
        if (again) return this.#poll(operator, false);
      }
      this.o.logger.debug(
        { operatorId: operator.operatorId, error: errorText(error) },
        'poll failed; the next round tries again',
      );
      return undefined;
    }
  }
}

/** The operators READY first, each group in its cache order (so an operator keeps its place from round to round). */
export function readyFirst(operators: readonly ActiveOperator[]): ActiveOperator[] {
  return [...operators.filter((o) => o.status === 'READY'), ...operators.filter((o) => o.status !== 'READY')];
}
