import { type BreakerState, breakerStateOf } from '@tm/filters';
import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  handleWhen,
  type IDisposable,
} from 'cockatiel';
import {
  type AddTaskOutcome,
  type DeleteTaskResult,
  type OperatorCredentials,
  type OperatorSession,
  type OperatorStatus,
  type PolledEvents,
  type Telephony,
  TelephonyError,
  type TelephonyTask,
} from '../telephony/telephony.js';

/** The breaker's and the timeout's settings (config `dialer.send` and `dialer.telephony-timeout-ms`). */
export interface GuardSettings {
  readonly timeoutMs: number;
  readonly breakerFailures: number;
  readonly breakerHalfOpenMs: number;
}

/** True for a failure that says the telephony is down (counts towards the breaker; retry later). */
export function isTelephonyDown(error: unknown): boolean {
  return error instanceof TelephonyError && error.kind === 'UNAVAILABLE';
}

/**
 * The Telephony port behind a timeout per call and one circuit breaker (cockatiel, as the analyser's service clients
 * use): after `breakerFailures` calls in a row failed with UNAVAILABLE (no answer, 5xx, 429, a timeout) every call
 * fails at once with UNAVAILABLE for `breakerHalfOpenMs`, then one call is let through. AUTH and REJECTED answers
 * mean the telephony is up and do not count. It retries nothing itself: the sender keeps a failed instruction
 * pending with its backoff (ADR 0084), the poller tries again on its next round.
 */
export class GuardedTelephony implements Telephony {
  readonly #breaker;
  readonly #now: () => number;
  #openedAt = 0;

  constructor(
    private readonly inner: Telephony,
    private readonly settings: GuardSettings,
    now: () => number = Date.now,
  ) {
    this.#now = now;
    this.#breaker = circuitBreaker(handleWhen(isTelephonyDown), {
      halfOpenAfter: settings.breakerHalfOpenMs,
      breaker: new ConsecutiveBreaker(settings.breakerFailures),
    });
    this.#breaker.onBreak(() => {
      this.#openedAt = this.#now();
    });
  }

  /** The breaker's state now. */
  breakerState(): BreakerState {
    return breakerStateOf(this.#breaker.state);
  }

  /**
   * Whether calls would go through now: `yes` (closed), `probe` (open for `breakerHalfOpenMs` already, or half-open:
   * the next call is the one let through), `no` (open). The breaker itself turns half-open only when a call is
   * tried, so a caller that waits for `yes` before calling would wait for ever.
   */
  admits(): 'yes' | 'probe' | 'no' {
    const state = this.#breaker.state;
    if (state === CircuitState.Closed) return 'yes';
    if (state === CircuitState.HalfOpen) return 'probe';
    return this.#now() - this.#openedAt >= this.settings.breakerHalfOpenMs ? 'probe' : 'no';
  }

  onBreakerStateChange(listener: (state: BreakerState) => void): IDisposable {
    return this.#breaker.onStateChange((state) => listener(breakerStateOf(state)));
  }

  async #call<T>(operation: string, call: () => Promise<T>): Promise<T> {
    try {
      return await this.#breaker.execute(() => this.#timed(operation, call));
    } catch (error) {
      if (error instanceof BrokenCircuitError)
        throw new TelephonyError('UNAVAILABLE', `${operation}: circuit breaker is open`);
      if (error instanceof TelephonyError) throw error;
      throw new TelephonyError(
        'UNAVAILABLE',
        `${operation}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  async #timed<T>(operation: string, call: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        call(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () =>
              reject(
                new TelephonyError('UNAVAILABLE', `${operation}: no answer in ${this.settings.timeoutMs} ms`),
              ),
            this.settings.timeoutMs,
          );
        }),
      ]);
    } catch (error) {
      if (error instanceof TelephonyError) throw error;
      throw new TelephonyError(
        'UNAVAILABLE',
        `${operation}: ${error instanceof Error ? error.message : String(error)}`,
      );
    } finally {
      clearTimeout(timer);
    }
  }

  authenticate(operatorId: number, credentials: OperatorCredentials): Promise<OperatorSession> {
    return this.#call('authenticate', () => this.inner.authenticate(operatorId, credentials));
  }

  setStatus(session: OperatorSession, status: OperatorStatus): Promise<void> {
    return this.#call('setStatus', () => this.inner.setStatus(session, status));
  }

  addTask(task: TelephonyTask): Promise<{ readonly externalId: string }> {
    return this.#call('addTask', () => this.inner.addTask(task));
  }

  addTasks(tasks: readonly TelephonyTask[]): Promise<readonly AddTaskOutcome[]> {
    return this.#call('addTasks', () => this.inner.addTasks(tasks));
  }

  findTask(reference: string): Promise<{ readonly externalId: string } | undefined> {
    return this.#call('findTask', () => this.inner.findTask(reference));
  }

  deleteTask(externalId: string): Promise<DeleteTaskResult> {
    return this.#call('deleteTask', () => this.inner.deleteTask(externalId));
  }

  pollEvents(session: OperatorSession, cursor: string | null): Promise<PolledEvents> {
    return this.#call('pollEvents', () => this.inner.pollEvents(session, cursor));
  }
}
