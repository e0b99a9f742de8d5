import { describe, expect, it } from 'vitest';
import { hashString, lognormal, mixSeed, mulberry32 } from './prng.ts';

describe('prng', () => {
  it('mixes the same parts into the same seed and neighbouring parts into unrelated ones', () => {
    expect(mixSeed(1, 2, 3)).toBe(mixSeed(1, 2, 3));
    const seeds = new Set<number>();
    for (let i = 0; i < 10_000; i++) seeds.add(mixSeed(42, hashString('steady'), i));
    expect(seeds.size).toBe(10_000);
    expect(mixSeed(1, 2 ** 33)).not.toBe(mixSeed(1, 0));
  });

  it('draws uniformly in [0, 1)', () => {
    const uniform = mulberry32(7);
    let sum = 0;
    let min = 1;
    let max = 0;
    for (let i = 0; i < 20_000; i++) {
      const u = uniform();
      sum += u;
      min = Math.min(min, u);
      max = Math.max(max, u);
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect(sum / 20_000).toBeCloseTo(0.5, 2);
  });

  it('draws lognormal values with the requested mean and standard deviation', () => {
    const uniform = mulberry32(11);
    const draws = Array.from({ length: 50_000 }, () => lognormal(uniform, 256, 64));
    const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
    const sd = Math.sqrt(draws.reduce((a, b) => a + (b - mean) ** 2, 0) / draws.length);
    expect(Math.abs(mean - 256) / 256).toBeLessThan(0.01);
    expect(Math.abs(sd - 64) / 64).toBeLessThan(0.03);
    expect(Math.min(...draws)).toBeGreaterThan(0);
    expect(lognormal(uniform, 100, 0)).toBe(100);
  });
});
