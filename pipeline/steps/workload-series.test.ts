import { describe, expect, it } from 'vitest';
import { workloadNotes, workloadSeries } from './workload-series.js';

describe('workload series', () => {
  it('gives the prefix hit ratio per scrape interval and the run total, reading a counter drop as a restart', () => {
    const points = [
      { t: 1_000, prefixQueriedTokens: 500, prefixHitTokens: 100 },
      { t: 2_000, prefixQueriedTokens: 1_500, prefixHitTokens: 600 },
      { t: 3_000, prefixQueriedTokens: 1_500, prefixHitTokens: 600 },
      // A worker restarted: its counters began again at 0.
      { t: 4_000, prefixQueriedTokens: 400, prefixHitTokens: 100 },
    ];
    expect(workloadSeries(points, 0)).toEqual([
      {
        component: 'workers',
        gauge: 'prefix_cache_hit_ratio',
        unit: 'ratio',
        points: [
          [2, 0.5],
          [4, 0.25],
        ],
      },
    ]);
    expect(workloadNotes(points)).toEqual([
      "prefix cache (workers' /metrics, over the scrapes): 600 of 1400 prompt tokens looked up were hits (42.9 %), prefill they skipped",
    ]);
  });

  it('adds cancelled sequences when there were some, and nothing for a run without either', () => {
    const points = [
      { t: 0, cancelledSequences: 0 },
      { t: 1_000, cancelledSequences: 3 },
    ];
    expect(workloadSeries(points, 0)).toEqual([
      { component: 'workers', gauge: 'cancelled_sequences', unit: 'sequences', points: [[1, 3]] },
    ]);
    expect(workloadNotes(points)).toEqual([
      'cancelled by their clients: 3 sequences, dropped by the workers before their end',
    ]);
    expect(workloadSeries([{ t: 0 }, { t: 1 }], 0)).toEqual([]);
    expect(workloadNotes([{ t: 0 }])).toEqual([]);
  });
});
