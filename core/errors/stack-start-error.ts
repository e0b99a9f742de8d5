/**
 * A stack that did not come up: which components failed and their last log lines. Printed without a
 * stack trace, like a UserFacingError; it lives in core so that the CLI recognises it without loading a
 * platform's module.
 */
export class StackStartError extends Error {
  override readonly name = 'StackStartError';
}
