import { ConfigError, loadPipelineConfig } from '@tm/contracts';
import { type Runnable, StageMetrics } from '@tm/pipeline-core';
import type { Command } from 'commander';
import { createIntake, type Intake } from '../intake/intake.js';
import { createLogger, runRunner, transportFor } from '../runtime/index.js';
import { configOption, configPathOf, portOption } from './config-option.js';
import { commandGroup } from './groups.js';

/** The intake as a pipeline-core `Runnable`, for `runRunner`: start, graceful stop, abort, done, state, health. */
function asRunnable(intake: Intake): Runnable {
  return {
    name: 'intake',
    start: () => intake.start(),
    stop: () => intake.stop(),
    abort: () => intake.stop(),
    get done() {
      return intake.done;
    },
    get state() {
      return intake.state;
    },
    health: () => intake.health(),
  };
}

/**
 * `tm run intake [--config FILE]`: watches the folder of every data stream and imports its files until SIGTERM or
 * SIGINT; the ops endpoint (TM_OPS_PORT) serves health and the intake metrics.
 *
 * @return the process exit code: 0 after a clean stop, 1 when intake failed (fenced, broker unreachable at start).
 */
export async function runIntake(options: { config: string; opsPort?: number }): Promise<number> {
  const config = loadPipelineConfig(configPathOf(options));
  const logger = createLogger('intake');
  const metrics = new StageMetrics();
  const transport = transportFor(config, { clientId: `${config.infra.kafka.clientId}-intake` });
  const intake = createIntake({ config, transport, logger, metrics });
  return runRunner({
    stages: [asRunnable(intake)],
    metrics,
    logger,
    ...(options.opsPort !== undefined ? { opsPort: options.opsPort } : {}),
    onStopped: () => transport.close(),
  });
}

/** Adds `tm run intake` to the program. */
export function register(program: Command): void {
  commandGroup(program, 'run', 'Run one stage of the pipeline (or the simulators) until stopped.')
    .command('intake')
    .addOption(configOption())
    .description(
      'Watch the folder of every data stream (events.data-streams), import stable files oldest first: format ' +
        'control, every row published once to the stream topic, the file moved to success/ or error/.',
    )
    .option(
      '--ops-port <port>',
      'serve /healthz, /readyz and /metrics on this port (0: a free one)',
      portOption('--ops-port'),
    )
    .addHelpText(
      'after',
      `
A file is picked up once its size and mtime have not changed for events.stable-after-ms; files named *.tmp or
*.part, or starting with ".", are never picked up (write under such a name, then rename). A refused file goes to
error/ with NAME.errors.txt beside it and nothing of it is published. Health and metrics: --ops-port or
TM_OPS_PORT.`,
    )
    .action(async (options: { config: string; opsPort?: number }) => {
      try {
        process.exitCode = await runIntake(options);
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        console.error(`tm run intake: ${err.message}`);
        process.exitCode = 2;
      }
    });
}
