#!/usr/bin/env node
/**
 * The `tm` command: one entry for every runner and tool (`pnpm tm --help` from the repository root).
 */
import { pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';
import { registerCommands } from './commands/index.js';

/** Builds the `tm` program with every command of commands/. */
export function buildProgram(): Command {
  const program = new Command('tm')
    .description('Telemarketing pipeline: CSV folders to operator call results, over Kafka or in memory.')
    .showHelpAfterError()
    .exitOverride();
  registerCommands(program);
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

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  const program = buildProgram();
  program.parseAsync(normaliseArgv(process.argv), { from: 'user' }).catch((err: unknown) => {
    // Commander has printed its own errors; anything else would otherwise exit 1 without a word.
    if (!(err instanceof CommanderError)) console.error(err);
    const code = (err as { exitCode?: number }).exitCode;
    process.exit(typeof code === 'number' ? code : 1);
  });
}
