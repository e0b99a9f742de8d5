/**
 * One request as the load generator saw it: one NDJSON line a request in the run's samples file, written by
 * the k6 scenarios through `k6/x/gauntlet`'s record(). Short keys keep a million-request file small and fast
 * to parse. Times are milliseconds; `t0` is the request's start as Unix ms (k6 starts open-model iterations
 * on schedule, and a late start shows up as dropped iterations, which makes the verdict inconclusive).
 */
export interface RequestSample {
  /** Request id, sent as x-request-id, so faults can be joined to requests and duplicates found. */
  id: string;
  /** Scenario name (smoke, load, ...) and phase inside it (warmup, steady, spike, ...). */
  sc: string;
  ph: string;
  /** Endpoint kind: the seed's /infer, streamed or not chat, completions. */
  ep: 'infer' | 'chat' | 'chat_stream' | 'completions';
  t0: number;
  /** HTTP status, 0 when no response arrived. */
  st: number;
  /** 1 when the request succeeded completely (2xx and, when streamed, a complete stream). */
  ok: 0 | 1;
  /** Error kind when ok is 0: see ErrorKind. */
  err?: ErrorKind;
  /** Send to last byte. */
  e2e: number;
  /** Streamed only: send to first non-empty token. */
  ttft?: number;
  /** Streamed only: gaps between consecutive tokens (first excluded), rounded to 0.01 ms. */
  itl?: number[];
  /** Output tokens received; input tokens as the server counted them. */
  out: number;
  in?: number;
  /** From the x-gauntlet-* response headers. */
  q?: number;
  bs?: number;
  w?: string;
  b?: string;
  a?: number;
}

export type ErrorKind =
  | 'rate_limited' // 429
  | 'client_error' // other 4xx
  | 'server_error' // 5xx
  | 'timeout'
  | 'connection' // refused, reset, no response
  | 'stream_cut'; // a stream that started and ended without its final chunk

/** TPOT per the field's definition: (e2e - TTFT) / (output_tokens - 1); 0 when output_tokens <= 1. */
export function tpotMs(sample: Pick<RequestSample, 'e2e' | 'ttft' | 'out'>): number | undefined {
  // One token has no time per output token after the first: undefined, not 0 (a 0 would pull TPOT down).
  if (sample.ttft === undefined || sample.out <= 1) return undefined;
  return (sample.e2e - sample.ttft) / (sample.out - 1);
}
