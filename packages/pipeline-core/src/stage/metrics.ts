import {
  Counter,
  Gauge,
  type Metric,
  type MetricObjectWithValues,
  type MetricValueWithName,
  Registry,
} from 'prom-client';

type Snapshot = () => { inFlight: number; paused: boolean };

const LATENCY_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * Prometheus metrics of stages, labelled by stage name. One instance per registry; several stages of a process
 * share it. Names follow the Prometheus conventions (`_total` counters, base units).
 *
 * Per-record counts are kept in plain numbers by each stage's {@link StageMeter} and handed to prom-client when the
 * registry is scraped (`collect` hooks): prom-client re-validates and re-hashes labels on every call, which cost
 * about a sixth of a passthrough stage's CPU. The latency histogram is a small metric of our own registered in the
 * same registry, for the same reason; its output is the standard histogram exposition.
 */
export class StageMetrics {
  readonly recordsIn: Counter<'stage' | 'topic'>;
  readonly recordsOut: Counter<'stage' | 'topic'>;
  readonly errors: Counter<'stage' | 'kind'>;
  readonly deadLettered: Counter<'stage' | 'topic'>;
  readonly inFlight: Gauge<'stage'>;
  readonly paused: Gauge<'stage'>;
  readonly consumerLag: Gauge<'stage' | 'topic' | 'partition'>;
  readonly commits: Counter<'stage'>;
  readonly #meters = new Map<string, { meter: StageMeter; snapshot: Snapshot }>();

  constructor(readonly registry: Registry = new Registry()) {
    const registers = [registry];
    const meters = this.#meters;
    const flush = () => {
      for (const { meter } of meters.values()) meter.flush();
    };
    this.recordsIn = new Counter({
      name: 'pipeline_records_in_total',
      help: 'Records handed to the stage pipeline.',
      labelNames: ['stage', 'topic'],
      registers,
      collect: flush,
    });
    this.recordsOut = new Counter({
      name: 'pipeline_records_out_total',
      help: 'Records produced by the stage.',
      labelNames: ['stage', 'topic'],
      registers,
      collect: flush,
    });
    this.errors = new Counter({
      name: 'pipeline_errors_total',
      help: 'Failures by kind (decode, send, commit, pipeline, consumer).',
      labelNames: ['stage', 'kind'],
      registers,
    });
    this.deadLettered = new Counter({
      name: 'pipeline_dead_lettered_total',
      help: 'Records sent to a dead-letter topic.',
      labelNames: ['stage', 'topic'],
      registers,
    });
    this.inFlight = new Gauge({
      name: 'pipeline_in_flight',
      help: 'Records handed to the pipeline and not yet settled.',
      labelNames: ['stage'],
      registers,
      collect() {
        for (const [stage, { snapshot }] of meters) this.set({ stage }, snapshot().inFlight);
      },
    });
    this.paused = new Gauge({
      name: 'pipeline_paused',
      help: '1 while the stage holds its partitions paused (backpressure).',
      labelNames: ['stage'],
      registers,
      collect() {
        for (const [stage, { snapshot }] of meters) this.set({ stage }, snapshot().paused ? 1 : 0);
      },
    });
    this.consumerLag = new Gauge({
      name: 'pipeline_consumer_lag',
      help: 'Records behind the partition end, at the last fetch.',
      labelNames: ['stage', 'topic', 'partition'],
      registers,
    });
    this.commits = new Counter({
      name: 'pipeline_commits_total',
      help: 'Offset commits (or committed transactions).',
      labelNames: ['stage'],
      registers,
    });
    // The registry only calls get() (and reset()) on what it holds; prom-client types it as its own Metric class.
    registry.registerMetric(new LatencyHistogram(meters) as unknown as Metric);
  }

  /** The meter one stage counts with; `snapshot` is read at scrape time for the in-flight and paused gauges. */
  forStage(stage: string, snapshot: Snapshot): StageMeter {
    const meter = new StageMeter(this, stage);
    this.#meters.set(stage, { meter, snapshot });
    return meter;
  }
}

/** `pipeline_processing_seconds`: time from a record entering the pipeline to its settlement, per stage. */
class LatencyHistogram {
  readonly name = 'pipeline_processing_seconds';
  readonly help = 'Time from a record entering the pipeline to its settlement (outputs acknowledged).';
  readonly type = 'histogram';
  readonly aggregator = 'sum';

  constructor(private readonly meters: Map<string, { meter: StageMeter }>) {}

  get(): MetricObjectWithValues<MetricValueWithName<string>> {
    const values: MetricValueWithName<string>[] = [];
    for (const [stage, { meter }] of this.meters) {
      let cumulative = 0;
      LATENCY_BUCKETS.forEach((le, i) => {
        cumulative += meter.latency.buckets[i] ?? 0;
        values.push({ metricName: `${this.name}_bucket`, labels: { stage, le }, value: cumulative });
      });
      values.push({
        metricName: `${this.name}_bucket`,
        labels: { stage, le: '+Inf' },
        value: meter.latency.count,
      });
      values.push({ metricName: `${this.name}_sum`, labels: { stage }, value: meter.latency.sum });
      values.push({ metricName: `${this.name}_count`, labels: { stage }, value: meter.latency.count });
    }
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values,
    } as unknown as MetricObjectWithValues<MetricValueWithName<string>>;
  }

  reset(): void {}
}

/** One stage's counters, kept locally and flushed to prom-client at scrape time. */
export class StageMeter {
  readonly #in = new Map<string, number>();
  readonly #out = new Map<string, number>();
  readonly latency = { buckets: new Float64Array(LATENCY_BUCKETS.length), sum: 0, count: 0 };

  constructor(
    private readonly metrics: StageMetrics,
    private readonly stage: string,
  ) {}

  recordIn(topic: string): void {
    this.#in.set(topic, (this.#in.get(topic) ?? 0) + 1);
  }

  recordOut(topic: string): void {
    this.#out.set(topic, (this.#out.get(topic) ?? 0) + 1);
  }

  processed(seconds: number): void {
    const latency = this.latency;
    latency.sum += seconds;
    latency.count += 1;
    for (let i = 0; i < LATENCY_BUCKETS.length; i += 1) {
      if (seconds <= (LATENCY_BUCKETS[i] as number)) {
        latency.buckets[i] = (latency.buckets[i] as number) + 1;
        return;
      }
    }
  }

  /** Moves the local counts into the prom-client counters. */
  flush(): void {
    for (const [topic, n] of this.#in) if (n > 0) this.metrics.recordsIn.inc({ stage: this.stage, topic }, n);
    for (const [topic, n] of this.#out)
      if (n > 0) this.metrics.recordsOut.inc({ stage: this.stage, topic }, n);
    this.#in.clear();
    this.#out.clear();
  }

  error(kind: string): void {
    this.metrics.errors.inc({ stage: this.stage, kind });
  }

  deadLettered(topic: string): void {
    this.metrics.deadLettered.inc({ stage: this.stage, topic });
  }

  lag(topic: string, partition: number, value: number): void {
    this.metrics.consumerLag.set({ stage: this.stage, topic, partition: String(partition) }, value);
  }

  committed(): void {
    this.metrics.commits.inc({ stage: this.stage });
  }
}
