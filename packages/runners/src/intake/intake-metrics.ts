import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The outcome of one file: its rows published, or the file refused by format control. */
export type FileOutcomeKind = 'accepted' | 'rejected';

/**
 * Prometheus metrics of intake, registered on the registry of the runner's `StageMetrics` so the ops endpoint
 * serves them beside the pipeline's own. Labels are stream names and outcomes only, never file names.
 */
export class IntakeMetrics {
  readonly files: Counter<'stream' | 'outcome'>;
  readonly rows: Counter<'stream' | 'outcome'>;
  readonly rowsPerSecond: Gauge<'stream'>;
  readonly fileAge: Histogram<'stream'>;
  readonly failures: Counter<'stream'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.files = new Counter({
      name: 'intake_files_total',
      help: 'Files imported, by stream and outcome (accepted: published and moved to success/; rejected: error/).',
      labelNames: ['stream', 'outcome'],
      registers,
    });
    this.rows = new Counter({
      name: 'intake_rows_total',
      help: 'Rows by stream and outcome: accepted rows published, rejected rows of files refused by format control.',
      labelNames: ['stream', 'outcome'],
      registers,
    });
    this.rowsPerSecond = new Gauge({
      name: 'intake_rows_per_second',
      help: 'Rows per second of the last file imported on the stream (both passes, moves included).',
      labelNames: ['stream'],
      registers,
    });
    this.fileAge = new Histogram({
      name: 'intake_file_age_seconds',
      help: 'Age of a file (since its last modification) when intake picked it up.',
      labelNames: ['stream'],
      buckets: [1, 2, 5, 10, 30, 60, 300, 900, 3600, 4 * 3600, 24 * 3600],
      registers,
    });
    this.failures = new Counter({
      name: 'intake_import_failures_total',
      help: 'Imports that failed before an outcome (broker or file system errors); the file stays and is retried.',
      labelNames: ['stream'],
      registers,
    });
  }

  /** Counts one finished file. */
  file(stream: string, outcome: FileOutcomeKind, rows: number, durationMs: number): void {
    this.files.inc({ stream, outcome });
    this.rows.inc({ stream, outcome }, rows);
    if (durationMs > 0) this.rowsPerSecond.set({ stream }, (rows * 1000) / durationMs);
  }
}
