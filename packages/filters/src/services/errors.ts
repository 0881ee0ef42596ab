/** Which external system a service error is about. */
export type ServiceId = 'blacklist' | 'casper' | 'abram';

/**
 * A call to an external service failed. `retriable` tells the runner whether to try the application again later
 * (the service is down, slow or overloaded) or to dead-letter it (the service refuses the request or answers
 * nonsense, which waiting will not fix). Messages never contain the request body (phones, passports).
 */
export class ServiceError extends Error {
  constructor(
    readonly service: ServiceId,
    readonly operation: string,
    readonly retriable: boolean,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${service} ${operation}: ${message}`, options);
    this.name = 'ServiceError';
  }
}

/**
 * The service did not answer usefully after every retry, its circuit breaker is open, or too many calls are
 * queued. Retriable: nothing was decided, so the application must be evaluated again.
 */
export class ServiceUnavailableError extends ServiceError {
  constructor(
    service: ServiceId,
    operation: string,
    /** Calls made before giving up (0 when the breaker or the queue refused at once). */
    readonly attempts: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(service, operation, true, message, options);
    this.name = 'ServiceUnavailableError';
  }
}

/** The service refused the request (HTTP 4xx other than 408/429): ours is wrong; not retriable. */
export class ServiceRequestError extends ServiceError {
  constructor(
    service: ServiceId,
    operation: string,
    readonly status: number,
    message: string,
  ) {
    super(service, operation, false, message);
    this.name = 'ServiceRequestError';
  }
}

/** The service answered 2xx with a body that is not what its API says; not retriable. */
export class ServiceResponseError extends ServiceError {
  constructor(service: ServiceId, operation: string, message: string, options?: { cause?: unknown }) {
    super(service, operation, false, message, options);
    this.name = 'ServiceResponseError';
  }
}

/**
 * A non-2xx HTTP answer, before it is classified. Transient for 5xx, 408 and 429. The message quotes the start of
 * the body with every run of 6 or more digits replaced by `#`, as a service may echo a phone or passport number.
 */
export class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`HTTP ${status}${body ? `: ${body.slice(0, 200).replace(/\d{6,}/g, '#')}` : ''}`);
    this.name = 'HttpStatusError';
  }

  get transient(): boolean {
    return this.status >= 500 || this.status === 408 || this.status === 429;
  }
}
