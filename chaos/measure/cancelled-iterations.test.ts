import { describe, expect, it } from 'vitest';
import { cancelledIterations } from './cancelled-iterations.js';
import type { MeasuredRequest } from './measured-request.js';

const r = (id: string, t0: number): MeasuredRequest => ({ id, t0, e2e: 100, ok: true, st: 200 });

describe('cancelledIterations', () => {
  it('returns each iteration missing below the highest recorded one as a lost request', () => {
    const requests = [
      r('g1-steady-0-v1', 1_000),
      r('g1-steady-1-v2', 1_050),
      r('g1-steady-3-v1', 1_150),
      r('g1-warmup-0-v3', 500),
    ];
    expect(cancelledIterations(requests, 9_000)).toEqual([
      { id: 'g1-steady-2-cancelled', t0: 1_050, e2e: 7_950, ok: false, err: 'timeout', st: 0 },
    ]);
  });

  it('finds nothing when every iteration has a sample, and ignores foreign ids', () => {
    expect(cancelledIterations([r('g1-steady-0-v1', 1), r('g1-steady-1-v1', 2), r('x', 3)], 10)).toEqual([]);
  });
});
