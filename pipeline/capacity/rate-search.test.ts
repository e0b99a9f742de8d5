import { describe, expect, it } from 'vitest';
import { bracketOf, type RateSearchOptions, searchMaxRate, type TrialVerdict } from './rate-search.js';

/** A synthetic stack: passes below `capacity`, inconclusive within `band` above it, fails beyond. */
function synthetic(capacity: number, band = 0) {
  const tried: number[] = [];
  const trial = async (rate: number) => {
    tried.push(rate);
    const verdict: TrialVerdict =
      rate <= capacity ? 'pass' : rate <= capacity + band ? 'inconclusive' : 'fail';
    return { verdict, detail: rate };
  };
  return { tried, trial };
}

const base = (trial: RateSearchOptions<number>['trial']): RateSearchOptions<number> => ({
  startRate: 20,
  resolution: (r) => Math.max(1, r * 0.05),
  growth: 1.5,
  shrink: 0.7,
  minRate: 1,
  maxRate: 2000,
  maxTrials: 20,
  trial,
});

describe('searchMaxRate', () => {
  it('finds the capacity from below: a pass at R and a non-pass within the resolution above it', async () => {
    const { trial } = synthetic(137);
    const out = await searchMaxRate(base(trial));
    expect(out.converged).toBe(true);
    expect(out.maxRate).not.toBeNull();
    expect(out.maxRate).toBeLessThanOrEqual(137);
    expect(out.nextRate).toBeGreaterThan(137);
    expect(out.resolution).toBe((out.nextRate ?? 0) - (out.maxRate ?? 0));
    expect(out.resolution).toBeLessThanOrEqual(Math.max(1, (out.maxRate ?? 0) * 0.05));
    // Both ends of the answer are trials of their own.
    expect(out.trials.find((t) => t.rate === out.maxRate)?.verdict).toBe('pass');
    expect(out.trials.find((t) => t.rate === out.nextRate)?.verdict).not.toBe('pass');
  });

  it('finds it from above when the first rate is already too high', async () => {
    const { trial, tried } = synthetic(9);
    const out = await searchMaxRate({ ...base(trial), startRate: 100 });
    expect(tried[0]).toBe(100);
    expect(out.maxRate).toBe(9);
    expect(out.nextRate).toBe(10);
    expect(out.converged).toBe(true);
  });

  it('counts inconclusive as not passing', async () => {
    const { trial } = synthetic(50, 30);
    const out = await searchMaxRate(base(trial));
    expect(out.maxRate).toBeLessThanOrEqual(50);
    expect(out.nextRate).toBeGreaterThan(50);
    expect(out.trials.find((t) => t.rate === out.nextRate)?.verdict).toBe('inconclusive');
  });

  it('says so when every rate passed up to the ceiling (a lower bound, not a capacity)', async () => {
    const { trial } = synthetic(10_000);
    const out = await searchMaxRate({ ...base(trial), maxRate: 300 });
    expect(out.maxRate).toBe(300);
    expect(out.nextRate).toBeNull();
    expect(out.converged).toBe(false);
    expect(out.stoppedBecause).toMatch(/ceiling \(300 req\/s\) passed/);
  });

  it('says so when nothing passed down to the floor', async () => {
    const { trial } = synthetic(0);
    const out = await searchMaxRate({ ...base(trial), minRate: 2 });
    expect(out.maxRate).toBeNull();
    expect(out.nextRate).toBe(2);
    expect(out.converged).toBe(false);
    expect(out.stoppedBecause).toMatch(/floor \(2 req\/s\)/);
  });

  it('stops at the trial limit and at an unrunnable trial, keeping the bracket it has', async () => {
    const { trial } = synthetic(137);
    const limited = await searchMaxRate({ ...base(trial), maxTrials: 4 });
    expect(limited.trials).toHaveLength(4);
    expect(limited.converged).toBe(false);
    expect(limited.stoppedBecause).toMatch(/most trials allowed \(4\)/);
    let runs = 0;
    const budgeted = await searchMaxRate({
      ...base(async (rate) => (++runs > 3 ? undefined : trial(rate))),
    });
    expect(budgeted.trials).toHaveLength(3);
    expect(budgeted.stoppedBecause).toMatch(/could not be run/);
  });

  it('never puts the answer above a non-pass, even when a noisy trial passes higher', () => {
    const b = bracketOf([
      { rate: 100, verdict: 'pass' },
      { rate: 150, verdict: 'fail' },
      { rate: 125, verdict: 'inconclusive' },
      { rate: 140, verdict: 'pass' },
      { rate: 110, verdict: 'pass' },
    ]);
    expect(b).toEqual({ pass: 110, nonPass: 125 });
  });

  it('rejects options that cannot search', async () => {
    const { trial } = synthetic(10);
    await expect(searchMaxRate({ ...base(trial), growth: 1 })).rejects.toThrow(/growth must be > 1/);
    await expect(searchMaxRate({ ...base(trial), minRate: 0 })).rejects.toThrow(/minRate/);
  });
});
