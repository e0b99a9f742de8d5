import { describe, expect, it } from 'vitest';
import { pointsOf } from './prometheus-series.js';
import { serverQueries, withSelector } from './server-queries.js';

describe('server queries', () => {
  it('puts the run selector into every matcher', () => {
    expect(withSelector('sum(a{sel}) or sum(b{sel})', 'gauntlet_run="r1"')).toBe(
      'sum(a{gauntlet_run="r1"}) or sum(b{gauntlet_run="r1"})',
    );
    expect(withSelector('count(up{role="worker",sel} == 1)', 'gauntlet_run="r1"')).toBe(
      'count(up{role="worker",gauntlet_run="r1"} == 1)',
    );
    expect(withSelector('count(up{role="worker",sel} == 1)', '')).toBe('count(up{role="worker"} == 1)');
    for (const q of serverQueries) expect(withSelector(q.promql, 'x="y"')).not.toContain('sel');
  });

  it('stamps points in seconds after the time origin and drops NaN', () => {
    const body = {
      status: 'success',
      data: {
        resultType: 'matrix',
        result: [
          {
            values: [
              [1000, '3'],
              [1001, 'NaN'],
              [1002, '5'],
            ] as Array<[number, string]>,
          },
        ],
      },
    };
    expect(pointsOf(body, 999_500)).toEqual([
      [0.5, 3],
      [2.5, 5],
    ]);
  });
});
