import type { Command } from 'commander';
import { demoProgress } from '../demo/demo-progress.js';
import { formatDemoSummary } from '../demo/format-summary.js';
import { type DemoServing, runDemo } from '../demo/run-demo.js';
import { UsageError } from '../usage-errors.js';

interface DemoCommandOptions {
  rows: number;
  seed: number;
  json?: boolean;
  keep?: boolean;
  operators?: number;
  serve?: boolean;
}

function positiveInteger(name: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < 1)
      throw new UsageError(`${name} must be a positive integer, got ${value}`);
    return parsed;
  };
}

/** What `--serve` prints once the page and the dashboard answer. */
export function formatServing(s: DemoServing): string {
  return [
    '',
    'The demo is running; stop it with Ctrl-C.',
    `  operator page   ${s.operatorPage}`,
    `  KPI dashboard   ${s.dashboard}`,
    `  demo operator   login ${s.login}, password ${s.password}`,
    '',
  ].join('\n');
}

/** `tm demo`: the whole loop on the embedded default, no services needed (`pnpm demo`). */
export function register(program: Command): void {
  program
    .command('demo')
    .description(
      'Run the whole loop on the embedded default — sample CSV files for both streams, intake → analyser → campaign ' +
        'engine → dialer → telephony simulator → simulated operators saving results through the ARM → re-calls — ' +
        'in one process on the memory transport and PGlite, and print a summary.',
    )
    .option('--rows <n>', 'rows in all sample files', positiveInteger('--rows'), 1_000)
    .option('--seed <n>', 'seed of the sample data', positiveInteger('--seed'), 1)
    .option('--json', 'print the summary as one JSON object (no progress display)')
    .option(
      '--operators <n>',
      'simulated operators taking calls (default 6; 3 with --serve)',
      positiveInteger('--operators'),
    )
    .option(
      '--serve',
      'keep everything running at a person’s pace and print the operator page’s and the KPI dashboard’s URLs ' +
        'with the demo operator’s login; Ctrl-C stops it and prints the summary',
    )
    .option(
      '--keep',
      'keep the working directory with the sample files and their success/ and error/ folders',
    )
    .action(async (opts: DemoCommandOptions) => {
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      if (opts.serve) {
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
      }
      const summary = await runDemo({
        rows: opts.rows,
        seed: opts.seed,
        keepDir: opts.keep ?? false,
        ...(opts.operators ? { operators: opts.operators } : {}),
        ...(opts.json ? {} : { progress: demoProgress() }),
        ...(opts.serve
          ? {
              serve: {
                signal: stop.signal,
                onReady: (serving: DemoServing) => process.stderr.write(formatServing(serving)),
              },
            }
          : {}),
      });
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.stdout.write(opts.json ? `${JSON.stringify(summary)}\n` : formatDemoSummary(summary));
    });
}
