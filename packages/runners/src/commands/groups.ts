import type { Command } from 'commander';

/**
 * The subcommand group `name` of `program` (`tm run ...`), created on first use: every stage module adds its
 * subcommand to the same group, whichever registers first.
 */
export function commandGroup(program: Command, name: string, description: string): Command {
  return program.commands.find((c) => c.name() === name) ?? program.command(name).description(description);
}
