import type { Command } from 'commander';
import { demoProgress } from '../demo/demo-progress.js';
import { formatDemoSummary } from '../demo/format-summary.js';
import { runDemo } from '../demo/run-demo.js';
import { UsageError } from '../usage-errors.js';

function positiveInteger(name: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < 1)
      throw new UsageError(`${name} must be a positive integer, got ${value}`);
    return parsed;
  };
}

/** `tm demo`: the whole data path on the embedded default, no services needed (`pnpm demo`). */
export function register(program: Command): void {
  program
    .command('demo')
    .description(
      'Run the data path on the embedded default — sample CSV files for both streams, intake → analyser (simulators ' +
        'in-process) → campaign engine on the memory transport and PGlite — and print a summary.',
    )
    .option('--rows <n>', 'rows in all sample files', positiveInteger('--rows'), 10_000)
    .option('--seed <n>', 'seed of the sample data', positiveInteger('--seed'), 1)
    .option('--json', 'print the summary as one JSON object (no progress display)')
    .option(
      '--keep',
      'keep the working directory with the sample files and their success/ and error/ folders',
    )
    .action(async (opts: { rows: number; seed: number; json?: boolean; keep?: boolean }) => {
      const summary = await runDemo({
        rows: opts.rows,
        seed: opts.seed,
        keepDir: opts.keep ?? false,
        ...(opts.json ? {} : { progress: demoProgress() }),
      });
      process.stdout.write(opts.json ? `${JSON.stringify(summary)}\n` : formatDemoSummary(summary));
    });
}
