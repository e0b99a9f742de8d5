import type { ReplaySchedule, ScheduledRequest } from '../../scenarios/lib/replay-schedule.ts';
import { TraceError } from './trace-error.js';
import type { ParsedTrace } from './trace-request.js';

/** Every load loop is bounded: a replay fires at most this many requests (cut a longer trace with --max-requests). */
export const maxReplayRequests = 1_000_000;

export interface ScheduleOptions {
  /** Trace time is divided by it (2: twice as fast). */
  speedup: number;
  /** Replay only the first N requests. */
  maxRequests?: number;
  /** Replay only the requests due in the first D seconds (after speedup). */
  maxDurationS?: number;
}

export interface BuiltSchedule {
  schedule: ReplaySchedule;
  /** What the user should know about how the trace became the schedule (rows left out, cuts, reordering). */
  notes: string[];
}

const round3 = (ms: number) => Math.round(ms * 1000) / 1000;

/**
 * The schedule k6 fires: rows in time order (a stable sort; a run's samples are written in completion
 * order), offsets from the earliest row divided by the speedup, then cut by --max-requests and --duration.
 */
export function buildSchedule(trace: ParsedTrace, options: ScheduleOptions): BuiltSchedule {
  const notes = trace.skipped.map(
    (s) =>
      `left out ${s.lines.length} row(s) (lines ${s.lines.slice(0, 10).join(', ')}${s.lines.length > 10 ? ', ...' : ''}): ${s.reason}`,
  );
  if (trace.requests.length === 0) {
    throw new TraceError(trace.file, undefined, undefined, 'holds no request to replay');
  }
  let outOfOrder = 0;
  for (let i = 1; i < trace.requests.length; i++) {
    if ((trace.requests[i]?.atMs ?? 0) < (trace.requests[i - 1]?.atMs ?? 0)) outOfOrder++;
  }
  const rows = outOfOrder > 0 ? [...trace.requests].sort((a, b) => a.atMs - b.atMs) : trace.requests;
  if (outOfOrder > 0) notes.push(`sorted by time: ${outOfOrder} row(s) came before an earlier one`);
  const origin = rows[0]?.atMs ?? 0;
  const limitMs = options.maxDurationS === undefined ? Number.POSITIVE_INFINITY : options.maxDurationS * 1000;
  const requests: ScheduledRequest[] = [];
  for (const row of rows) {
    if (options.maxRequests !== undefined && requests.length >= options.maxRequests) break;
    const at = round3((row.atMs - origin) / options.speedup);
    if (at >= limitMs && requests.length > 0) break;
    requests.push(
      row.endpoint === undefined
        ? [at, row.inputTokens, row.outputTokens]
        : [at, row.inputTokens, row.outputTokens, row.endpoint],
    );
  }
  if (requests.length < rows.length) {
    notes.push(
      `replaying the first ${requests.length} of ${rows.length} requests (--max-requests / --duration)`,
    );
  }
  if (requests.length > maxReplayRequests) {
    throw new TraceError(
      trace.file,
      undefined,
      undefined,
      `${requests.length} requests, more than a replay fires (${maxReplayRequests}); cut it with --max-requests or --duration`,
    );
  }
  return {
    schedule: {
      version: 1,
      source: {
        trace: trace.file,
        format: trace.format,
        speedup: options.speedup,
        traceRequests: rows.length,
      },
      requests,
    },
    notes,
  };
}
