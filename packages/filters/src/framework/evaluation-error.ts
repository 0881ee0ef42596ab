/**
 * The cascade could not decide about an application: a service did not answer, or a filter threw. Nothing was
 * decided for any campaign of the application, so nothing may be published for it. `retriable` says what the
 * runner does: true — wait and evaluate the application again (a service was unavailable); false — send the
 * record to the dead-letter topic (a bug, or a request a service refuses).
 */
export class ApplicationEvaluationError extends Error {
  readonly retriable: boolean;

  constructor(
    readonly applicationNumber: string,
    readonly campaignId: number,
    /** The filter or step that failed (CASPER_ENRICHMENT and ABRAM_PRODUCTS for the enrichment steps). */
    readonly step: string,
    override readonly cause: unknown,
  ) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(`application ${applicationNumber}, campaign ${campaignId}, ${step}: ${why}`, { cause });
    this.name = 'ApplicationEvaluationError';
    this.retriable = isRetriable(cause);
  }
}

/** True when `error` says it is worth trying again (`retriable: true`, as kafkajs errors and ours do). */
export function isRetriable(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    'retriable' in error &&
    (error as { retriable: unknown }).retriable === true
  );
}
