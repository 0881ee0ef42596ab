import { ApplicationEvaluationError, isRetriable, ServiceError } from '@tm/filters';
import { Counter, type Registry } from 'prom-client';

const NAME = 'tm_analyser_evaluation_failures_total';

/** Labels of an evaluation failure: the step that failed, the service it asked, and whether it is retried. */
export type FailureLabels = { step: string; service: string; retriable: 'true' | 'false' };

/**
 * The counter of failed evaluations (each attempt counts), in `registry`: how often applications wait for a
 * service, and which one. Shared by every analyser stage of the registry.
 */
export function evaluationFailureCounter(registry: Registry): Counter<keyof FailureLabels> {
  const existing = registry.getSingleMetric(NAME);
  if (existing) return existing as Counter<keyof FailureLabels>;
  return new Counter({
    name: NAME,
    help: 'Failed evaluations of an application (each attempt), by step, service and whether they are retried.',
    labelNames: ['step', 'service', 'retriable'],
    registers: [registry],
  });
}

/** The labels of `error`: an {@link ApplicationEvaluationError}'s step and service, or `unknown` for anything else. */
export function failureLabels(error: unknown): FailureLabels {
  const evaluation = error instanceof ApplicationEvaluationError ? error : undefined;
  const cause = evaluation?.cause;
  return {
    step: evaluation?.step ?? 'unknown',
    service: cause instanceof ServiceError ? cause.service : 'none',
    retriable: isRetriable(error) ? 'true' : 'false',
  };
}
