import type { WorkerErrorCode } from '../protocol/worker-api.js';

export type WorkerHttpErrorCode = WorkerErrorCode | 'not_found' | 'method_not_allowed' | 'unauthorized';

/** The worker's error body, `{code, message}`, on every non-2xx answer. */
export function workerError(code: WorkerHttpErrorCode, message: string) {
  return { code, message };
}
