import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

function metric<M>(registry: Registry, name: string, make: () => M): M {
  return (registry.getSingleMetric(name) as M | undefined) ?? make();
}

/** The dialer's Prometheus metrics, beside its stages' (same registry, served on /metrics). */
export class DialerMetrics {
  /** Instructions read from tm-dial-tasks and tm-callback-requests, by type and outcome (stored, duplicate). */
  readonly instructions: Counter<'type' | 'outcome'>;
  /** What the sender did with an instruction, by type and outcome. */
  readonly sends: Counter<'type' | 'outcome'>;
  /** Call events published to tm-call-events, by type. */
  readonly callEvents: Counter<'type'>;
  /** Polled events whose telephony task the dialer does not know (not published). */
  readonly unknownCalls: Counter<never>;
  /** Seconds of one poll round over every active operator. */
  readonly pollRound: Histogram<never>;
  /** Telephony logins, by outcome (ok, refused, unavailable). */
  readonly logins: Counter<'outcome'>;
  /** Active operators, and those whose telephony login is failing now. */
  readonly activeOperators: Gauge<never>;
  readonly failingLogins: Gauge<never>;
  /** 1 while the telephony's circuit breaker is open. */
  readonly breakerOpen: Gauge<never>;

  constructor(registry: Registry) {
    const registers = [registry];
    const counter = <L extends string>(name: string, help: string, labelNames: L[] = []) =>
      metric(registry, name, () => new Counter<L>({ name, help, labelNames, registers }));
    const gauge = (name: string, help: string) =>
      metric(registry, name, () => new Gauge({ name, help, registers }));
    this.instructions = counter(
      'dialer_instructions_total',
      'Dial tasks and click-to-calls read, by type and outcome.',
      ['type', 'outcome'],
    );
    this.sends = counter('dialer_sends_total', 'Instructions handled by the sender, by type and outcome.', [
      'type',
      'outcome',
    ]);
    this.callEvents = counter('dialer_call_events_total', 'Call events published, by type.', ['type']);
    this.unknownCalls = counter(
      'dialer_unknown_calls_total',
      'Polled call events of telephony tasks the dialer never stored (not published).',
    );
    this.pollRound = metric(
      registry,
      'dialer_poll_round_seconds',
      () =>
        new Histogram({
          name: 'dialer_poll_round_seconds',
          help: 'One poll round over every active operator, publishing and cursor included.',
          buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
          registers,
        }),
    );
    this.logins = counter('dialer_logins_total', 'Telephony logins of operators, by outcome.', ['outcome']);
    this.activeOperators = gauge('dialer_active_operators', 'Operators whose session is open (polled).');
    this.failingLogins = gauge(
      'dialer_failing_logins',
      'Active operators whose telephony login failed and is being retried.',
    );
    this.breakerOpen = gauge(
      'dialer_telephony_breaker_open',
      '1 while the telephony circuit breaker is open.',
    );
  }
}
