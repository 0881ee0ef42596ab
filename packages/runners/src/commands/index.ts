import type { Command } from 'commander';

/**
 * Every `tm` command, one module each under commands/. A module exports `register(program)`, which adds its
 * command with its options and help; add one line here per module.
 */
export function registerCommands(program: Command): void {
  void program;
}
