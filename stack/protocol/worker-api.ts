import { z } from 'zod';
import { requestFields, resumesBelowMax, resumesBelowMaxIssue } from './request-fields.js';

/**
 * Batcher -> worker. `POST /v1/batch` with a BatchRequest; the answer is `application/x-ndjson`, one
 * WorkerEvent a line, ending when every item is done or failed. One `step` line carries the tokens that
 * one model step produced for all sequences of this batch, so a batch of 32 costs one line a step.
 */
export const batchItemSchema = z.object(requestFields).refine(resumesBelowMax, resumesBelowMaxIssue);

export const batchRequestSchema = z.object({
  batchId: z.string().min(1).max(200),
  items: z.array(batchItemSchema).min(1).max(4096),
});

/**
 * One sequence of a batch. `resumeFrom` is request migration: this many of the request's tokens were
 * already delivered by a worker that failed. The new worker prefills prompt + those tokens, and continues
 * the deterministic stream from there, so a stream survives its worker's death with a stall instead of a cut.
 */
export type BatchItem = z.infer<typeof batchItemSchema>;

export type BatchRequest = z.infer<typeof batchRequestSchema>;

export type WorkerErrorCode =
  | 'kv_cache_exhausted'
  | 'worker_busy'
  | 'draining'
  | 'gpu_error'
  | 'gpu_oom'
  | 'bad_request'
  /** The batcher cancelled the sequence (`POST /v1/cancel`): its client went away. */
  | 'cancelled';

export type WorkerEvent =
  /**
   * Tokens from one prefill or decode step: [requestId, tokenId] pairs. A worker that fronts a real engine
   * adds the token's text as a third element (its ids are then positions: the engine's vocabulary is not
   * the simulated one that tokenText reads).
   */
  | { t: 'step'; tokens: Array<[string, number] | [string, number, string]> }
  | { t: 'done'; id: string; promptTokens: number; completionTokens: number; finishReason: 'length' | 'stop' }
  | { t: 'err'; id: string; code: WorkerErrorCode; message: string };

/** Errors a batcher may retry on another worker when the request has no token yet. */
export const retryableWorkerErrors: ReadonlySet<WorkerErrorCode> = new Set([
  'kv_cache_exhausted',
  'worker_busy',
  'draining',
  'gpu_error',
  'gpu_oom',
]);

/**
 * Batcher -> worker. `POST /v1/cancel` with a CancelRequest: the clients of these items of a running batch
 * went away. The worker drops them at once (slot and KV free), answers each with an `err` line, code
 * `cancelled`, on the batch's stream, and replies `{"cancelled": n}` with the number that were still live.
 */
export const cancelRequestSchema = z.object({
  batchId: z.string().min(1).max(200),
  ids: z.array(z.string().min(1).max(256)).min(1).max(4096),
});

export type CancelRequest = z.infer<typeof cancelRequestSchema>;

/** Admin fault injection, `POST /admin/faults` with `Authorization: Bearer <admin token>`. */
export interface GpuFaults {
  /** Multiplies every step's time (>= 1). */
  slowdown?: number;
  /** Probability in [0, 1] that a sequence fails with gpu_error at its next step. */
  errorRate?: number;
  /** Stops all progress: no step runs, connections stay open. */
  hang?: boolean;
  /** Kills the process at once (like a GPU fault taking the worker down, or a SIGKILL). */
  crash?: boolean;
  /** CUDA out of memory: every running sequence fails with gpu_oom, and so does every new batch. */
  oom?: boolean;
}
