import { ConfigError, CsvReadError, loadPipelineConfig } from '@tm/contracts';
import { StageMetrics } from '@tm/pipeline-core';
import { Presets, SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import type { FileOutcome, ImportProgress } from '../intake/import-types.js';
import { createIntake, UnknownStreamError } from '../intake/intake.js';
import { createLogger, transportFor } from '../runtime/index.js';
import { exitTwoOnUsageError } from '../usage-errors.js';
import { configOption, configPathOf } from './config-option.js';
import type { CommandOutput } from './validate-csv.js';

/** Options of `tm ingest`. */
export interface IngestOptions {
  readonly stream: string;
  readonly config?: string;
  /** Show a progress bar (default: when stderr is a terminal). */
  readonly progress?: boolean;
}

/** The summary line of one import, as `tm ingest` prints it. */
export function describeOutcome(outcome: FileOutcome): string {
  if (outcome.outcome === 'rejected') {
    return `${outcome.file}: refused by format control, ${outcome.errors} errors in ${outcome.rows} rows; moved to ${outcome.movedTo} (report ${outcome.report})`;
  }
  const how = outcome.alreadyImported
    ? 'already imported (the ledger has every row), nothing published'
    : outcome.resumedAfterLine > 0
      ? `${outcome.published} published after line ${outcome.resumedAfterLine}`
      : `${outcome.published} published`;
  const perSecond = (ms: number) => Math.round((outcome.rows * 1000) / Math.max(1, ms));
  const mode =
    outcome.mode === 'single-transaction'
      ? 'format control and publishing in one pass, one transaction'
      : `in chunks, format control first at ${perSecond(outcome.checkMs)} rows/s`;
  const rate = `, ${perSecond(outcome.durationMs)} rows/s (${mode})`;
  return `${outcome.file}: ${outcome.rows} rows, ${how}${rate}; moved to ${outcome.movedTo}`;
}

/**
 * `tm ingest FILE --stream NAME`: the intake of one file, once (format control, publish, move to the stream's
 * success/ or error/ folder), with a progress bar on a terminal and a plain summary otherwise. Do not ingest a
 * file the running intake also watches: both would import it.
 *
 * @return the exit code: 0 the file was accepted, 1 refused by format control, 2 the call is wrong, the config is
 *   unusable or the file cannot be read.
 */
export async function ingest(
  file: string,
  options: IngestOptions,
  out: CommandOutput = process,
): Promise<number> {
  let config: ReturnType<typeof loadPipelineConfig>;
  try {
    config = loadPipelineConfig(configPathOf(options));
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    out.stderr.write(`tm ingest: ${err.message}\n`);
    return 2;
  }
  const logger = createLogger('ingest', {
    level: process.env.LOG_LEVEL ?? 'warn',
    destination: process.stderr,
  });
  const transport = transportFor(config, { clientId: `${config.infra.kafka.clientId}-ingest` });
  const intake = createIntake({
    config,
    transport,
    logger,
    metrics: new StageMetrics(),
    transactionalIdPrefix: `${config.infra.kafka.clientId}-ingest`,
  });
  const showProgress = options.progress ?? process.stderr.isTTY === true;
  const bar = showProgress ? progressBar() : undefined;
  try {
    const outcome = await intake.importOne(file, options.stream, bar?.update);
    bar?.stop();
    out.stdout.write(`${describeOutcome(outcome)}\n`);
    return outcome.outcome === 'accepted' ? 0 : 1;
  } catch (err) {
    bar?.stop();
    const code = (err as NodeJS.ErrnoException).code;
    if (
      err instanceof UnknownStreamError ||
      err instanceof CsvReadError ||
      code === 'ENOENT' ||
      code === 'EISDIR'
    ) {
      out.stderr.write(`tm ingest: ${(err as Error).message}\n`);
      return 2;
    }
    throw err;
  } finally {
    await intake.stop();
    await transport.close();
  }
}

/** A cli-progress bar over the file's bytes, relabelled for each pass. */
function progressBar(): { update: (p: ImportProgress) => void; stop: () => void } {
  const bar = new SingleBar(
    {
      format: '{phase} |{bar}| {percentage}% | {rows} rows',
      hideCursor: true,
      stream: process.stderr,
    },
    Presets.shades_classic,
  );
  let started = false;
  return {
    update: (p) => {
      const payload = { phase: p.phase.padEnd(10), rows: p.rows };
      if (!started) {
        bar.start(Math.max(1, p.totalBytes), p.bytes, payload);
        started = true;
      } else bar.update(p.bytes, payload);
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}

/** Adds `tm ingest` to the program. */
export function register(program: Command): void {
  const command = program
    .command('ingest')
    .addOption(configOption())
    .description('Import one CSV file as the intake runner would, once: format control, publish, move')
    .argument('<file>', 'the CSV file to import')
    .requiredOption('--stream <name>', 'data stream the file belongs to (events.data-streams[].name)')
    .option('--no-progress', 'no progress bar, even on a terminal')
    .addHelpText(
      'after',
      `
The file ends in the stream's success/ folder (every row published to the stream topic) or error/ folder (with
NAME.errors.txt; nothing published). Do not ingest a file the running intake also watches.

Exit status: 0 accepted, 1 refused by format control, 2 wrong arguments, unusable config or unreadable file.`,
    )
    .action(async (file: string, options: IngestOptions) => {
      process.exitCode = await ingest(file, options);
    });
  exitTwoOnUsageError(command);
}
