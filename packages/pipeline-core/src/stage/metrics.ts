import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Prometheus metrics of stages, labelled by stage name. One instance per registry; several stages of a process
 * share it. Names follow the Prometheus conventions (`_total` counters, base units).
 */
export class StageMetrics {
  readonly recordsIn: Counter<'stage' | 'topic'>;
  readonly recordsOut: Counter<'stage' | 'topic'>;
  readonly errors: Counter<'stage' | 'kind'>;
  readonly deadLettered: Counter<'stage' | 'topic'>;
  readonly inFlight: Gauge<'stage'>;
  readonly paused: Gauge<'stage'>;
  readonly processingSeconds: Histogram<'stage'>;
  readonly consumerLag: Gauge<'stage' | 'topic' | 'partition'>;
  readonly commits: Counter<'stage'>;

  constructor(readonly registry: Registry = new Registry()) {
    const registers = [registry];
    this.recordsIn = new Counter({
      name: 'pipeline_records_in_total',
      help: 'Records handed to the stage pipeline.',
      labelNames: ['stage', 'topic'],
      registers,
    });
    this.recordsOut = new Counter({
      name: 'pipeline_records_out_total',
      help: 'Records produced by the stage.',
      labelNames: ['stage', 'topic'],
      registers,
    });
    this.errors = new Counter({
      name: 'pipeline_errors_total',
      help: 'Record failures by kind (decode, processing, send, commit).',
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
    });
    this.paused = new Gauge({
      name: 'pipeline_paused',
      help: '1 while the stage holds its partitions paused (backpressure).',
      labelNames: ['stage'],
      registers,
    });
    this.processingSeconds = new Histogram({
      name: 'pipeline_processing_seconds',
      help: 'Time from a record entering the pipeline to its settlement (outputs acknowledged).',
      labelNames: ['stage'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
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
  }
}
