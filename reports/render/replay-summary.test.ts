import { describe, expect, it } from 'vitest';
import type { ScenarioRecord } from '../run-result.js';
import { replayCounts, replayScheduleError } from './replay-summary.js';

const replay: NonNullable<ScenarioRecord['replay']> = {
  trace: 't.csv',
  format: 'azure-csv',
  speedup: 1,
  traceRequests: 40,
  scheduledRequests: 30,
  sentRequests: 30,
  recordedRequests: 29,
  scheduleErrorMs: { p50: 0.8, p99: 4.2, max: 6, n: 30 },
  scheduleErrorLimitMs: 100,
};

describe('replay summary', () => {
  it('states the counts and the schedule error against its limit', () => {
    expect(replayCounts(replay)).toBe('30 of 40 trace requests scheduled, 30 sent, 29 recorded');
    expect(replayScheduleError(replay)).toBe(
      'p50 0.8 ms, p99 4.2 ms, max 6 ms over 30 requests (limit 100 ms: held)',
    );
    expect(replayScheduleError({ ...replay, scheduleErrorMs: { p50: 3, p99: 90, max: 130, n: 30 } })).toMatch(
      /max 130 ms over 30 requests \(limit 100 ms: exceeded: latency verdicts are inconclusive\)$/,
    );
    expect(replayScheduleError({ ...replay, scheduleErrorMs: null })).toBe('not measured');
  });
});
