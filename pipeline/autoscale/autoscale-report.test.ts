import { describe, expect, it } from 'vitest';
import type { AggregateStats } from '../../reports/collector/aggregate-stats.js';
import type { ScenarioRecord } from '../../reports/run-result.js';
import { autoscaleNotes, autoscaleSeries } from './autoscale-report.js';

const scenario = {
  name: 'spike',
  phases: [
    { name: 'steady', startS: 0, durationS: 10 },
    { name: 'spike', startS: 10, durationS: 10 },
    { name: 'recovery', startS: 20, durationS: 25 },
  ],
} as unknown as ScenarioRecord;

const phaseStats = (phase: string, shed: number) =>
  ({ scenario: 'spike', phase, errors: { rate_limited: shed } }) as unknown as AggregateStats;

describe('autoscale report', () => {
  const origin = 1_000_000;
  const trace = {
    min: 1,
    events: [
      { atMs: origin + 12_500, from: 1, to: 3, averageQueue: 12 },
      { atMs: origin + 31_000, from: 3, to: 1, averageQueue: 0 },
    ],
    replicas: [
      [origin, 1],
      [origin + 12_500, 3],
      [origin + 31_000, 1],
    ] as Array<[number, number]>,
  };

  it('charts serving batchers over the run', () => {
    expect(autoscaleSeries(trace, origin)).toEqual({
      component: 'batchers',
      gauge: 'replicas',
      unit: 'batchers',
      points: [
        [0, 1],
        [12.5, 3],
        [31, 1],
      ],
    });
  });

  it('times the scale-out from the spike start and the scale-in from its end, with 429s by phase', () => {
    const notes = autoscaleNotes(
      trace,
      origin,
      [scenario],
      [phaseStats('steady', 0), phaseStats('spike', 7), phaseStats('recovery', 1)],
    );
    expect(notes).toEqual([
      'autoscaler: 2 scaling events, 1 to 3 batchers serving (1->3 at 12.5 s, 3->1 at 31.0 s)',
      'autoscaler, spike: scaled out 2.5 s after the spike began (to 3); back at 1 11.0 s after it ended',
      'requests shed (429) by phase, spike: steady 0, spike 7, recovery 1',
    ]);
  });

  it('says so when it never scaled', () => {
    const still = { min: 1, events: [], replicas: [] };
    expect(autoscaleNotes(still, origin, [scenario], [])[1]).toBe(
      'autoscaler, spike: did not scale out during or after the spike; not back at 1 by the end of the run',
    );
  });
});
