import { describe, expect, it } from 'vitest';
import { hostOverloads, overloadDuring, overloadsInSeries } from './host-overload.js';

describe('host overloads', () => {
  it('turns over-bound scrapes into spans per service, merging adjacent ones', () => {
    const points = [
      { service: 'gateway', t: 1, maxDelayMs: 12 },
      { service: 'gateway', t: 2, maxDelayMs: 340 },
      { service: 'gateway', t: 3, maxDelayMs: 180 },
      { service: 'gateway', t: 4, maxDelayMs: 9 },
      { service: 'worker-a0', t: 1, maxDelayMs: 99 },
      { service: 'worker-a0', t: 2, maxDelayMs: 101 },
    ];
    expect(hostOverloads(points, 1)).toEqual([
      // Each scrape reports the largest delay since the previous one: the span starts there.
      { service: 'gateway', fromS: 1, toS: 3, maxDelayMs: 340 },
      { service: 'worker-a0', fromS: 1, toS: 2, maxDelayMs: 101 },
    ]);
  });

  it('names the services and the worst delay for a span they overlap, and nothing for one they do not', () => {
    const overloads = [
      { service: 'gateway', fromS: 1, toS: 3, maxDelayMs: 340 },
      { service: 'batcher-1', fromS: 2, toS: 4, maxDelayMs: 120 },
    ];
    expect(overloadDuring(overloads, { fromS: 0, toS: 10 })).toBe(
      "the stack's host was overloaded: event-loop delay of gateway, batcher-1 up to 340 ms (bound 100 ms) at 1-3 s; latency then is the host's CPU, not the stack's",
    );
    expect(overloadDuring(overloads, { fromS: 4, toS: 10 })).toBeNull();
  });

  it("reads the run's event_loop_delay_max series and ignores other gauges", () => {
    const series = [
      { component: 'gateway', gauge: 'event_loop_delay_max', points: [[5, 400] as const] },
      { component: 'batchers', gauge: 'queue_depth', points: [[5, 400] as const] },
    ];
    expect(overloadsInSeries(series, 1)).toEqual([{ service: 'gateway', fromS: 4, toS: 5, maxDelayMs: 400 }]);
  });
});
