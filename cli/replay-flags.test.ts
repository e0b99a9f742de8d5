import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sampleTraceRows, toMooncakeJsonl } from '../runner/replay/sample-traces.js';
import type { ReplaySchedule } from '../scenarios/lib/replay-schedule.ts';
import { replayFromFlags } from './replay-flags.js';

const dir = mkdtempSync(join(tmpdir(), 'gauntlet-replay-flags-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const trace = join(dir, 'trace.jsonl');
writeFileSync(trace, toMooncakeJsonl(sampleTraceRows({ seed: 2, requests: 20, ratePerS: 5 })));

describe('replayFromFlags', () => {
  it('writes the schedule into the run folder and points the scenario at it', () => {
    const out = join(dir, 'run');
    const prepared = replayFromFlags('replay', { trace, speedup: 2, maxRequests: 12 }, out);
    expect(prepared?.requests).toBe(12);
    expect(prepared?.env).toMatchObject({
      REPLAY_SCHEDULE: join(out, 'replay-schedule.json'),
      REPLAY_REQUESTS: '12',
      REPLAY_FORMAT: 'mooncake-jsonl',
      REPLAY_SPEEDUP: '2',
      REPLAY_TRACE_REQUESTS: '20',
    });
    const schedule = JSON.parse(readFileSync(join(out, 'replay-schedule.json'), 'utf8')) as ReplaySchedule;
    expect(schedule.requests).toHaveLength(12);
    // RATE x DURATION gives back the request count the harness plans and reports.
    expect((prepared?.rate ?? 0) * (prepared?.durationS ?? 0)).toBeCloseTo(12, 9);
    expect(prepared?.durationS).toBeGreaterThanOrEqual(1);
  });

  it('cuts the trace to its first --duration seconds', () => {
    const prepared = replayFromFlags('replay', { trace, duration: 1 }, join(dir, 'short'));
    const schedule = JSON.parse(readFileSync(prepared?.scheduleFile ?? '', 'utf8')) as ReplaySchedule;
    expect(schedule.requests.every(([at]) => at < 1000)).toBe(true);
    expect(schedule.requests.length).toBeLessThan(20);
  });

  it('asks for a trace, and refuses replay flags on other scenarios', () => {
    expect(() => replayFromFlags('replay', {}, dir)).toThrow(/replay needs --trace FILE/);
    expect(() => replayFromFlags('load', { trace, maxRequests: 3 }, dir)).toThrow(
      '--trace, --max-requests: only for the replay scenario (gauntlet run replay --trace FILE)',
    );
    expect(replayFromFlags('load', {}, dir)).toBeUndefined();
  });
});
