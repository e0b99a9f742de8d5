import { describe, expect, it } from 'vitest';
import { CapacityBudget } from './capacity-budget.js';

describe('CapacityBudget', () => {
  it('splits what is left over the topologies and admits a run only when its cost fits', () => {
    let nowMs = 0;
    const budget = new CapacityBudget(300, { initialOverheadS: 10, now: () => nowMs });
    expect(budget.startTopology(2)).toBe(150);
    expect(budget.fits(140)).toBe(true); // 140 + 10 overhead
    expect(budget.fits(141)).toBe(false);
    nowMs = 100_000;
    // A run of 60 s of load took 100 s: the overhead estimate moves towards 40 s.
    budget.record(60, 100);
    expect(budget.costS(10)).toBe(10 + 25);
    expect(budget.topologyLeftS).toBe(50);
    // The second topology gets everything that is left, even what the first did not use.
    nowMs = 120_000;
    expect(budget.startTopology(1)).toBe(180);
    expect(budget.leftS).toBe(180);
  });
});
