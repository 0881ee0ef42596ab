import { Counter, Histogram, type Registry } from 'prom-client';

function metric<M>(registry: Registry, name: string, make: () => M): M {
  return (registry.getSingleMetric(name) as M | undefined) ?? make();
}

/** The ARM's Prometheus metrics, beside its stage's (same registry, served on /metrics). */
export class ArmMetrics {
  /** Seconds from CALL_STARTED's occurredAt to the card stored and flagged (DESIGN §6: p99 ≤ 0.2 s). */
  readonly cardReady: Histogram<never>;
  /** Call events handled, by type and outcome. */
  readonly callEvents: Counter<'type' | 'outcome'>;
  /** Saves published, by state and who saved (operator, server). */
  readonly saves: Counter<'state' | 'by'>;
  /** Session events published, by action and reason. */
  readonly sessions: Counter<'action' | 'reason'>;
  /** Access checks of requests, by how they were answered: `cache` (a signed entry) or `service` (HTTP). */
  readonly accessChecks: Counter<'via'>;

  constructor(registry: Registry, cachedReads?: () => { memory: number; store: number }) {
    const registers = [registry];
    this.cardReady = metric(
      registry,
      'arm_card_ready_seconds',
      () =>
        new Histogram({
          name: 'arm_card_ready_seconds',
          help: 'From the call start (event time) to the client card being ready for the operator.',
          buckets: [0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 1, 2, 5],
          registers,
        }),
    );
    this.callEvents = metric(
      registry,
      'arm_call_events_total',
      () =>
        new Counter({
          name: 'arm_call_events_total',
          help: 'Call events handled by the ARM, by type and outcome.',
          labelNames: ['type', 'outcome'],
          registers,
        }),
    );
    this.saves = metric(
      registry,
      'arm_saves_total',
      () =>
        new Counter({
          name: 'arm_saves_total',
          help: 'Drafts and results published, by state and by whom (operator or server).',
          labelNames: ['state', 'by'],
          registers,
        }),
    );
    this.sessions = metric(
      registry,
      'arm_session_events_total',
      () =>
        new Counter({
          name: 'arm_session_events_total',
          help: 'Operator session events published, by action and reason.',
          labelNames: ['action', 'reason'],
          registers,
        }),
    );
    this.accessChecks = metric(
      registry,
      'arm_access_checks_total',
      () =>
        new Counter({
          name: 'arm_access_checks_total',
          help: 'Access checks of requests, by how they were answered: cache (a signed entry) or service (HTTP).',
          labelNames: ['via'],
          registers,
        }),
    );
    if (cachedReads) {
      metric(
        registry,
        'arm_cached_reads_total',
        () =>
          new Counter({
            name: 'arm_cached_reads_total',
            help: 'Reads of the access cache and the pending changes on polls, by where they were answered: memory (kept current by Redis invalidations, ADR 0167) or store.',
            labelNames: ['from'],
            registers,
            collect() {
              const counts = cachedReads();
              this.reset();
              this.inc({ from: 'memory' }, counts.memory);
              this.inc({ from: 'store' }, counts.store);
            },
          }),
      );
    }
  }
}
