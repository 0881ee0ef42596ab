import { type Command, CommanderError } from 'commander';

/** A command-line mistake (unknown stream, bad number, unreadable config): the tools exit 2 with its message. */
export class UsageError extends Error {
  constructor(message: string, options?: { cause: unknown }) {
    super(message, options);
    this.name = 'UsageError';
  }
}

/**
 * Makes `command` exit 2, not commander's 1, on a usage error (missing argument, unknown option), so a script can
 * tell "wrong call" from "the check failed". Help and version still exit 0. Commander has printed the message.
 */
export function exitTwoOnUsageError(command: Command): Command {
  return command.exitOverride((err) => {
    throw err.exitCode === 0 ? err : new CommanderError(2, err.code, err.message);
  });
}
