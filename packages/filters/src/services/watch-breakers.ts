import type { ServicePolicy } from './resilience.js';
import type { Services } from './types.js';

/** Where breaker state changes are logged: pino's `Logger` fits. */
export interface BreakerLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

/** The resilience policies of the services that expose one (the HTTP clients of this package do; fakes do not). */
export function policiesOf(services: Services): ServicePolicy[] {
  return Object.values(services).flatMap((service: object) =>
    'policy' in service && typeof service.policy === 'object' && service.policy !== null
      ? [service.policy as ServicePolicy]
      : [],
  );
}

/**
 * Logs every circuit-breaker state change of the services: an outage shows as `open` (warn) and its end as
 * `closed` (info), rather than as one line per waiting call. Services without policies (test fakes) are not
 * watched. Dispose when the services are no longer used.
 */
export function watchBreakers(services: Services, log: BreakerLog): { dispose(): void } {
  const subscriptions = policiesOf(services).map((policy) =>
    policy.onBreakerStateChange((state) => {
      const line = { service: policy.service, breaker: state };
      if (state === 'closed') log.info(line, 'service circuit breaker closed: calls go through again');
      else log.warn(line, `service circuit breaker ${state}`);
    }),
  );
  return {
    dispose: () => {
      for (const s of subscriptions) s.dispose();
    },
  };
}
