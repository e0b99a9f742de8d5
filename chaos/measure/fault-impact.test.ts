import { describe, expect, it } from 'vitest';
import { faultImpact, indexById, unsampledIds } from './fault-impact.js';
import type { MeasuredRequest } from './measured-request.js';

const at = 10_000;
const r = (
  id: string,
  t0: number,
  e2e: number,
  ok: boolean,
  err?: string,
  st = ok ? 200 : 0,
): MeasuredRequest => ({
  id,
  t0,
  e2e,
  ok,
  st,
  ...(err ? { err } : {}),
});

describe('faultImpact', () => {
  const requests = [
    r('before-ok', 9_000, 200, true),
    r('before-failed', 9_000, 200, false, 'connection'), // ended at 9.2 s: before the fault
    r('cut', 9_900, 400, false, 'stream_cut', 200), // sent before, cut after the injection
    r('s1', 10_100, 100, false, 'server_error', 502),
    r('s2', 10_200, 100, false, 'server_error', 502),
    r('lost', 10_300, 5_000, false, 'timeout'),
    r('dup', 10_400, 200, true),
    r('dup', 10_400, 250, true),
    r('late', 19_000, 2_000, false, 'server_error', 500), // sent in the window, ends at 21 s after it
    r('hang', 15_000, 60_000, false, 'timeout'), // sent in the window, timed out a minute later
    r('after', 20_500, 200, false, 'server_error', 500), // sent after the window: not the fault's
  ];

  it('counts failures by kind among requests that overlapped the window, cut streams and late ends included', () => {
    const impact = faultImpact(requests, at, 20_000);
    expect(impact.failedByKind).toEqual({ stream_cut: 1, server_error: 3, timeout: 2 });
    expect(impact.failed).toBe(6);
    expect(impact.streamsCut).toBe(1);
    expect(impact.requests).toBe(8);
  });

  it('finds lost ids (never answered) and duplicated ids (answered twice)', () => {
    const impact = faultImpact(requests, at, 20_000);
    expect(impact).toMatchObject({
      lost: 2,
      lostIds: ['lost', 'hang'],
      duplicated: 1,
      duplicatedIds: ['dup'],
    });
  });

  it('a timed-out id that was answered by a retry is not lost', () => {
    const retried = [r('x', 10_000, 3_000, false, 'timeout'), r('x', 13_000, 200, true)];
    expect(faultImpact(retried, at, 20_000).lost).toBe(0);
  });

  it('ids reported sent without any sample', () => {
    expect(unsampledIds(['before-ok', 'ghost'], indexById(requests))).toEqual(['ghost']);
  });
});
