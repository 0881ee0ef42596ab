import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError, type ConfigProblem, defaultConfigPath, parsePipelineConfig } from '@tm/contracts';
import { checkCampaigns, createFilterRegistry, type FilterRegistry } from '@tm/filters';
import type { Command } from 'commander';
import { CONFIG_DEFAULT_TEXT } from './config-option.js';

/** What `tm check-config` found: its exit code and the lines it prints. */
export interface ConfigCheck {
  /** 0: usable; 1: problems; 2: the file cannot be read. */
  readonly code: 0 | 1 | 2;
  readonly lines: readonly string[];
}

const line = (p: ConfigProblem) => `  ${p.path || '(root)'}: ${p.message}`;

/**
 * Validates a pipeline config file the way the runners will at start-up, including every campaign's filter
 * settings against `registry` (the built-in filters by default), and says what is wrong with key paths.
 */
export function checkConfigFile(
  file: string,
  options: { env?: NodeJS.ProcessEnv; registry?: FilterRegistry } = {},
): ConfigCheck {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return { code: 2, lines: [`${file}: cannot read: ${(err as Error).message}`] };
  }
  let config: ReturnType<typeof parsePipelineConfig>;
  const defaults: string[] = [];
  try {
    config = parsePipelineConfig(text, {
      source: file,
      env: options.env ?? process.env,
      baseDir: dirname(resolve(file)),
      notes: defaults,
    });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return { code: 1, lines: [`${file}: ${err.problems.length} problem(s)`, ...err.problems.map(line)] };
  }
  const check = checkCampaigns(config.eventsAnalyser.campaigns, options.registry ?? createFilterRegistry());
  const notes = [
    ...check.notices.map((n) => `  note: ${n.path}: ${n.message}`),
    ...defaults.map((d) => `  note: ${d}`),
  ];
  if (check.problems.length > 0) {
    return {
      code: 1,
      lines: [`${file}: ${check.problems.length} problem(s)`, ...check.problems.map(line), ...notes],
    };
  }
  const campaigns = check.campaigns.map(
    (c) => `  campaign ${c.campaignId}: ${c.steps.map((s) => s.filter.name).join(' → ') || '(no filters)'}`,
  );
  return { code: 0, lines: [`${file}: OK, ${check.campaigns.length} campaign(s)`, ...campaigns, ...notes] };
}

/** `tm check-config [FILE]`: prints every problem with its key path; exit 0 (usable), 1 (problems), 2 (unreadable). */
export function register(program: Command): void {
  program
    .command('check-config')
    .description(
      'Validate a pipeline config, including each campaign’s filter settings; exit 0 usable, 1 problems, 2 unreadable.',
    )
    .argument('[file]', `pipeline config file (default: ${CONFIG_DEFAULT_TEXT})`)
    .action((file: string | undefined) => {
      const result = checkConfigFile(file ?? defaultConfigPath());
      const print = result.code === 0 ? console.log : console.error;
      for (const text of result.lines) print(text);
      process.exitCode = result.code;
    });
}
