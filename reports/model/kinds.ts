import type { ErrorKind, RequestSample } from './request-sample.js';

export type Endpoint = RequestSample['ep'];

/** Endpoint kinds in a fixed order: the collector indexes its arrays with it. */
export const ENDPOINTS = [
  'infer',
  'chat',
  'chat_stream',
  'completions',
] as const satisfies readonly Endpoint[];

/**
 * Error kinds in a fixed order. `unknown` is the reports' own addition: a failed sample whose `err` is
 * missing or not one the writer's contract names (a newer writer, a hand-made file) is kept and shown, not
 * dropped.
 */
export type ReportErrorKind = ErrorKind | 'unknown';
export const ERROR_KINDS = [
  'rate_limited',
  'client_error',
  'server_error',
  'timeout',
  'connection',
  'stream_cut',
  'unknown',
] as const satisfies readonly ReportErrorKind[];

/** The latency metrics the reports keep histograms of, in milliseconds. */
export type LatencyMetric = 'e2e' | 'ttft' | 'itl' | 'tpot';
export const LATENCY_METRICS = ['e2e', 'ttft', 'itl', 'tpot'] as const satisfies readonly LatencyMetric[];

export type Verdict = 'pass' | 'fail' | 'inconclusive';

/** An SLO's verdict: not_applicable when the plan sent its endpoint no traffic by design. */
export type SloVerdictKind = Verdict | 'not_applicable';

/**
 * fail if any fails, else inconclusive if any is inconclusive, else pass (also for an empty list);
 * not_applicable verdicts do not count.
 */
export function combineVerdicts(verdicts: Iterable<SloVerdictKind>): Verdict {
  let out: Verdict = 'pass';
  for (const v of verdicts) {
    if (v === 'fail') return 'fail';
    if (v === 'inconclusive') out = 'inconclusive';
  }
  return out;
}

export function endpointIndex(ep: string): number {
  switch (ep) {
    case 'infer':
      return 0;
    case 'chat':
      return 1;
    case 'chat_stream':
      return 2;
    case 'completions':
      return 3;
    default:
      return -1;
  }
}

/** Index into ERROR_KINDS; unknown kinds map to `unknown`. */
export function errorKindIndex(kind: unknown): number {
  switch (kind) {
    case 'rate_limited':
      return 0;
    case 'client_error':
      return 1;
    case 'server_error':
      return 2;
    case 'timeout':
      return 3;
    case 'connection':
      return 4;
    case 'stream_cut':
      return 5;
    default:
      return 6;
  }
}

export function emptyErrorCounts(): Record<ReportErrorKind, number> {
  return {
    rate_limited: 0,
    client_error: 0,
    server_error: 0,
    timeout: 0,
    connection: 0,
    stream_cut: 0,
    unknown: 0,
  };
}
