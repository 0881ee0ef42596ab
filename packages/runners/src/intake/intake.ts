import { resolve } from 'node:path';
import { CsvReadError, type DataStreamConfig, type PipelineConfig } from '@tm/contracts';
import {
  backoffDelay,
  isFencedError,
  RECONNECT_BACKOFF,
  type RetryPolicy,
  retryWithBackoff,
  type StageHealth,
  type StageMetrics,
  type StageState,
  type Transport,
  type TransportProducer,
} from '@tm/pipeline-core';
import { contractSerdes, type Logger } from '../runtime/index.js';
import { exists } from './file-naming.js';
import { type IncomingFile, incomingFile, scanStreamFolder } from './folder-scan.js';
import { importFile } from './import-file.js';
import type { FileOutcome, ImportProgress, StreamContext } from './import-types.js';
import { IntakeMetrics } from './intake-metrics.js';
import { ensureIntakeTopics } from './intake-topics.js';
import { FileLedger } from './ledger.js';
import { StabilityTracker } from './stability.js';

/** What {@link createIntake} needs. */
export interface IntakeOptions {
  readonly config: PipelineConfig;
  readonly transport: Transport;
  readonly logger: Logger;
  /** The runner's metrics; intake registers its own on `metrics.registry`. */
  readonly metrics: StageMetrics;
  /**
   * Prefix of the transactional ids, one per stream (`PREFIX-STREAM`), stable across restarts: a restarted
   * runner fences its killed predecessor with them. Default `<infra.kafka.client-id>-intake`. Two processes that
   * import at the same time need different prefixes (`tm ingest` uses `...-ingest`).
   */
  readonly transactionalIdPrefix?: string;
  /** Clock for `receivedAt` and file ages (default `Date.now`). */
  readonly clock?: () => number;
}

/** The intake runner in-process, on any transport. */
export interface Intake {
  /** Connects, reads the ledger, then watches every stream folder (every `events.poll-interval-ms`). */
  start(): Promise<void>;
  /**
   * Stops watching; an import in progress stops (a file in one transaction at once, its transaction aborted; a file
   * in chunks after its next committed transaction, resumed from the ledger on the next start), then the producers
   * disconnect.
   */
  stop(): Promise<void>;
  /**
   * Imports every file now in the stream folders, oldest first, without the stability wait (the caller says the
   * files are complete; names in progress are still skipped), and resolves with each file's outcome. A file whose
   * import failed (broker down) has no outcome and stays for the next attempt; a producer fenced by a newer
   * instance rejects (and fails the runner). Connects first when {@link start} was not called.
   */
  importPending(): Promise<FileOutcome[]>;
  /**
   * Imports one file, wherever it is, as a file of `stream` (`tm ingest`): it ends in that stream's success/ or
   * error/ folder.
   */
  importOne(path: string, stream: string, onProgress?: (p: ImportProgress) => void): Promise<FileOutcome>;
  /** Settles when the runner stops (resolves) or fails for good (rejects), e.g. fenced by a newer instance. */
  readonly done: Promise<void>;
  readonly state: StageState;
  health(): StageHealth;
}

/** An unknown stream name given to {@link Intake.importOne}. */
export class UnknownStreamError extends Error {
  constructor(stream: string, known: readonly string[]) {
    super(`unknown stream ${stream}; the config knows ${known.join(', ')}`);
    this.name = 'UnknownStreamError';
  }
}

/** Waits before a stream whose import failed (broker down, file unreadable) is tried again: 2 s doubling to 1 min. */
const IMPORT_BACKOFF: RetryPolicy = { initialDelayMs: 2_000, maxDelayMs: 60_000, jitter: 'none' };

interface StreamWorker {
  readonly config: DataStreamConfig;
  readonly transactionalId: string;
  readonly producer: TransportProducer;
  readonly tracker: StabilityTracker;
  /** The chain of this stream's imports: one file at a time. */
  queue: Promise<unknown>;
  busy: boolean;
  failures: number;
  retryAt: number;
}

/**
 * Creates the intake runner (thesis §2.6.1, the tml-events-generator): one folder per data stream, files imported
 * oldest first once stable, format control, every row published exactly once (ADRs 0041, 0068), files moved to success/
 * or error/.
 *
 * ## Example
 * ```ts
 * const intake = createIntake({ config, transport: memoryTransport(broker), logger, metrics: new StageMetrics() });
 * const outcomes = await intake.importPending(); // [{ stream: 'MOBILE_LOANS', file: 'a.csv', outcome: 'accepted', rows: 10, ... }]
 * await intake.stop();
 * ```
 */
export function createIntake(options: IntakeOptions): Intake {
  return new IntakeRunner(options);
}

class IntakeRunner implements Intake {
  readonly #o: IntakeOptions;
  readonly #log: Logger;
  readonly #metrics: IntakeMetrics;
  readonly #clock: () => number;
  readonly #workers = new Map<string, StreamWorker>();
  #ledger: FileLedger | undefined;
  #connecting: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #state: StageState = 'created';
  #stopping = false;
  #error: Error | undefined;
  #lastImportAt: Date | undefined;
  #resolveDone!: () => void;
  #rejectDone!: (err: Error) => void;
  readonly done: Promise<void>;

  constructor(options: IntakeOptions) {
    this.#o = options;
    this.#log = options.logger.child({ stage: 'intake' });
    this.#metrics = new IntakeMetrics(options.metrics.registry);
    this.#clock = options.clock ?? Date.now;
    this.done = new Promise((resolve, reject) => {
      this.#resolveDone = resolve;
      this.#rejectDone = reject;
    });
    this.done.catch(() => {});
    const prefix = options.transactionalIdPrefix ?? `${options.config.infra.kafka.clientId}-intake`;
    for (const stream of options.config.events.dataStreams) {
      const transactionalId = `${prefix}-${stream.name}`;
      this.#workers.set(stream.name, {
        config: stream,
        transactionalId,
        producer: options.transport.createProducer({
          transactionalId,
          clientId: transactionalId,
          transactionTimeoutMs: options.config.events.transactionTimeoutMs,
        }),
        tracker: new StabilityTracker(options.config.events.stableAfterMs),
        queue: Promise.resolve(),
        busy: false,
        failures: 0,
        retryAt: 0,
      });
    }
  }

  get state(): StageState {
    return this.#state;
  }

  async start(): Promise<void> {
    if (this.#state !== 'created') throw new Error(`intake cannot start from state ${this.#state}`);
    this.#state = 'starting';
    const limitMs = this.#o.config.infra.kafka.outageLimitMs;
    const began = this.#clock();
    await retryWithBackoff(
      RECONNECT_BACKOFF,
      () => this.#connect(),
      (err, attempt) => {
        // A broker not up yet, or topics without leaders yet (defect 9): unready, and try again for a while.
        this.#connecting = undefined;
        if (isFencedError(err) || this.#clock() - began >= limitMs || this.#stopping) {
          this.#fail(err);
          throw err;
        }
        this.#log.warn(
          { attempt, error: err instanceof Error ? err.message : String(err) },
          'intake cannot start yet; trying again',
        );
      },
    );
    this.#state = 'running';
    this.#log.info(
      {
        streams: [...this.#workers.values()].map((w) => ({ name: w.config.name, folder: w.config.folder })),
        ledgerFiles: this.#ledger?.size ?? 0,
      },
      'intake watching stream folders',
    );
    this.#schedule(0);
  }

  async stop(): Promise<void> {
    if (this.#state === 'stopped' || this.#state === 'failed') return;
    this.#state = 'stopping';
    this.#stopping = true;
    clearTimeout(this.#timer);
    await Promise.allSettled([...this.#workers.values()].map((w) => w.queue));
    await this.#disconnect();
    this.#state = 'stopped';
    this.#resolveDone();
  }

  async importPending(): Promise<FileOutcome[]> {
    await this.#connect();
    const perStream = await Promise.all(
      [...this.#workers.values()].map(async (worker) => {
        const files = await scanStreamFolder(worker.config.folder);
        const outcomes: FileOutcome[] = [];
        for (const file of files) {
          const outcome = await this.#enqueue(worker, file);
          if (outcome) outcomes.push(outcome);
        }
        return outcomes;
      }),
    );
    return perStream.flat();
  }

  async importOne(
    path: string,
    stream: string,
    onProgress?: (p: ImportProgress) => void,
  ): Promise<FileOutcome> {
    const worker = this.#workers.get(stream);
    if (!worker) throw new UnknownStreamError(stream, [...this.#workers.keys()]);
    await this.#connect();
    const file = await incomingFile(path);
    if (!file) throw new CsvReadError(path, { cause: new Error('not a regular file') });
    const outcome = await this.#enqueue(worker, file, {
      rethrow: true,
      ...(onProgress ? { onProgress } : {}),
    });
    if (!outcome) throw new Error(`import of ${path} was stopped`);
    return outcome;
  }

  health(): StageHealth {
    return {
      stage: 'intake',
      state: this.#state,
      live: this.#state !== 'failed',
      // A stream whose last import failed (the broker away, say) cannot work: unready until one succeeds.
      ready: this.#state === 'running' && [...this.#workers.values()].every((w) => w.failures === 0),
      inFlight: [...this.#workers.values()].filter((w) => w.busy).length,
      uncommitted: 0,
      queued: 0,
      paused: false,
      assignedPartitions: 0,
      lastCommitAt: this.#lastImportAt?.toISOString() ?? null,
      error: this.#error?.message ?? null,
    };
  }

  /** Producers connected (fencing earlier instances), topics there, ledger read; once. */
  #connect(): Promise<void> {
    this.#connecting ??= (async () => {
      const { config, transport } = this.#o;
      await ensureIntakeTopics(transport, config);
      const workers = [...this.#workers.values()];
      await Promise.all(workers.map((w) => w.producer.connect()));
      await contractSerdes(config, this.#log).application.ready?.(); // registered before the first row is encoded
      this.#ledger = await FileLedger.load(transport, config.events.ledgerTopic, workers, {
        groupPrefix: `${config.infra.kafka.clientId}-intake-ledger`,
      });
    })();
    return this.#connecting;
  }

  async #disconnect(): Promise<void> {
    if (!this.#connecting) return;
    await this.#connecting.catch(() => {});
    await Promise.allSettled([...this.#workers.values()].map((w) => w.producer.disconnect()));
  }

  #schedule(delayMs: number): void {
    if (this.#stopping) return;
    this.#timer = setTimeout(() => {
      this.#poll().then(
        () => this.#schedule(this.#o.config.events.pollIntervalMs),
        (err: unknown) => this.#fail(err),
      );
    }, delayMs);
  }

  /** One round of watching: each idle stream's folder is scanned and its stable files imported, oldest first. */
  async #poll(): Promise<void> {
    await Promise.all(
      [...this.#workers.values()].map(async (worker) => {
        if (worker.busy || this.#clock() < worker.retryAt) return;
        const files = await scanStreamFolder(worker.config.folder);
        for (const file of worker.tracker.observe(files, this.#clock())) {
          if (this.#stopping || this.#clock() < worker.retryAt) return; // after a failure, wait before the next
          worker.tracker.forget(file.path);
          await this.#enqueue(worker, file);
        }
      }),
    );
  }

  /**
   * Imports a file after the stream's earlier imports. Failures that a later attempt may get past are logged and
   * counted, and the stream waits before its next attempt (`rethrow`: thrown instead); a fenced producer fails
   * the runner.
   *
   * @return the outcome, or undefined when the import failed or was stopped.
   */
  #enqueue(
    worker: StreamWorker,
    file: IncomingFile,
    options: { readonly onProgress?: (p: ImportProgress) => void; readonly rethrow?: boolean } = {},
  ): Promise<FileOutcome | undefined> {
    const { onProgress, rethrow = false } = options;
    const run = worker.queue.then(async () => {
      if (this.#stopping || this.#state === 'failed') return undefined;
      // Queued twice (by the watcher and importPending) and already imported by the first: nothing to do.
      if (!(await exists(file.path))) return undefined;
      worker.busy = true;
      const stream = worker.config.name;
      this.#metrics.fileAge.observe({ stream }, Math.max(0, (this.#clock() - file.mtimeMs) / 1000));
      try {
        const outcome = await importFile(file, this.#context(worker), {
          ...(onProgress ? { onProgress } : {}),
          shouldStop: () => this.#stopping,
        });
        if (outcome === 'stopped') return undefined; // logged by importFile
        worker.failures = 0;
        worker.retryAt = 0;
        this.#lastImportAt = new Date();
        this.#metrics.file(
          stream,
          outcome.outcome,
          outcome.outcome === 'accepted' ? outcome.published : outcome.rows,
          outcome.durationMs,
        );
        return outcome;
      } catch (err) {
        if (isFencedError(err)) {
          this.#fail(err);
          throw err;
        }
        if (rethrow) throw err;
        worker.failures++;
        const delay = backoffDelay(IMPORT_BACKOFF, worker.failures);
        worker.retryAt = this.#clock() + delay;
        this.#metrics.failures.inc({ stream });
        this.#log.error(
          {
            stream,
            file: file.name,
            error: err instanceof Error ? err.message : String(err),
            retryInMs: delay,
          },
          'import failed; the file stays and is tried again',
        );
        return undefined;
      } finally {
        worker.busy = false;
      }
    });
    worker.queue = run.catch(() => {});
    return run;
  }

  #context(worker: StreamWorker): StreamContext {
    const { config } = this.#o;
    const folder = worker.config.folder;
    return {
      stream: worker.config,
      successDir: resolve(folder, config.events.successFolderName),
      errorDir: resolve(folder, config.events.errorFolderName),
      producer: worker.producer,
      ledger: this.#ledger as FileLedger,
      singleTransactionMaxBytes: config.events.singleTransactionMaxBytes,
      transactionTimeoutMs: config.events.transactionTimeoutMs,
      rowsPerTransaction: config.events.rowsPerTransaction,
      logger: this.#log,
      avroHeader: contractSerdes(config).application.header(),
      ...(this.#o.clock ? { clock: this.#o.clock } : {}),
    };
  }

  #fail(err: unknown): void {
    if (this.#state === 'failed') return;
    this.#error = err instanceof Error ? err : new Error(String(err));
    this.#state = 'failed';
    this.#stopping = true;
    clearTimeout(this.#timer);
    this.#log.error({ error: this.#error.message }, 'intake failed');
    void this.#disconnect().finally(() => this.#rejectDone(this.#error as Error));
  }
}
