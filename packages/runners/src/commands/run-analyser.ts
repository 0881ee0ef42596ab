import { hostname } from 'node:os';
import { loadPipelineConfig } from '@tm/contracts';
import { StageMetrics } from '@tm/pipeline-core';
import type { Command } from 'commander';
import { ANALYSER_STAGE_NAME, createAnalyserStage } from '../analyser/index.js';
import { createLogger } from '../runtime/logger.js';
import { runRunner } from '../runtime/run-runner.js';
import { ensurePipelineTopics } from '../runtime/topics.js';
import { transportFor } from '../runtime/transport.js';
import { configOption, configPathOf } from './config-option.js';
import { commandGroup } from './groups.js';

/**
 * The analyser replica's id when `--instance` is not given: $TM_INSTANCE_ID, else the host name. Two replicas
 * sharing a transactional id fence each other in turn (`docker compose up --scale analyser=2`, issue 15 defect 6);
 * each container has a host name of its own, and a restarted process on the same host keeps its id, so it still
 * fences its own zombie.
 */
export function defaultInstanceId(env: NodeJS.ProcessEnv = process.env, host = hostname()): string {
  return env.TM_INSTANCE_ID?.trim() || host;
}

interface RunAnalyserOptions {
  config: string;
  group: string;
  instance?: string;
}

/**
 * `tm run analyser [--config FILE] [--group ID] [--instance ID]`: the analyser (tml-events-analyser) until SIGTERM or SIGINT;
 * exits 0 after a graceful stop, 1 when the stage failed.
 */
export function register(program: Command): void {
  commandGroup(program, 'run', 'Run one stage of the pipeline (or the simulators) until stopped.')
    .command('analyser')
    .addOption(configOption())
    .description(
      'Consume every data stream’s topic, run each campaign’s filter cascade, and publish one candidate or rejection ' +
        'per campaign (exactly once); stop with SIGTERM or SIGINT. Ops endpoint on TM_OPS_PORT when set.',
    )
    .option(
      '--group <id>',
      'consumer group, and the prefix of the transactional id (a deployment of its own needs its own)',
      ANALYSER_STAGE_NAME,
    )
    .option(
      '--instance <id>',
      'this replica’s id, stable across its restarts: the suffix of its transactional id (default: $TM_INSTANCE_ID, else the host name, so replicas in their own containers never fence each other)',
    )
    .action(async (options: RunAnalyserOptions) => {
      const config = loadPipelineConfig(configPathOf(options));
      const logger = createLogger(ANALYSER_STAGE_NAME);
      const transport = transportFor(config, { clientId: ANALYSER_STAGE_NAME });
      const metrics = new StageMetrics();
      await ensurePipelineTopics(transport, config);
      const analyser = createAnalyserStage({
        config,
        transport,
        logger,
        metrics,
        name: options.group,
        instanceId: options.instance ?? defaultInstanceId(),
      });
      const code = await runRunner({
        stages: analyser.runnables,
        metrics,
        logger,
        onStopped: async () => {
          await analyser.close();
          await transport.close();
        },
      });
      // Applications still waiting for a service at the deadline keep retry timers: they are redelivered, not lost.
      process.exit(code);
    });
}
