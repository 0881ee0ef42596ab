import type { CallEvent } from '@tm/contracts';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { type PolledEvents, type Telephony, TelephonyError } from '../telephony/telephony.js';
import { saveCursors } from './active-operators-db.js';
import { mapBounded } from './bounded.js';
import type { CallEventPublisher } from './call-event-publisher.js';
import { callEventOf } from './dial-rules.js';
import type { DialerMetrics } from './dialer-metrics.js';
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
 * 3. all the round's events go to tm-call-events in one send, with ids fixed by call id and kind;
 * 4. only once the broker acknowledged them are the new cursors stored (one statement) and the ended calls' ADDs
 *    closed. A crash between 3 and 4 polls the same events again and publishes the same ids, which consumers drop;
 *    a restart after 4 publishes nothing again.
 * A round fails (and keeps every cursor) when the broker or the database does; an operator the telephony does not
 * answer for is skipped this round.
 */
export class Poller {
  constructor(private readonly o: PollerOptions) {}

  async round(): Promise<PollRound> {
    const stop = this.o.metrics.pollRound.startTimer();
    try {
      return await this.#round();
    } finally {
      stop();
    }
  }

  async #round(): Promise<PollRound> {
    const operators = this.o.sessions.active();
    const polled = await mapBounded(operators, this.o.concurrency, (op) => this.#poll(op));
    const answered = operators
      .map((operator, i) => ({ operator, page: polled[i] }))
      .filter((p): p is { operator: ActiveOperator; page: PolledEvents } => p.page !== undefined);

    const externalIds = [...new Set(answered.flatMap((p) => p.page.events.map((e) => e.externalTaskId)))];
    const tasks = await sentTasksOf(this.o.db, externalIds);
    const events: CallEvent[] = [];
    const ended: string[] = [];
    let unknown = 0;
    for (const { operator, page } of answered) {
      for (const event of page.events) {
        const task = tasks.get(event.externalTaskId);
        if (!task) {
          unknown += 1;
          this.o.logger.warn(
            { operatorId: operator.operatorId, callId: event.callId, externalTaskId: event.externalTaskId },
            'call of a telephony task the dialer never stored; not published',
          );
          continue;
        }
        events.push(callEventOf(event, operator.operatorId, task));
        if (event.kind === 'ENDED') ended.push(event.externalTaskId);
      }
    }
    await this.o.publisher.publish(events);
    for (const e of events) this.o.metrics.callEvents.inc({ type: e.type });
    if (unknown > 0) this.o.metrics.unknownCalls.inc(unknown);

    const moved = answered.filter((p) => p.page.cursor !== p.operator.cursor);
    await saveCursors(
      this.o.db,
      moved.map((p) => ({ operatorId: p.operator.operatorId, cursor: p.page.cursor })),
    );
    for (const p of moved) this.o.sessions.setCursor(p.operator.operatorId, p.page.cursor);
    await markCalled(this.o.db, ended);
    return { polled: answered.length, published: events.length, unknown };
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
