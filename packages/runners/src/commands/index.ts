import type { Command } from 'commander';
import * as genCsv from './gen-csv.js';
import * as validateCsv from './validate-csv.js';

/**
 * Every `tm` command, one module each under commands/. A module exports `register(program)`, which adds its
 * command with its options and help; add one line here per module.
 */
export function registerCommands(program: Command): void {
  validateCsv.register(program);
  genCsv.register(program);
}
