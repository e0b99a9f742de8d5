import { exitCodes } from '../exit-codes.js';

/** A failure the user can act on from its message alone: printed without a stack trace. */
export class UserFacingError extends Error {
  override readonly name = 'UserFacingError';
  constructor(
    message: string,
    readonly exitCode: number = exitCodes.error,
  ) {
    super(message);
  }
}
