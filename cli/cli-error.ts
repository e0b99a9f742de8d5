import { ConfigError } from '../core/config/config-error.js';
import { StackStartError } from '../core/errors/stack-start-error.js';
import { UserFacingError } from '../core/errors/user-facing-error.js';
import { exitCodes } from '../core/exit-codes.js';

/** Prints an error the way a user should see it and returns the exit code. */
export function reportError(error: unknown): number {
  if (error instanceof ConfigError || error instanceof UserFacingError || error instanceof StackStartError) {
    process.stderr.write(`gauntlet: ${error.message}\n`);
    return error instanceof UserFacingError ? error.exitCode : exitCodes.error;
  }
  const err = error as Error;
  process.stderr.write(`gauntlet: internal error: ${err?.message ?? String(error)}\n`);
  if (process.env.GAUNTLET_DEBUG) process.stderr.write(`${err?.stack ?? ''}\n`);
  else process.stderr.write('(set GAUNTLET_DEBUG=1 for the stack trace)\n');
  return exitCodes.error;
}
