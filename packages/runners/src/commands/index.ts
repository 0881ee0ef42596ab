import type { Command } from 'commander';

/** A `tm` command module: `register(program)` adds its command, with its options and help, to `program`. */
export interface CommandModule {
  register(program: Command): void;
}

/** One `tm` command: the words that invoke it (`run analyser`), and how to load its module. */
export interface CommandEntry {
  readonly words: readonly string[];
  readonly load: () => Promise<CommandModule>;
}

/**
 * Every `tm` command, one module each under commands/, in the order `tm --help` lists them; add one line here per
 * module. Stage runners add themselves to the `run` group through `commandGroup(program, 'run', ...)` (groups.ts).
 * The modules are imported on dispatch ({@link commandsFor}): a module imports what its command needs (Kafka,
 * Fastify, knex, ...) at its top, and a run should hold only its own command's dependencies (issue 16).
 */
export const COMMANDS: readonly CommandEntry[] = [
  { words: ['check-config'], load: () => import('./check-config.js') },
  { words: ['demo'], load: () => import('./demo.js') },
  { words: ['run', 'simulators'], load: () => import('./run-simulators.js') },
  { words: ['run', 'analyser'], load: () => import('./run-analyser.js') },
  { words: ['run', 'campaign'], load: () => import('./run-campaign.js') },
  { words: ['run', 'intake'], load: () => import('./run-intake.js') },
  { words: ['run', 'security'], load: () => import('./run-security.js') },
  { words: ['run', 'arm'], load: () => import('./run-arm.js') },
  { words: ['run', 'dialer'], load: () => import('./run-dialer.js') },
  { words: ['run', 'kpi'], load: () => import('./run-kpi.js') },
  { words: ['migrate'], load: () => import('./migrate.js') },
  { words: ['operators'], load: () => import('./operators.js') },
  { words: ['openapi'], load: () => import('./openapi.js') },
  { words: ['validate-csv'], load: () => import('./validate-csv.js') },
  { words: ['gen-csv'], load: () => import('./gen-csv.js') },
  { words: ['ingest'], load: () => import('./ingest.js') },
];

/**
 * The commands `args` (the command line after `tm`) can reach: the one it names (`ingest FILE` → ingest), else
 * those of the group it names (`run --help` → every `run` command), else all of them (`--help`, `help`, a
 * misspelt command, so that commander lists them all).
 */
export function commandsFor(args: readonly string[] | undefined): readonly CommandEntry[] {
  if (args === undefined) return COMMANDS;
  const end = args.findIndex((a) => a.startsWith('-'));
  const words = end === -1 ? args : args.slice(0, end);
  const named = COMMANDS.filter((c) => c.words.every((w, i) => words[i] === w));
  if (named.length > 0) return named;
  const group = COMMANDS.filter((c) => words.length > 0 && words.every((w, i) => c.words[i] === w));
  return group.length > 0 ? group : COMMANDS;
}

/** Adds the commands `args` can reach ({@link commandsFor}; every command without `args`) to `program`. */
export async function registerCommands(program: Command, args?: readonly string[]): Promise<void> {
  const modules = await Promise.all(commandsFor(args).map((c) => c.load()));
  for (const module of modules) module.register(program);
}
