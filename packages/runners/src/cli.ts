#!/usr/bin/env node
/**
 * The `tm` command: one entry for every runner and tool (`pnpm tm --help` from the repository root).
 */
import { readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '@tm/contracts';
import { Command, CommanderError } from 'commander';
import { registerCommands } from './commands/index.js';
import { exitTwoOnUsageError } from './usage-errors.js';

/** The runners package's version (its package.json, one folder up from src/ and dist/). */
export function runnersVersion(): string {
  const manifest = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}

/**
 * Builds the `tm` program with the commands `args` (the command line after `tm`) can reach, each command's module
 * imported only then (`tm ingest FILE` loads ingest's module alone; `tm --help` all of them); without `args`, every
 * command of commands/.
 */
export async function buildProgram(args?: readonly string[]): Promise<Command> {
  // Usage errors exit 2 in every command (they inherit the override: set before the commands are added).
  const program = exitTwoOnUsageError(
    new Command('tm')
      .description('Telemarketing pipeline: CSV folders to operator call results, over Kafka or in memory.')
      .version(runnersVersion(), '-V, --version', 'print the version of tm')
      .showHelpAfterError(),
  );
  await registerCommands(program, args);
  return program;
}

/**
 * pnpm passes a literal `--` through to scripts (`pnpm demo -- --rows 5` runs `cli.ts demo -- --rows 5`); commander
 * would stop parsing options there. No `tm` command takes operands after `--`, so the first one is dropped.
 */
export function normaliseArgv(argv: readonly string[]): string[] {
  const args = argv.slice(2);
  const dashes = args.indexOf('--');
  return dashes === -1 ? args : [...args.slice(0, dashes), ...args.slice(dashes + 1)];
}

/**
 * What `tm` prints and exits with when a command fails: commander's usage errors are printed already (exit 2, or
 * 0 for help); a config that cannot be used prints its problems as `tm check-config` does and exits 2; anything
 * else prints its message, not a stack trace (set TM_DEBUG=1 for one), and exits 1.
 */
export function reportFailure(err: unknown, print: (text: string) => void = console.error): number {
  if (err instanceof CommanderError) return err.exitCode;
  if (err instanceof ConfigError) {
    print(err.message);
    return 2;
  }
  const message = err instanceof Error ? err.message : String(err);
  print(process.env.TM_DEBUG && err instanceof Error && err.stack ? err.stack : `tm: ${message}`);
  const code = (err as { exitCode?: unknown }).exitCode;
  return typeof code === 'number' ? code : 1;
}

/** Whether this module is the process's entry, also when started through a symlink (a package manager's bin link). */
export function isEntry(moduleUrl: string, argv1: string | undefined): boolean {
  if (argv1 === undefined) return false;
  try {
    return moduleUrl === pathToFileURL(realpathSync(argv1)).href;
  } catch {
    return moduleUrl === pathToFileURL(argv1).href;
  }
}

const isMain = isEntry(import.meta.url, process.argv[1]);
if (isMain) {
  const args = normaliseArgv(process.argv);
  buildProgram(args)
    .then((program) => program.parseAsync(args, { from: 'user' }))
    .catch((err: unknown) => {
      process.exit(reportFailure(err));
    });
}
