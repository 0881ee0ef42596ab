import { loadPipelineConfig } from '@tm/contracts';
import type { Command } from 'commander';
import { startSimulators } from '../simulators/index.js';
import { configOption, configPathOf } from './config-option.js';
import { commandGroup } from './groups.js';

/** `tm run simulators [--config FILE]`: BlackList, Casper, Abram and telephony stand-ins until SIGINT or SIGTERM. */
export function register(program: Command): void {
  commandGroup(program, 'run', 'Run one stage of the pipeline (or the simulators) until stopped.')
    .command('simulators')
    .addOption(configOption())
    .description(
      "Start the BlackList, Casper, Abram and telephony simulators (config section `simulators`; the telephony's " +
        'account key and operator secret from $TM_TELEPHONY_API_KEY and $TM_TELEPHONY_OPERATOR_SECRET) until SIGINT ' +
        'or SIGTERM.',
    )
    .action(async (options: { config: string }) => {
      const config = loadPipelineConfig(configPathOf(options));
      const simulators = await startSimulators(config.simulators);
      for (const [service, url] of Object.entries(simulators.urls))
        console.log(`${service.padEnd(9)} ${url}`);
      console.log(`seed ${config.simulators.seed}; stop with Ctrl-C`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await simulators.close();
    });
}
