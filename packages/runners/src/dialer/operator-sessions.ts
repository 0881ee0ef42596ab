import type { OperatorSession as SessionEvent } from '@tm/contracts';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import {
  type OperatorCredentials,
  type OperatorSession,
  type OperatorStatus,
  type Telephony,
  TelephonyError,
} from '../telephony/telephony.js';
import {
  activeOperators,
  closeOperator,
  openOperator,
  saveLoginError,
  storedCredentials,
} from './active-operators-db.js';
import type { DialerMetrics } from './dialer-metrics.js';

/** Where an operator's telephony login comes from (ADR 0085). */
export type CredentialsOf = (operatorId: number) => Promise<OperatorCredentials>;

/**
 * TM$MIGHTYCALL_OPERATORS when the operator has a row there, else the documented default: login `tm-operator-<id>`
 * with the account's operators' secret from the environment (ADR 0085).
 */
export function credentialsFrom(db: Knex, operatorSecret: string): CredentialsOf {
  return async (operatorId) =>
    (await storedCredentials(db, operatorId)) ?? {
      login: `tm-operator-${operatorId}`,
      secret: operatorSecret,
    };
}

/** One active operator in the cache. */
export interface ActiveOperator {
  readonly operatorId: number;
  status: OperatorStatus;
  /** After the last events published; null: from the session's start. */
  cursor: string | null;
  session: OperatorSession | undefined;
  /** The status the telephony has been told; undefined: not told yet (or told before a re-login). */
  toldStatus: OperatorStatus | undefined;
  /** The last login failure, and when the next login may be tried. */
  loginError: string | null;
  nextLoginAt: number;
  /** Since when the operator's page holds a call of a telephony task not (yet) stored; see the poller. */
  unknownSince?: number | undefined;
}

export interface OperatorSessionsOptions {
  db: Knex;
  telephony: Telephony;
  credentialsOf: CredentialsOf;
  metrics: DialerMetrics;
  logger: Logger;
  refreshBeforeExpiryMs: number;
  loginRetryMs: number;
  now?: () => number;
}

/**
 * The active operators (thesis §2.6.6.1–2): TM$MIGHTYCALL_ACTIVE_OPERATORS plus this cache, loaded from the table at
 * start. {@link apply} writes a session event to the table and the cache (never to the telephony, so a telephony
 * outage cannot hold the event up); {@link ready} logs the operator in at the telephony when needed (again before the
 * token expires, or after an AUTH answer) and tells it the operator's status. A login that fails is logged once per
 * change, counted, kept in LOGIN_ERROR and tried again after `loginRetryMs`: the operator stays active.
 */
export class OperatorSessions {
  readonly #cache = new Map<number, ActiveOperator>();
  readonly #now: () => number;

  constructor(private readonly o: OperatorSessionsOptions) {
    this.#now = o.now ?? Date.now;
  }

  /** Fills the empty cache from the table (at start). */
  async load(): Promise<number> {
    const rows = await activeOperators(this.o.db);
    this.#cache.clear();
    for (const row of rows)
      this.#cache.set(row.operatorId, this.#fresh(row.operatorId, row.status, row.cursor));
    this.#gauge();
    return rows.length;
  }

  /** The active operators, in id order of their opening. */
  active(): ActiveOperator[] {
    return [...this.#cache.values()];
  }

  get(operatorId: number): ActiveOperator | undefined {
    return this.#cache.get(operatorId);
  }

  /** Applies a session event: OPEN and READY make the operator active and READY, BREAK active on a break, CLOSE inactive. */
  async apply(event: SessionEvent): Promise<'opened' | 'closed' | 'unknown-operator'> {
    const { operatorId } = event;
    if (event.action === 'CLOSE') {
      await closeOperator(this.o.db, operatorId);
      this.#cache.delete(operatorId);
      this.#gauge();
      return 'closed';
    }
    const status: OperatorStatus = event.action === 'BREAK' ? 'BREAK' : 'READY';
    if (!(await openOperator(this.o.db, operatorId, status))) return 'unknown-operator';
    const cached = this.#cache.get(operatorId);
    if (cached) cached.status = status;
    else this.#cache.set(operatorId, this.#fresh(operatorId, status, null));
    this.#gauge();
    return 'opened';
  }

  /** Remembers an operator's cursor once its events are published and the cursor stored. */
  setCursor(operatorId: number, cursor: string): void {
    const cached = this.#cache.get(operatorId);
    if (cached) cached.cursor = cursor;
  }

  /** The token was refused (expired, or the telephony closed the session): log in again before the next request. */
  invalidate(operator: ActiveOperator): void {
    operator.session = undefined;
    operator.toldStatus = undefined;
  }

  /**
   * Makes sure the operator is logged in at the telephony and it knows the operator's status. Resolves with the
   * session, or undefined when the login failed or waits for its retry time (reported, not thrown).
   */
  async ready(operator: ActiveOperator): Promise<OperatorSession | undefined> {
    const now = this.#now();
    if (!operator.session || operator.session.expiresAt - this.o.refreshBeforeExpiryMs <= now) {
      if (operator.nextLoginAt > now) return undefined;
      if (!(await this.#login(operator))) return undefined;
    }
    const session = operator.session;
    if (!session) return undefined;
    if (operator.toldStatus !== operator.status) {
      const status = operator.status;
      try {
        await this.o.telephony.setStatus(session, status);
        operator.toldStatus = status;
      } catch (error) {
        if (error instanceof TelephonyError && error.kind === 'AUTH') this.invalidate(operator);
        this.o.logger.warn(
          { operatorId: operator.operatorId, status, error: errorText(error) },
          'telephony did not take the operator’s status; tried again next round',
        );
      }
    }
    return operator.session;
  }

  async #login(operator: ActiveOperator): Promise<boolean> {
    const { operatorId } = operator;
    try {
      const session = await this.o.telephony.authenticate(operatorId, await this.o.credentialsOf(operatorId));
      operator.session = session;
      operator.toldStatus = undefined;
      this.o.metrics.logins.inc({ outcome: 'ok' });
      if (operator.loginError !== null) {
        operator.loginError = null;
        this.o.logger.info({ operatorId }, 'telephony login works again');
        await saveLoginError(this.o.db, operatorId, null).catch(() => {});
      }
      this.#gauge();
      return true;
    } catch (error) {
      const message = errorText(error);
      const refused = error instanceof TelephonyError && error.kind !== 'UNAVAILABLE';
      this.o.metrics.logins.inc({ outcome: refused ? 'refused' : 'unavailable' });
      operator.session = undefined;
      operator.nextLoginAt = this.#now() + this.o.loginRetryMs;
      if (operator.loginError !== message) {
        this.o.logger.warn(
          { operatorId, error: message, retryInMs: this.o.loginRetryMs },
          'telephony login of the operator failed; the operator stays active and is tried again',
        );
        operator.loginError = message;
        await saveLoginError(this.o.db, operatorId, message).catch(() => {});
      }
      this.#gauge();
      return false;
    }
  }

  #fresh(operatorId: number, status: OperatorStatus, cursor: string | null): ActiveOperator {
    return {
      operatorId,
      status,
      cursor,
      session: undefined,
      toldStatus: undefined,
      loginError: null,
      nextLoginAt: 0,
    };
  }

  #gauge(): void {
    this.o.metrics.activeOperators.set(this.#cache.size);
    let failing = 0;
    for (const op of this.#cache.values()) if (op.loginError !== null) failing += 1;
    this.o.metrics.failingLogins.set(failing);
  }
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
