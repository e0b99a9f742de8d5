/**
 * The replay scenario's shape for the harness's reports (planned requests, window, rate), from the
 * variables the harness sets next to REPLAY_SCHEDULE; pure, so that scenario-plans.ts can describe a replay
 * without reading the schedule file. k6 itself fires requests from the schedule (scenarios/replay.ts).
 */
import { constantPhase } from './arrival-schedule.ts';
import type { GauntletConfig } from './config.ts';
import { type Env, numberVar, stringVar } from './env-vars.ts';
import { type TraceFormat, traceFormats } from './replay-schedule.ts';

/** What was replayed, as the report states it. */
export interface ReplayInfo {
  /** The schedule file k6 reads. */
  schedule: string;
  trace: string;
  format: TraceFormat;
  speedup: number;
  /** Requests the trace holds, and how many of them the schedule fires (after --max-requests/--duration). */
  traceRequests: number;
  requests: number;
}

export function replayInfo(env: Env): ReplayInfo {
  const schedule = stringVar(env, 'REPLAY_SCHEDULE');
  if (schedule === undefined) {
    throw new Error('REPLAY_SCHEDULE: required, the schedule file `gauntlet run replay --trace` writes');
  }
  const format = stringVar(env, 'REPLAY_FORMAT') ?? 'azure-csv';
  if (!traceFormats.includes(format as TraceFormat)) {
    throw new Error(`REPLAY_FORMAT: must be one of ${traceFormats.join(', ')}, got '${format}'`);
  }
  if (stringVar(env, 'REPLAY_REQUESTS') === undefined) {
    throw new Error('REPLAY_REQUESTS: required, the number of requests in REPLAY_SCHEDULE');
  }
  const requests = numberVar(env, 'REPLAY_REQUESTS', 1, { integer: true, min: 1 });
  return {
    schedule,
    trace: stringVar(env, 'REPLAY_TRACE') ?? schedule,
    format: format as TraceFormat,
    speedup: numberVar(env, 'REPLAY_SPEEDUP', 1, { min: 1e-6 }),
    traceRequests: numberVar(env, 'REPLAY_TRACE_REQUESTS', requests, { integer: true, min: 0 }),
    requests,
  };
}

/**
 * One phase, `replay`, over the trace's span: DURATION (at least 1 s; the harness sets it to the span) and
 * RATE (requests / DURATION), so the planned count is the schedule's and the planned rate its mean.
 */
export function replayPhases(config: Pick<GauntletConfig, 'rate' | 'durationS'>) {
  return [constantPhase('replay', config.rate, config.durationS)];
}
