/**
 * Undoes one injected fault. Idempotent: the first run() does the work, every later call returns the same
 * promise, so the fault schedule, the abort path and the final sweep may all call it safely.
 */
export interface Rollback {
  readonly faultId: string;
  readonly description: string;
  /** True once run() was called (whether or not it has finished). */
  readonly started: boolean;
  run(): Promise<void>;
}

export function createRollback(
  faultId: string,
  description: string,
  revert: () => Promise<void>,
  onSettled?: (error: Error | undefined) => void,
): Rollback {
  let running: Promise<void> | undefined;
  return {
    faultId,
    description,
    get started() {
      return running !== undefined;
    },
    run() {
      running ??= revert().then(
        () => onSettled?.(undefined),
        (error: Error) => {
          onSettled?.(error);
          throw error;
        },
      );
      return running;
    },
  };
}

/** A rollback with nothing to undo (a fault that undid itself, or one that never took effect). */
export function noopRollback(faultId: string, description: string): Rollback {
  return createRollback(faultId, description, async () => {});
}
