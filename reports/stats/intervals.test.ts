import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../core/random/prng.js';
import { minSamplesForQuantile, quantileCiRanks, quantileWithCi, wilsonInterval } from './intervals.js';
import { createLatencyHistogram, recordMs } from './latency-histogram.js';
import { RankedHistogram } from './ranked-histogram.js';

describe('percentile confidence intervals by order statistics', () => {
  it('needs enough samples for both ranks to exist', () => {
    const need99 = minSamplesForQuantile(0.99);
    expect(quantileCiRanks(need99, 0.99)).toBeDefined();
    expect(quantileCiRanks(need99 - 1, 0.99)).toBeUndefined();
    expect(need99).toBeGreaterThan(500);
    expect(need99).toBeLessThan(1000);
    expect(minSamplesForQuantile(0.999)).toBeGreaterThan(5000);
    expect(minSamplesForQuantile(0.5)).toBeLessThan(15);
  });

  it('covers the true quantile about 95 % of the time', () => {
    // Uniform(0, 1000) ms: the true p90 is 900 ms. 300 trials of 1000 samples.
    const random = mulberry32(42);
    let covered = 0;
    const trials = 300;
    for (let t = 0; t < trials; t++) {
      const h = createLatencyHistogram();
      for (let i = 0; i < 1000; i++) recordMs(h, random() * 1000);
      const { ci } = quantileWithCi(new RankedHistogram(h), 0.9);
      if (ci && ci[0] <= 900 && 900 <= ci[1]) covered++;
    }
    expect(covered / trials).toBeGreaterThan(0.91);
    expect(covered / trials).toBeLessThan(0.995);
  });

  it('reads values by rank from the histogram', () => {
    const h = createLatencyHistogram();
    for (let i = 1; i <= 100; i++) recordMs(h, i);
    const ranked = new RankedHistogram(h);
    expect(ranked.n).toBe(100);
    expect(ranked.valueAtRank(1)).toBeCloseTo(1, 2);
    expect(ranked.quantile(0.99)).toBeCloseTo(99, 1);
    expect(ranked.valueAtRank(500)).toBeCloseTo(100, 1);
    expect(ranked.meanMs).toBeCloseTo(h.mean / 1000, 9);
    expect(ranked.stdDevMs).toBeCloseTo(h.stdDeviation / 1000, 6);
  });
});

describe('wilsonInterval', () => {
  it('gives an upper bound even with no failures, and narrows with n', () => {
    const small = wilsonInterval(0, 1000);
    const large = wilsonInterval(0, 100_000);
    expect(small?.[0]).toBe(0);
    expect(small?.[1]).toBeGreaterThan(0.003);
    expect(large?.[1]).toBeLessThan(0.0001);
    const mid = wilsonInterval(50, 1000);
    expect(mid?.[0]).toBeLessThan(0.05);
    expect(mid?.[1]).toBeGreaterThan(0.05);
    expect(wilsonInterval(0, 0)).toBeNull();
  });
});
