import type { Logger } from 'pino';
import type { ArmPublisher } from './arm-publisher.js';
import type { ArmState } from './arm-state.js';

/** Why the ARM closed a session when the operator did not log out (OperatorSession.reason). */
export type CloseReason = 'IDLE' | 'TOKEN_EXPIRED' | 'OPERATOR_LOCKED';

/** How often one process records an operator's requests at most: polling every second writes once per period. */
const SEEN_EVERY_MS = 5000;

/**
 * Operators' sessions as the dialer sees them (ADR 0096): OPEN at login, CLOSE at logout, READY and BREAK in
 * between, and CLOSE when the ARM finds a session abandoned — its operator silent for `idleCloseMs` (reason IDLE),
 * or their token expired or operator locked (reason TOKEN_EXPIRED / OPERATOR_LOCKED, seen on their next request).
 * An operator who comes back with a still-valid token after the ARM closed their session (or after the store lost
 * it) gets it opened again (reason RESUMED).
 *
 * The close of an abandoned session is claimed in the store (one process wins), then published. One process sends
 * one operator's session events one at a time, so they reach the topic in the order they were decided.
 */
export class SessionKeeper {
  readonly #lastSeen = new Map<number, number>();
  readonly #chains = new Map<number, Promise<unknown>>();

  constructor(
    private readonly state: ArmState,
    private readonly publisher: ArmPublisher,
    private readonly options: { idleCloseMs: number; logger: Logger; now?: () => number },
  ) {}

  #now(): number {
    return this.options.now?.() ?? Date.now();
  }

  /** Runs `work` after the operator's earlier session work of this process. */
  #serial<T>(operatorId: number, work: () => Promise<T>): Promise<T> {
    const previous = this.#chains.get(operatorId) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(work);
    this.#chains.set(operatorId, next);
    const forget = () => {
      if (this.#chains.get(operatorId) === next) this.#chains.delete(operatorId);
    };
    // The caller gets the failure; this bookkeeping must not leave a rejected promise unhandled.
    next.then(forget, forget);
    return next;
  }

  /** Login: the session opens (READY: the thesis has no pause, so an open session takes calls). */
  open(operatorId: number): Promise<void> {
    return this.#serial(operatorId, async () => {
      const now = this.#now();
      await this.state.setSession(operatorId, { status: 'READY', openedAt: now });
      await this.state.seen(operatorId, now);
      this.#lastSeen.set(operatorId, now);
      await this.publisher.session(operatorId, 'OPEN');
      this.options.logger.info({ operatorId }, 'session opened');
    });
  }

  /** Logout: the session closes. */
  logout(operatorId: number): Promise<void> {
    return this.#serial(operatorId, async () => {
      await this.state.claimAny(operatorId);
      await this.#close(operatorId, null);
    });
  }

  /** The operator's token is no longer good: their session closes, if it was open. */
  refused(operatorId: number, reason: CloseReason): Promise<void> {
    return this.#serial(operatorId, async () => {
      if (await this.state.claimAny(operatorId)) await this.#close(operatorId, reason);
    });
  }

  /** READY or BREAK (ours, ADR 0096). */
  setStatus(operatorId: number, status: 'READY' | 'BREAK'): Promise<void> {
    return this.#serial(operatorId, async () => {
      const session = await this.state.session(operatorId);
      await this.state.setSession(operatorId, { status, openedAt: session?.openedAt ?? this.#now() });
      await this.publisher.session(operatorId, status);
    });
  }

  /**
   * An authenticated request of the operator: records it (at most every few seconds per process), and opens the
   * session again if the ARM had none for them.
   */
  async touch(operatorId: number): Promise<void> {
    const now = this.#now();
    const last = this.#lastSeen.get(operatorId);
    if (last !== undefined && now - last < SEEN_EVERY_MS) return;
    this.#lastSeen.set(operatorId, now);
    if (!(await this.state.seen(operatorId, now))) return;
    await this.#serial(operatorId, async () => {
      await this.state.setSession(operatorId, { status: 'READY', openedAt: now });
      await this.publisher.session(operatorId, 'OPEN', 'RESUMED');
      this.options.logger.info({ operatorId }, 'session opened again for a returning operator');
    });
  }

  /** Closes every session silent for `idleCloseMs` or longer; resolves with how many this process closed. */
  async reapIdle(batch = 200): Promise<number> {
    const before = this.#now() - this.options.idleCloseMs;
    let closed = 0;
    for (const operatorId of await this.state.silentSince(before, batch)) {
      await this.#serial(operatorId, async () => {
        if (!(await this.state.claimSilent(operatorId, before))) return;
        try {
          await this.#close(operatorId, 'IDLE');
          closed += 1;
        } catch (error) {
          // Put it back so the next round tries again; nothing is lost.
          await this.state.seen(operatorId, before).catch(() => {});
          throw error;
        }
      });
    }
    return closed;
  }

  async #close(operatorId: number, reason: CloseReason | null): Promise<void> {
    await this.publisher.session(operatorId, 'CLOSE', reason);
    this.#lastSeen.delete(operatorId);
    await this.state.forget(operatorId);
    this.options.logger.info({ operatorId, reason }, 'session closed');
  }
}
