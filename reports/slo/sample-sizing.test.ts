import { describe, expect, it } from 'vitest';
import { wilsonInterval } from '../stats/intervals.js';
import {
  durationNeeded,
  endpointShare,
  requestsNeeded,
  requestsToShowErrorRate,
  samplesNeeded,
} from './sample-sizing.js';
import type { Slo } from './slo-schema.js';

const p99: Slo = { id: 'p99', metric: 'e2e', endpoint: 'infer', stat: 'p99', op: '<', threshold: 300 };
const ttft: Slo = { id: 'ttft', metric: 'ttft', op: '<', threshold: 300 };
const errors: Slo = { id: 'errors', metric: 'error_rate', op: '<', threshold: 0.001 };

describe('sample sizing', () => {
  it('needs 563 samples for a p99, 30 for a mean and the Wilson count of clean requests for an error rate', () => {
    expect(samplesNeeded(p99)).toBe(563);
    expect(samplesNeeded({ ...p99, stat: 'mean' })).toBe(30);
    expect(samplesNeeded(errors)).toBe(3838);
    expect(samplesNeeded({ ...errors, threshold: 0.01 })).toBe(381);
    // The boundary is exact: one request fewer cannot show it.
    expect(wilsonInterval(0, 3838)?.[1]).toBeLessThan(0.001);
    expect(wilsonInterval(0, 3837)?.[1]).toBeGreaterThanOrEqual(0.001);
    expect(samplesNeeded({ id: 'r', metric: 'achieved_rate', op: '>=', threshold: 0.99 })).toBeUndefined();
  });

  it('keeps the observed error fraction when it says how many requests would decide', () => {
    // 1 error in 1,000 (0.1 %) can never show < 0.1 %; 1 in 2,000 can, at ~10,000 and more.
    expect(requestsToShowErrorRate(1, 0.001, 1000)).toBeUndefined();
    const n = requestsToShowErrorRate(1, 0.001, 2000) ?? 0;
    expect(n).toBeGreaterThan(5000);
    expect(wilsonInterval(Math.round(n / 2000), n)?.[1]).toBeLessThan(0.001);
  });

  it("spreads the need over the SLO's share of the mix, with a margin for the random draw", () => {
    const mix = { infer: 0.5, chat_stream: 0.5 };
    expect(endpointShare(p99, mix)).toBe(0.5);
    expect(endpointShare(ttft, { infer: 1, chat_stream: 1, completions: 2 })).toBe(0.75);
    expect(endpointShare(errors, mix)).toBe(1);
    expect(requestsNeeded(p99, mix)).toBe(1196);
    expect(requestsNeeded(p99, { chat_stream: 1 })).toBe(Number.POSITIVE_INFINITY);
    // At 25 req/s the p99 drives: 48 s; an endpoint that is never sent asks for nothing.
    expect(durationNeeded([p99, { ...errors, threshold: 0.01 }], mix, 25)).toEqual({
      durationS: 48,
      drivenBy: { id: 'p99', requests: 1196 },
    });
    expect(durationNeeded([p99], { chat_stream: 1 }, 25).durationS).toBe(0);
  });
});
