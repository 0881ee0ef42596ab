import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { interpolate } from './interpolate.js';
import { type PipelineConfig, PipelineConfigSchema } from './schema.js';
import { fillInfraDefaults } from './sections/infra.js';

/** One problem in a config file: the key path as written in the file (`events-analyser.campaigns[0].min-age`). */
export interface ConfigProblem {
  path: string;
  message: string;
}

/** A config file that cannot be used, with every problem found. */
export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super(
      `${source}: ${problems.length} problem(s)\n${problems.map((p) => `  ${p.path || '(root)'}: ${p.message}`).join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

/** `campaigns[0].min-age` from zod's `['campaigns', 0, 'min-age']`. */
export function keyPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, part) => {
    if (typeof part === 'number') return `${acc}[${part}]`;
    return acc ? `${acc}.${String(part)}` : String(part);
  }, '');
}

/** Maps zod issues to config problems with the key paths of the file. */
export function problemsOf(error: z.ZodError, prefix = ''): ConfigProblem[] {
  return error.issues.map((issue) => {
    const path = keyPath(issue.path);
    return { path: prefix && path ? `${prefix}.${path}` : prefix || path, message: issue.message };
  });
}

/** The config file used when none is given: $TM_CONFIG, else config/pipeline.yaml of the repository. */
export function defaultConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.TM_CONFIG ?? join(import.meta.dirname, '..', '..', '..', '..', 'config', 'pipeline.yaml');
}

/**
 * Parses and validates pipeline config text. Relative folders in data streams and the simulators' blacklist file
 * are resolved against `baseDir`
 * (the config file's directory by default for {@link loadPipelineConfig}). Throws {@link ConfigError} listing every
 * problem: YAML syntax (with line and column), unresolved placeholders, and schema violations.
 */
export function parsePipelineConfig(
  text: string,
  options: {
    source?: string;
    env?: NodeJS.ProcessEnv;
    baseDir?: string;
    /** Receives a line for each setting filled from the environment or a default (`infra` parts left out). */
    notes?: string[];
  } = {},
): PipelineConfig {
  const source = options.source ?? '<config>';
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      source,
      doc.errors.map((e) => ({
        path: `line ${e.linePos?.[0]?.line ?? '?'}:${e.linePos?.[0]?.col ?? '?'}`,
        message: e.message.split('\n')[0] ?? e.message,
      })),
    );
  }
  const raw: unknown = doc.toJS();
  const env = options.env ?? process.env;
  const { value, problems } = interpolate(raw, env);
  const filled = fillInfraDefaults(value, env);
  options.notes?.push(...filled.map((f) => `${f.split(' from ')[0]} not set; using ${f.split(' from ')[1]}`));
  const parsed = PipelineConfigSchema.safeParse(value);
  const all = [...problems, ...(parsed.success ? [] : problemsOf(parsed.error))];
  if (all.length > 0 || !parsed.success) throw new ConfigError(source, all);
  const config = parsed.data;
  if (options.baseDir) {
    const base = options.baseDir;
    for (const stream of config.events.dataStreams) {
      if (!isAbsolute(stream.folder)) stream.folder = resolve(base, stream.folder);
    }
    const blacklist = config.simulators.blacklist;
    if (blacklist.file !== undefined && !isAbsolute(blacklist.file))
      blacklist.file = resolve(base, blacklist.file);
  }
  return config;
}

/** Reads, interpolates and validates a pipeline config file (default: {@link defaultConfigPath}). */
export function loadPipelineConfig(
  file = defaultConfigPath(),
  env: NodeJS.ProcessEnv = process.env,
): PipelineConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [{ path: '', message: `cannot read: ${(err as Error).message}` }]);
  }
  return parsePipelineConfig(text, { source: file, env, baseDir: dirname(resolve(file)) });
}
