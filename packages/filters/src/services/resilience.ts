import type { ServiceClientConfig } from '@tm/contracts';
import {
  BrokenCircuitError,
  BulkheadRejectedError,
  bulkhead,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  ExponentialBackoff,
  handleWhen,
  type IDisposable,
  retry,
  TaskCancelledError,
  wrap,
} from 'cockatiel';
import {
  HttpStatusError,
  ServiceError,
  type ServiceId,
  ServiceRequestError,
  ServiceResponseError,
  ServiceUnavailableError,
} from './errors.js';

/** The circuit breaker's state, as logs and tests name it. */
export type BreakerState = 'closed' | 'open' | 'half-open' | 'isolated';

const STATES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
};

/** A cockatiel breaker's state as logs and tests name it (also for other breakers built on cockatiel). */
export function breakerStateOf(state: CircuitState): BreakerState {
  return STATES[state];
}

/**
 * True for failures that may go away by themselves: network errors, timeouts, HTTP 5xx, 408 and 429. Only these
 * are retried and counted by the circuit breaker; anything else fails the call at once.
 */
export function isTransient(error: unknown): boolean {
  if (error instanceof HttpStatusError) return error.transient;
  if (error instanceof TaskCancelledError) return true;
  if (error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError')) return true;
  const code = error instanceof Error ? (error as Error & { code?: unknown }).code : undefined;
  if (typeof code === 'string' && TRANSIENT_CODES.has(code)) return true;
  // fetch (a custom client may use it) reports every network failure as this TypeError, the reason as its cause.
  return error instanceof TypeError && error.message === 'fetch failed';
}

/**
 * Error codes of network failures that may go away by themselves: the system's (refused, reset, unreachable, DNS)
 * and undici's (socket closed, connect/headers/body timeouts, aborted, the pool closing under a call).
 */
const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_ABORTED',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
]);

function describe(error: unknown): string {
  if (error instanceof TaskCancelledError) return 'timed out';
  if (error instanceof TypeError && error.cause instanceof Error)
    return `${error.message} (${error.cause.message})`;
  return error instanceof Error ? error.message : String(error);
}

/**
 * One attempt of `call`, given `timeoutMs`: when it has not settled by then its signal is aborted and the attempt
 * fails at once with cockatiel's {@link TaskCancelledError} (a transient failure), whether or not `call` honours the
 * signal. An answered attempt leaves its signal as it is: aborting builds a DOMException with its stack (ADR 0053).
 */
function attemptWithin<T>(timeoutMs: number, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const aborter = new AbortController();
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      aborter.abort();
      reject(new TaskCancelledError(`Operation timed out after ${timeoutMs}ms`));
    }, timeoutMs);
    const settle = () => clearTimeout(timer);
    let pending: Promise<T>;
    try {
      pending = call(aborter.signal);
    } catch (err) {
      settle();
      reject(err);
      return;
    }
    pending.then(
      (value) => {
        settle();
        resolve(value);
      },
      (err: unknown) => {
        settle();
        reject(err);
      },
    );
  });
}

/** Runs calls to one service under its timeout, retry, circuit breaker and concurrency limit. */
export interface ServicePolicy {
  readonly service: ServiceId;
  /**
   * Runs `call` (one HTTP exchange; it must honour `signal`) with the policies, and turns every failure into a
   * {@link ServiceError}: {@link ServiceUnavailableError} (retriable) when the service stays down or the breaker
   * is open, {@link ServiceRequestError} for a 4xx, {@link ServiceResponseError} for an unreadable answer.
   */
  execute<T>(operation: string, call: (signal: AbortSignal) => Promise<T>): Promise<T>;
  /** The circuit breaker's state now. */
  breakerState(): BreakerState;
  /**
   * True while the breaker refuses calls without trying them: open, and its `half-open-after-ms` not yet past. Past
   * it the breaker still says `open` until a call is tried (cockatiel turns half-open only then), but that next call
   * goes through, so an idle service is not reported as refusing for ever.
   */
  refusesCalls(): boolean;
  /** Called on every breaker state change (for logs and metrics). */
  onBreakerStateChange(listener: (state: BreakerState) => void): IDisposable;
}

/**
 * The policies of one service, outermost first: retry (exponential backoff with decorrelated jitter, transient
 * failures only) → circuit breaker (opens after `consecutive-failures` transient failures in a row, tries again
 * after `half-open-after-ms`) → concurrency limit (`max-in-flight`, with a queue of `max-queued`) → timeout per
 * attempt. The timeout is innermost so time spent queued or backing off does not count against an attempt.
 */
export function createServicePolicy(service: ServiceId, config: ServiceClientConfig): ServicePolicy {
  const transient = handleWhen(isTransient);
  const breaker = circuitBreaker(transient, {
    halfOpenAfter: config.breaker.halfOpenAfterMs,
    breaker: new ConsecutiveBreaker(config.breaker.consecutiveFailures),
  });
  let openedAt = 0;
  breaker.onBreak(() => {
    openedAt = Date.now();
  });
  const policy = wrap(
    retry(transient, {
      maxAttempts: config.retry.maxRetries,
      backoff: new ExponentialBackoff({
        initialDelay: config.retry.initialDelayMs,
        maxDelay: config.retry.maxDelayMs,
      }),
    }),
    breaker,
    bulkhead(config.concurrency.maxInFlight, config.concurrency.maxQueued),
  );
  const { timeoutMs } = config;

  return {
    service,
    async execute<T>(operation: string, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
      let attempts = 0;
      try {
        // The timeout, innermost, is ours (ADR 0196): one AbortController and one timer per attempt, where
        // cockatiel's timeout policy derived a controller from a signal of the call's own, with listeners, events
        // and a race on each. Retry, breaker and bulkhead add no listener to a signal, so none is passed to them.
        return await policy.execute(() => {
          attempts += 1;
          return attemptWithin(timeoutMs, call);
        });
      } catch (err) {
        if (err instanceof BrokenCircuitError) {
          throw new ServiceUnavailableError(service, operation, attempts, 'circuit breaker is open', {
            cause: err,
          });
        }
        if (err instanceof BulkheadRejectedError) {
          throw new ServiceUnavailableError(service, operation, attempts, 'too many calls queued', {
            cause: err,
          });
        }
        if (isTransient(err)) {
          throw new ServiceUnavailableError(
            service,
            operation,
            attempts,
            `gave up after ${attempts} attempt(s): ${describe(err)}`,
            { cause: err },
          );
        }
        if (err instanceof HttpStatusError) {
          throw new ServiceRequestError(service, operation, err.status, err.message);
        }
        if (err instanceof ServiceError) throw err;
        throw new ServiceResponseError(service, operation, `unreadable answer: ${describe(err)}`, {
          cause: err,
        });
      }
    },
    breakerState: () => STATES[breaker.state],
    refusesCalls: () =>
      breaker.state === CircuitState.Isolated ||
      (breaker.state === CircuitState.Open && Date.now() - openedAt < config.breaker.halfOpenAfterMs),
    onBreakerStateChange: (listener) => breaker.onStateChange((state) => listener(STATES[state])),
  };
}
