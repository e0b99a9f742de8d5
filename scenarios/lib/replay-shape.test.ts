import { describe, expect, it } from 'vitest';
import { phaseDurationS, plannedIterations } from './arrival-schedule.ts';
import { scenarioShape } from './scenario-plans.ts';

const env = {
  GAUNTLET_TARGET: 'http://127.0.0.1:8080',
  RATE: String(40 / 3.94),
  DURATION: '3.94s',
  REPLAY_SCHEDULE: '/runs/a/replay-schedule.json',
  REPLAY_REQUESTS: '40',
  REPLAY_TRACE: '/traces/code.csv',
  REPLAY_FORMAT: 'azure-csv',
  REPLAY_SPEEDUP: '2',
  REPLAY_TRACE_REQUESTS: '100',
};

describe('the replay shape', () => {
  it("plans the schedule's request count over its span, and says what was replayed", () => {
    const shape = scenarioShape('replay', env);
    expect(shape.executor).toBe('shared-iterations');
    expect(shape.phases).toHaveLength(1);
    const [phase] = shape.phases;
    if (!phase) throw new Error('no phase');
    expect(phaseDurationS(phase)).toBeCloseTo(3.94, 9);
    expect(plannedIterations(phase)).toBe(40);
    expect(shape.replay).toEqual({
      schedule: '/runs/a/replay-schedule.json',
      trace: '/traces/code.csv',
      format: 'azure-csv',
      speedup: 2,
      traceRequests: 100,
      requests: 40,
    });
  });

  it('names a missing or wrong variable', () => {
    expect(() => scenarioShape('replay', { ...env, REPLAY_SCHEDULE: '' })).toThrow(
      /^REPLAY_SCHEDULE: required/,
    );
    expect(() => scenarioShape('replay', { ...env, REPLAY_REQUESTS: undefined })).toThrow(
      /^REPLAY_REQUESTS: required/,
    );
    expect(() => scenarioShape('replay', { ...env, REPLAY_FORMAT: 'parquet' })).toThrow(
      "REPLAY_FORMAT: must be one of azure-csv, mooncake-jsonl, gauntlet-samples, got 'parquet'",
    );
  });
});
