import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { scheduleSpanS, type TraceFormat } from '../../scenarios/lib/replay-schedule.ts';
import { buildSchedule } from './build-schedule.js';
import { readTrace } from './read-trace.js';

export interface ReplayRequest {
  /** Trace file or Gauntlet run folder. */
  trace: string;
  format?: TraceFormat;
  speedup: number;
  maxRequests?: number;
  /** Replay only the first D seconds of the (sped-up) trace. */
  maxDurationS?: number;
  /** The run folder: the schedule is written there, kept with the run as what was fired. */
  outDir: string;
}

export interface PreparedReplay {
  scheduleFile: string;
  requests: number;
  /** The load plan's RATE and DURATION: the schedule's mean rate over its span (at least 1 s). */
  rate: number;
  durationS: number;
  /** The scenario variables that point k6 at the schedule and describe it for the report. */
  env: Record<string, string>;
  notes: string[];
}

export const scheduleFileName = 'replay-schedule.json';

/**
 * Everything the harness does before a replay: read and validate the trace (a TraceError names file, line
 * and field), turn it into the schedule (sorted, sped up, cut), and write that where k6 reads it. Runs
 * before any stack comes up, so a bad trace costs nothing.
 */
export function prepareReplay(request: ReplayRequest): PreparedReplay {
  const trace = readTrace(request.trace, request.format);
  const built = buildSchedule(trace, {
    speedup: request.speedup,
    ...(request.maxRequests === undefined ? {} : { maxRequests: request.maxRequests }),
    ...(request.maxDurationS === undefined ? {} : { maxDurationS: request.maxDurationS }),
  });
  const { schedule } = built;
  mkdirSync(request.outDir, { recursive: true });
  const scheduleFile = resolve(join(request.outDir, scheduleFileName));
  writeFileSync(scheduleFile, `${JSON.stringify(schedule)}\n`);
  const requests = schedule.requests.length;
  // A span under a second (a tiny trace, a large speedup) is reported over 1 s: DURATION's floor.
  const durationS = Math.max(1, Math.ceil(scheduleSpanS(schedule) * 1000) / 1000);
  return {
    scheduleFile,
    requests,
    rate: requests / durationS,
    durationS,
    env: {
      REPLAY_SCHEDULE: scheduleFile,
      REPLAY_REQUESTS: String(requests),
      REPLAY_TRACE: resolve(request.trace),
      REPLAY_FORMAT: schedule.source.format,
      REPLAY_SPEEDUP: String(request.speedup),
      REPLAY_TRACE_REQUESTS: String(schedule.source.traceRequests),
    },
    notes: built.notes,
  };
}
