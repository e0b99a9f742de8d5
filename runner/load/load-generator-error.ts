import { UserFacingError } from '../../core/errors/user-facing-error.js';
import { exitCodes } from '../../core/exit-codes.js';

/**
 * The load generator could not run its plan (k6 crashed, its script threw or aborted, its configuration
 * was refused): whatever was measured is not the plan's evidence, so the run exits 3 (harness error), never
 * 1 (an SLO failed) or 2.
 */
export class LoadGeneratorError extends UserFacingError {
  constructor(message: string) {
    super(message, exitCodes.error);
  }
}
