import type { ServicePolicy, Services } from '@tm/filters';
import type { Logger } from '@tm/pipeline-core';

/** Services that expose their resilience policies (the HTTP clients of @tm/filters do). */
function policiesOf(services: Services): ServicePolicy[] {
  return Object.values(services).flatMap((service: object) =>
    'policy' in service && typeof service.policy === 'object' && service.policy !== null
      ? [service.policy as ServicePolicy]
      : [],
  );
}

/**
 * Logs every circuit-breaker state change of the services: an outage shows as `open` (warn) and its end as
 * `closed` (info), rather than as one line per waiting application. Services without policies (test fakes) are
 * not watched. Dispose when the stage stopped.
 */
export function watchBreakers(services: Services, log: Logger): { dispose(): void } {
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
