import { describe, expect, it } from 'vitest';
import type { MeasuredRequest } from './measured-request.js';
import { stalledRequests, waitOf } from './stalled-requests.js';

const r = (id: string, t0: number, e2e: number, over: Partial<MeasuredRequest> = {}): MeasuredRequest => ({
  id,
  t0,
  e2e,
  ok: true,
  st: 200,
  ...over,
});

describe('stalledRequests', () => {
  it('counts answered requests that ended after the injection and waited past the limit, slowest first', () => {
    const requests = [
      r('old-slow', 1_000, 5_000), // ended at 6 s, before the injection at 10 s
      r('in-flight', 9_000, 4_000), // in flight at the injection, 4 s
      r('fast', 11_000, 200),
      r('swallowed', 20_000, 10_100), // sent after a rollback, answered by the first-token timeout
      r('failed', 21_000, 60_000, { ok: false, err: 'timeout', st: 0 }), // failures are counted elsewhere
      r('long-stream', 22_000, 8_000, { ttft: 120 }), // a long answer that started at once
      r('late-stream', 23_000, 10_500, { ttft: 10_300 }),
    ];
    expect(stalledRequests(requests, 10_000, 3_000)).toEqual({
      count: 3,
      shown: [
        { id: 'late-stream', waitMs: 10_300 },
        { id: 'swallowed', waitMs: 10_100 },
        { id: 'in-flight', waitMs: 4_000 },
      ],
    });
  });

  it('waits are time to first token for streams, the whole request otherwise', () => {
    expect(waitOf(r('a', 0, 900, { ttft: 40 }))).toBe(40);
    expect(waitOf(r('b', 0, 900))).toBe(900);
  });
});
