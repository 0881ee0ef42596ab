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

/** What {@link watchBreakers} answers: the services' readiness, as a runner reports it on /readyz. */
export interface BreakerWatch {
  /** False while a service's breaker refuses calls ({@link ServicePolicy.refusesCalls}). */
  ready(): boolean;
  /** `<service>: circuit breaker open` for each service whose breaker refuses calls, or null when none does. */
  reason(): string | null;
  /** Stops logging the state changes. */
  dispose(): void;
}

/**
 * Logs every circuit-breaker state change of the services: an outage shows as `open` (warn) and its end as
 * `closed` (info), rather than as one line per waiting call; and answers whether the services can be called now,
 * for readiness (ADR 0188). Services without policies (test fakes) are not watched and always ready. Dispose when
 * the services are no longer used.
 */
export function watchBreakers(services: Services, log: BreakerLog): BreakerWatch {
  const policies = policiesOf(services);
  const refusing = () => policies.filter((p) => p.refusesCalls());
  const subscriptions = policies.map((policy) =>
    policy.onBreakerStateChange((state) => {
      const line = { service: policy.service, breaker: state };
      if (state === 'closed') log.info(line, 'service circuit breaker closed: calls go through again');
      else log.warn(line, `service circuit breaker ${state}`);
    }),
  );
  return {
    ready: () => refusing().length === 0,
    reason: () => {
      const open = refusing();
      return open.length === 0 ? null : open.map((p) => `${p.service}: circuit breaker open`).join('; ');
    },
    dispose: () => {
      for (const s of subscriptions) s.dispose();
    },
  };
}
