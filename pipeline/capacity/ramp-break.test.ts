import { describe, expect, it } from 'vitest';
import type { RunResult, TimelinePoint } from '../../reports/run-result.js';
import { loadDefaultSlos } from '../../reports/slo/load-slos.js';
import { exampleRun } from '../../reports/testing/example-run.js';
import { rampBreak } from './ramp-break.js';

/** A breakpoint run 5 -> 105 req/s over 100 s after a 10 s warm-up, with the timeline given by `at(rate)`. */
function rampRun(at: (offered: number) => Partial<TimelinePoint>, seconds = 110): RunResult {
  const base = exampleRun({ samples: 2000 });
  const timeline: TimelinePoint[] = Array.from({ length: seconds }, (_, t) => {
    const offered = t < 10 ? 5 : 5 + (t + 0.5 - 10);
    return {
      t,
      started: Math.round(offered),
      completed: Math.round(offered),
      failed: 0,
      errors: {},
      e2e: { p50: 100, p95: 120, p99: 150 },
      ttft: { p50: 50, p95: 60, p99: 70 },
      ...at(offered),
    };
  });
  const scenario = base.scenarios[0];
  if (!scenario) throw new Error('example run has no scenario');
  return {
    ...base,
    timeline,
    scenarios: [
      {
        ...scenario,
        name: 'breakpoint',
        phases: [
          { name: 'warmup', startS: 0, durationS: 10 },
          { name: 'ramp', startS: 10, durationS: 100 },
        ],
      },
    ],
  };
}

describe('rampBreak', () => {
  const slos = loadDefaultSlos();

  it('finds the rate where p99 went over the SLO for 3 s in a row, ignoring one bad second', () => {
    const run = rampRun((offered) => ({
      e2e: { p50: 100, p95: 120, p99: offered > 60 || Math.round(offered) === 30 ? 400 : 150 },
    }));
    const found = rampBreak(run, slos, 5, 105);
    expect(found.brokeAtRate).toBe(60);
    expect(found.reason).toMatch(/p99 e2e 400 ms > 300 ms/);
  });

  it('sees failures and a generator (or target) that could not start the offered requests', () => {
    const failing = rampRun((offered) =>
      offered > 80 ? { failed: 5, completed: Math.round(offered) - 5 } : {},
    );
    expect(rampBreak(failing, slos, 5, 105).reason).toMatch(/5 of \d+ requests failed/);
    const behind = rampRun((offered) => (offered > 70 ? { started: Math.round(offered * 0.5) } : {}));
    expect(rampBreak(behind, slos, 5, 105).reason).toMatch(/requests started of \d+ offered/);
  });

  it('says when the ramp held to its top, and when its thresholds stopped it early', () => {
    expect(
      rampBreak(
        rampRun(() => ({})),
        slos,
        5,
        105,
      ),
    ).toEqual({
      brokeAtRate: null,
      reason: 'held up to 105 req/s, the top of the ramp',
    });
    const stopped = rampBreak(
      rampRun(() => ({}), 60),
      slos,
      5,
      105,
    );
    expect(stopped.brokeAtRate).toBe(54);
    expect(stopped.reason).toMatch(/ended early/);
  });

  it('reads each latency SLO at its own percentile: a p50 SLO is not broken by a slow p99', () => {
    const p50Slo = [{ id: 'p50', metric: 'e2e', stat: 'p50', op: '<', threshold: 300 }] as const;
    const run = rampRun((offered) => ({ e2e: { p50: offered > 90 ? 350 : 150, p95: 380, p99: 400 } }));
    const found = rampBreak(run, [...p50Slo], 5, 105);
    expect(found.reason).toMatch(/p50 e2e 350 ms > 300 ms/);
    expect(found.brokeAtRate).toBeGreaterThanOrEqual(90);
  });
});
