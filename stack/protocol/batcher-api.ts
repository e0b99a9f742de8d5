import { z } from 'zod';
import { requestFields, resumesBelowMax, resumesBelowMaxIssue } from './request-fields.js';

/**
 * Gateway -> batcher. `POST /v1/submit` with a SubmitRequest.
 * - Before the first token the batcher may still answer with an error status and `{error: {code, message}}`:
 *   429 queue full (with Retry-After), 503 no live worker or draining, 502 worker failures exhausted.
 * - Once the first token exists it answers 200, with the headers below, and NDJSON SubmitEvents. With
 *   `stream: false` it sends one `done` line carrying all tokens.
 */
export const submitRequestSchema = z
  .object({
    ...requestFields,
    stream: z.boolean(),
  })
  .refine(resumesBelowMax, resumesBelowMaxIssue);

/**
 * `resumeFrom` is stream migration at the gateway: the client already has this many tokens from a batcher
 * that died mid-answer; the new batcher continues the deterministic stream from there (see
 * BatchItem.resumeFrom). Extra fields are ignored for forward compatibility.
 */
export type SubmitRequest = z.infer<typeof submitRequestSchema>;

/** `s`, when present, is the text of each token of `k` (a real engine's; see WorkerEvent `step`). */
export type SubmitEvent =
  | { t: 'tok'; k: number[]; s?: string[] }
  | {
      t: 'done';
      promptTokens: number;
      completionTokens: number;
      finishReason: 'length' | 'stop';
      /** Present when stream was false: every token. */
      k?: number[];
      s?: string[];
    }
  | { t: 'err'; code: string; message: string };

export type BatcherErrorCode =
  | 'queue_full'
  | 'no_workers'
  | 'draining'
  | 'worker_failed'
  | 'bad_request'
  | 'timeout'
  /** Only with the `batcher_fail_share_after_return` defect switch on (stack/README.md). */
  | 'planted_defect';
