import type { CallEvent } from '@tm/contracts';
import type { Knex } from 'knex';
import { communicationOfCall } from '../campaign/db/call-events.js';
import type { ArmState } from './arm-state.js';
import { ownCommunication } from './card/communication-rows.js';
import { cardOfRow } from './card/load-card.js';
import type { CardPresenter } from './card/present.js';
import { openResultWindow } from './result-windows-db.js';

/** What {@link CallEventHandler.handle} did with an event. */
export type CallEventOutcome =
  /** CALL_STARTED: the card is stored and CLIENT_CARD_READY flagged. */
  | 'card-ready'
  /** CALL_STARTED for a communication that already has a newer card or a saved result (a replay): nothing shown. */
  | 'stale'
  /** CALL_ENDED of an answered call: the 60-second window runs. */
  | 'window-opened'
  /** CALL_ENDED of a call nobody answered: the engine closes it; the card is withdrawn, no window, no DRAFT. */
  | 'unanswered'
  /** The event's task does not exist. */
  | 'unknown-task';

/** True for an answered call: CallEvent.outcome ANSWERED, or null (a dialer that does not say). */
export function answered(event: Pick<CallEvent, 'outcome'>): boolean {
  return event.outcome === null || event.outcome === undefined || event.outcome === 'ANSWERED';
}

/**
 * What the ARM does with the dialer's call events (thesis §2.6.5, fig. 38):
 *
 * - CALL_STARTED: finds or creates the call's communication by CALL_ID ({@link communicationOfCall}: whichever of
 *   the ARM and the engine comes first creates it, both get the same id — ADR 0094), prepares the client card from
 *   the database (the task's client info, the client's applications and history across campaigns by phone), stores
 *   it in the fast state and flags CLIENT_CARD_READY for the operator.
 * - CALL_ENDED of an answered call: opens the 60-second result window in the database and flags CALL_ENDED; of an
 *   unanswered one (NO_ANSWER, BUSY, FAILED): withdraws the card, opens no window (the engine closes the call).
 *
 * Idempotent: a replayed event stores the same things again, and never puts an old card over a newer one.
 */
export class CallEventHandler {
  constructor(
    private readonly db: Knex,
    private readonly state: ArmState,
    private readonly presenter: CardPresenter,
    private readonly options: { resultWindowMs: number; historyLimit: number },
  ) {}

  async handle(event: CallEvent): Promise<CallEventOutcome> {
    const call = await communicationOfCall(this.db, event);
    if (!call) return 'unknown-task';
    const operatorId = event.operatorId;

    if (event.type === 'CALL_STARTED') {
      const row = await ownCommunication(this.db, call.communicationId, operatorId);
      if (row?.state !== 'NEW') return 'stale';
      const current = await this.state.card(operatorId);
      if (current && current.communicationId > call.communicationId) return 'stale';
      // The engine may not have recorded the start yet (ADR 0094): the card shows the event's time.
      const started = { ...row, startedAt: row.startedAt ?? new Date(event.occurredAt) };
      const prepared = await cardOfRow(this.db, this.presenter, started, this.options.historyLimit);
      await this.state.setCard(operatorId, prepared);
      await this.state.addChange(operatorId, 'CLIENT_CARD_READY');
      return 'card-ready';
    }

    if (!answered(event)) {
      await this.state.dropCard(operatorId, call.communicationId);
      await this.state.addChange(operatorId, 'CALL_ENDED');
      return 'unanswered';
    }
    const dueAt = new Date(event.occurredAt + this.options.resultWindowMs);
    await openResultWindow(this.db, { communicationId: call.communicationId, operatorId, dueAt });
    const current = await this.state.card(operatorId);
    if (current?.communicationId === call.communicationId) {
      await this.state.setCard(operatorId, { ...current, resultDueAt: dueAt.toISOString() });
    }
    await this.state.addChange(operatorId, 'CALL_ENDED');
    return 'window-opened';
  }
}
