import { ERROR_KINDS, emptyErrorCounts, type ReportErrorKind } from '../model/kinds.js';
import type { RequestTable } from './request-table.js';

export interface SecondPercentiles {
  p50: number;
  p95: number;
  p99: number;
}

/**
 * One second of the run, `t` seconds after the time origin. Two clocks on purpose:
 * - `started` and the latency percentiles go by the request's start (t0, its intended send time): a fault
 *   at second 40 shows up at 40 in the latency chart even for requests that hung until a 30 s timeout.
 * - `completed` (successful) and `errors` go by the request's end (t0 + e2e): when the outcome was seen.
 * Percentiles are of successful requests (nearest rank, exact: a second's values are few enough to
 * sort); null for a second without any.
 */
export interface TimelineSecond {
  t: number;
  started: number;
  completed: number;
  failed: number;
  errors: Record<ReportErrorKind, number>;
  e2e: SecondPercentiles | null;
  ttft: SecondPercentiles | null;
}

/**
 * Two days of seconds: the bound on the timeline's length, so that one bogus t0 (a clock at 1970) cannot
 * make a huge array. Requests past it are in every aggregate, just not in the timeline.
 */
export const MAX_TIMELINE_SECONDS = 2 * 24 * 3600;

export function buildTimeline(table: RequestTable, originMs: number): TimelineSecond[] {
  const n = table.length;
  if (n === 0) return [];
  const t0 = table.t0;
  const e2e = table.e2eMs;
  const ttft = table.ttftMs;
  const ok = table.ok;
  const err = table.errorIndex;

  let lastSecond = 0;
  for (let i = 0; i < n; i++) {
    const end = Math.floor(((t0[i] ?? 0) + (e2e[i] ?? 0) - originMs) / 1000);
    if (end > lastSecond) lastSecond = end;
  }
  const seconds = Math.min(lastSecond + 1, MAX_TIMELINE_SECONDS);
  const out: TimelineSecond[] = [];
  for (let t = 0; t < seconds; t++) {
    out.push({ t, started: 0, completed: 0, failed: 0, errors: emptyErrorCounts(), e2e: null, ttft: null });
  }

  // Counting sort of the requests by start second, so that each second's latencies are read in one pass.
  const startSecond = new Int32Array(n);
  const perSecond = new Uint32Array(seconds + 1);
  for (let i = 0; i < n; i++) {
    const s = Math.floor(((t0[i] ?? 0) - originMs) / 1000);
    const inRange = s >= 0 && s < seconds;
    startSecond[i] = inRange ? s : -1;
    if (inRange) (perSecond[s + 1] as number)++;
    const end = Math.floor(((t0[i] ?? 0) + (e2e[i] ?? 0) - originMs) / 1000);
    const endPoint = end >= 0 && end < seconds ? out[end] : undefined;
    if (endPoint) {
      if (ok[i] === 1) endPoint.completed++;
      else {
        endPoint.failed++;
        const kind = ERROR_KINDS[(err[i] ?? 7) - 1] ?? 'unknown';
        endPoint.errors[kind]++;
      }
    }
  }
  for (let s = 0; s < seconds; s++) perSecond[s + 1] = (perSecond[s + 1] ?? 0) + (perSecond[s] ?? 0);
  const order = new Uint32Array(perSecond[seconds] ?? 0);
  const fill = perSecond.slice(0, seconds);
  for (let i = 0; i < n; i++) {
    const s = startSecond[i] ?? -1;
    if (s < 0) continue;
    order[fill[s] ?? 0] = i;
    fill[s] = (fill[s] ?? 0) + 1;
  }

  const e2eScratch = new Float64Array(maxCount(perSecond, seconds));
  const ttftScratch = new Float64Array(e2eScratch.length);
  for (let s = 0; s < seconds; s++) {
    const point = out[s];
    if (!point) continue;
    const from = perSecond[s] ?? 0;
    const to = perSecond[s + 1] ?? 0;
    point.started = to - from;
    let e2eCount = 0;
    let ttftCount = 0;
    for (let k = from; k < to; k++) {
      const i = order[k] ?? 0;
      if (ok[i] !== 1) continue;
      e2eScratch[e2eCount++] = e2e[i] ?? 0;
      const ft = ttft[i] ?? Number.NaN;
      if (!Number.isNaN(ft)) ttftScratch[ttftCount++] = ft;
    }
    point.e2e = percentiles(e2eScratch.subarray(0, e2eCount));
    point.ttft = percentiles(ttftScratch.subarray(0, ttftCount));
  }
  return out;
}

function maxCount(cumulative: Uint32Array, seconds: number): number {
  let max = 0;
  for (let s = 0; s < seconds; s++) max = Math.max(max, (cumulative[s + 1] ?? 0) - (cumulative[s] ?? 0));
  return max;
}

/** Values are float32 from the table: rounded to 0.01 ms so that 120.3 does not show as 120.30000305. */
function percentiles(values: Float64Array): SecondPercentiles | null {
  const n = values.length;
  if (n === 0) return null;
  values.sort();
  const at = (q: number) => Math.round((values[Math.max(0, Math.ceil(q * n) - 1)] ?? 0) * 100) / 100;
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99) };
}
