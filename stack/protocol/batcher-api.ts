/**
 * Gateway -> batcher. `POST /v1/submit` with a SubmitRequest.
 * - Before the first token the batcher may still answer with an error status and `{error: {code, message}}`:
 *   429 queue full (with Retry-After), 503 no live worker or draining, 502 worker failures exhausted.
 * - Once the first token exists it answers 200, with the headers below, and NDJSON SubmitEvents. With
 *   `stream: false` it sends one `done` line carrying all tokens.
 */
export interface SubmitRequest {
  id: string;
  promptTokens: number;
  maxTokens: number;
  seed: number;
  stream: boolean;
  /**
   * Stream migration at the gateway: the client already has this many tokens from a batcher that died
   * mid-answer; the new batcher continues the deterministic stream from there (see BatchItem.resumeFrom).
   */
  resumeFrom?: number;
}

export type SubmitEvent =
  | { t: 'tok'; k: number[] }
  | {
      t: 'done';
      promptTokens: number;
      completionTokens: number;
      finishReason: 'length' | 'stop';
      /** Present when stream was false: every token. */
      k?: number[];
    }
  | { t: 'err'; code: string; message: string };

export type BatcherErrorCode =
  | 'queue_full'
  | 'no_workers'
  | 'draining'
  | 'worker_failed'
  | 'bad_request'
  | 'timeout';
