import type { ArmConfig } from '@tm/contracts';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { KeyValueStore } from '../kv/key-value-store.js';
import type { ArmMetrics } from './arm-metrics.js';
import type { ArmPublisher } from './arm-publisher.js';
import type { ArmState } from './arm-state.js';
import { ownCommunication } from './card/communication-rows.js';
import type { CardPresenter } from './card/present.js';
import { closeResultWindow } from './result-windows-db.js';
import type { SaveRequest } from './schemas.js';

/** What a save or a click-to-call came to; each maps to an HTTP status in the routes. */
export type ActionOutcome =
  | { status: 'OK'; requestId?: string }
  /** Not the operator's communication, or none: the same answer for both. */
  | { status: 'NOT_FOUND' }
  /** The communication is FIXED already; FIXED is final. */
  | { status: 'ALREADY_FIXED' }
  | { status: 'BAD_REQUEST'; description: string }
  | { status: 'TOO_MANY_REQUESTS'; retryAfterMs: number };

/**
 * The operator's writes: drafts and results (Appendices И, К), and click-to-call (ours, ADR 0097). A save is
 * matched by communication id and owner — never by a phone the operator cannot see (ADR 0093) — and published once
 * to tm-communication-results with the phone from the database; then the communication's 60-second window closes.
 */
export class OperatorActions {
  readonly #results: ReadonlySet<string>;

  constructor(
    private readonly deps: {
      db: Knex;
      state: ArmState;
      store: KeyValueStore;
      publisher: ArmPublisher;
      presenter: CardPresenter;
      metrics: ArmMetrics;
      config: Pick<ArmConfig, 'dictionaries' | 'callbackMinIntervalMs'>;
      logger: Logger;
      clock: () => Date;
    },
  ) {
    this.#results = new Set(deps.config.dictionaries.results.map((r) => r.key));
  }

  /** saveCommunicationDraft (DRAFT) or saveCommunicationResult (FIXED, a result required). */
  async save(operatorId: number, state: 'DRAFT' | 'FIXED', request: SaveRequest): Promise<ActionOutcome> {
    const { db, publisher, presenter } = this.deps;
    const row = await ownCommunication(db, request.communicationId, operatorId);
    if (!row) return { status: 'NOT_FOUND' };
    if (
      request.clientPhone !== undefined &&
      request.clientPhone !== row.phone &&
      request.clientPhone !== presenter.phone(row.phone)
    ) {
      return { status: 'BAD_REQUEST', description: 'clientPhone is not the phone of this communication' };
    }
    if (row.state === 'FIXED') return { status: 'ALREADY_FIXED' };
    const r = request.communicationResult ?? {};
    if (state === 'FIXED') {
      if (!r.result) return { status: 'BAD_REQUEST', description: 'a result is required to save the result' };
      if (this.#results.size > 0 && !this.#results.has(r.result)) {
        return { status: 'BAD_REQUEST', description: 'result is not one of the dictionary’s results' };
      }
    }
    await publisher.result({
      communicationId: row.id,
      taskId: row.taskId,
      operatorId,
      clientPhone: row.phone,
      state,
      reason: r.reason ?? null,
      result: r.result ?? null,
      comment: r.comment ?? null,
      savedAt: this.deps.clock().getTime(),
    });
    this.deps.metrics.saves.inc({ state, by: 'operator' });
    await this.#afterSave(operatorId, row.id, state);
    return { status: 'OK' };
  }

  /** Click-to-call: asks the dialer to call the client of one of the operator's own communications back. */
  async callClient(operatorId: number, communicationId: number): Promise<ActionOutcome> {
    const { db, store, publisher, config } = this.deps;
    const row = await ownCommunication(db, communicationId, operatorId);
    if (!row) return { status: 'NOT_FOUND' };
    if (config.callbackMinIntervalMs > 0) {
      const { count, ttlMs } = await store.hit(`callback:${operatorId}`, config.callbackMinIntervalMs);
      if (count > 1) return { status: 'TOO_MANY_REQUESTS', retryAfterMs: ttlMs };
    }
    const request = await publisher.callback({
      operatorId,
      communicationId: row.id,
      taskId: row.taskId,
      attempt: row.attempt,
      phone: row.phone,
      requestedAt: this.deps.clock().getTime(),
    });
    this.deps.logger.info(
      { operatorId, communicationId: row.id, requestId: request.requestId },
      'callback requested',
    );
    return { status: 'OK', requestId: request.requestId };
  }

  /**
   * After a save is on the topic: the window closes (so the server saves no DRAFT over it), the card is no
   * longer current, and the rework list shows the save before the engine stores it (ADR 0116). A failure here is
   * logged, not returned: the save itself is published, and the server's sweep leaves a communication the engine
   * stored as DRAFT or FIXED alone (ADR 0095).
   */
  async #afterSave(operatorId: number, communicationId: number, saved: 'DRAFT' | 'FIXED'): Promise<void> {
    try {
      await closeResultWindow(this.deps.db, communicationId);
      await this.deps.state.dropCard(operatorId, communicationId);
      await this.deps.state.savePending(operatorId, communicationId, saved);
      await this.deps.state.addChange(operatorId, 'COMMUNICATIONS_CHANGED');
    } catch (error) {
      this.deps.logger.warn(
        { operatorId, communicationId, error: error instanceof Error ? error.message : String(error) },
        'save published; closing its window failed',
      );
    }
  }
}
