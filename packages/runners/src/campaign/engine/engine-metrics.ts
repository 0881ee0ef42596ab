import { Counter, type Registry } from 'prom-client';

/** A counter of `registry`, created on first use: several engines in one process share one registry. */
function counter<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: L[],
): Counter<L> {
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Counter<L>;
  return new Counter({ name, help, labelNames, registers: [registry] });
}

/**
 * The campaign engine's own Prometheus metrics, beside the stages' (same registry, served on /metrics):
 * what ingest, dispatch and the event topics did to campaign tasks.
 */
export class CampaignEngineMetrics {
  /** Candidates by what ingest did with them: created, superseded (in batch), redelivered, unknown_campaign. */
  readonly candidates: Counter<'outcome'>;
  /** Open tasks cancelled because a newer candidate of the client replaced them. */
  readonly tasksCanceled: Counter<never>;
  /** Tasks claimed by dispatch (NEW → IN_PROGRESS with an ADD dial task). */
  readonly tasksClaimed: Counter<never>;
  /** Dial tasks produced to tm-dial-tasks and acknowledged. */
  readonly dialTasksPublished: Counter<never>;
  /** Call events and communication results applied, by topic kind and outcome. */
  readonly events: Counter<'kind' | 'outcome'>;
  /** Scheduled work that failed (dispatch, housekeeping, analyze) and will run again. */
  readonly scheduleFailures: Counter<'work'>;
  /** Tasks whose call never started in time, by outcome (requeued, closed). */
  readonly callStartTimeouts: Counter<'outcome'>;

  constructor(registry: Registry) {
    this.candidates = counter(registry, 'campaign_candidates_total', 'Candidates ingested, by outcome.', [
      'outcome',
    ]);
    this.tasksCanceled = counter(
      registry,
      'campaign_tasks_canceled_total',
      'Open campaign tasks cancelled and replaced by a newer candidate of the same client.',
      [],
    );
    this.tasksClaimed = counter(
      registry,
      'campaign_tasks_claimed_total',
      'Campaign tasks claimed by the scheduled dispatch (NEW to IN_PROGRESS).',
      [],
    );
    this.dialTasksPublished = counter(
      registry,
      'campaign_dial_tasks_published_total',
      'Dial tasks (ADD and DELETE) produced to the dial-tasks topic and acknowledged.',
      [],
    );
    this.callStartTimeouts = counter(
      registry,
      'campaign_call_start_timeouts_total',
      'IN_PROGRESS tasks whose call did not start in time: a DELETE sent, and the task requeued or closed.',
      ['outcome'],
    );
    this.events = counter(
      registry,
      'campaign_events_applied_total',
      'Call events and communication results applied to the campaign database, by outcome.',
      ['kind', 'outcome'],
    );
    this.scheduleFailures = counter(
      registry,
      'campaign_schedule_failures_total',
      'Scheduled engine work that failed and will be tried again on its next run.',
      ['work'],
    );
  }
}
