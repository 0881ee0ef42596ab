import { defaultConfigPath } from '@tm/contracts';
import { InvalidArgumentError, Option } from 'commander';

/** How every command's help describes the config file it reads when given none. */
export const CONFIG_DEFAULT_TEXT = '$TM_CONFIG, else config/pipeline.yaml';

/**
 * `-c, --config <file>`, described the same way in every command's help (`.addOption(configOption())`); the action
 * reads the file from {@link configPathOf} (the option, else $TM_CONFIG, else config/pipeline.yaml), resolved when
 * it runs rather than when the help is built.
 */
export function configOption(): Option {
  return new Option('-c, --config <file>', `pipeline config file (default: ${CONFIG_DEFAULT_TEXT})`);
}

/** The config file a command reads: its `--config`, else {@link defaultConfigPath}. */
export function configPathOf(options: { config?: string }): string {
  return options.config ?? defaultConfigPath();
}

/** Parses a TCP port option (0 to 65535; 0 picks a free one), refusing anything else with a usage error. */
export function portOption(name: string): (value: string) => number {
  return (value) => {
    const port = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isInteger(port) || port < 0 || port > 65_535) {
      throw new InvalidArgumentError(`${name} must be a port number from 0 to 65535, not "${value}"`);
    }
    return port;
  };
}
