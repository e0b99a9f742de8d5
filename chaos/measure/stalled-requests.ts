import { endOf, type MeasuredRequest } from './measured-request.js';

/**
 * Answered requests that kept their client waiting far past the SLOs: the damage a p99 over a window cannot
 * show when it is a handful of requests (a worker that swallows its first batch after a restart makes a few
 * clients wait for the batcher's 10 s first-token timeout: 3 slow answers in 125 break no p99 with any
 * confidence, and every one of them is a user who waited 10 s).
 */
export interface StalledRequests {
  /** Answered requests, ended at or after the injection, whose wait was over the limit. */
  count: number;
  /** Up to 20 of them, slowest first, with the wait in ms, for the report. */
  shown: Array<{ id: string; waitMs: number }>;
}

const shown = 20;

/**
 * How long the client waited for an answer to start: the time to first token for a stream (a long answer
 * streams for as long as it needs, and a stall mid-stream ends as a cut, counted elsewhere), else the whole
 * request.
 */
export function waitOf(r: MeasuredRequest): number {
  return r.ttft ?? r.e2e;
}

/**
 * Answered requests (sorted by t0) that ended at or after `fromMs` (in flight at the injection, sent while the
 * fault was in force, or sent after its rollback, to the load's end) and waited longer than `limitMs`.
 * Failed ones are left to the failed-request count.
 */
export function stalledRequests(
  sorted: readonly MeasuredRequest[],
  fromMs: number,
  limitMs: number,
): StalledRequests {
  const slow: Array<{ id: string; waitMs: number }> = [];
  for (const r of sorted) {
    if (!r.ok || endOf(r) < fromMs) continue;
    const waitMs = waitOf(r);
    if (waitMs > limitMs) slow.push({ id: r.id, waitMs: Math.round(waitMs) });
  }
  slow.sort((a, b) => b.waitMs - a.waitMs);
  return { count: slow.length, shown: slow.slice(0, shown) };
}
