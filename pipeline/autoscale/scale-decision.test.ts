import { describe, expect, it } from 'vitest';
import { recommendedReplicas, ScaleDecider, type ScalePolicy } from './scale-decision.js';

const policy: ScalePolicy = { min: 1, max: 4, target: 8, scaleInAfterMs: 10_000 };

describe('recommendedReplicas', () => {
  it("follows HPA's ceil(current x observed / target) within [min, max], with a 10 % tolerance", () => {
    expect(recommendedReplicas(1, 20, policy)).toBe(3);
    expect(recommendedReplicas(2, 40, policy)).toBe(4);
    expect(recommendedReplicas(2, 8.5, policy)).toBe(2);
    expect(recommendedReplicas(3, 0, policy)).toBe(1);
    expect(recommendedReplicas(3, 4, policy)).toBe(2);
  });
});

describe('ScaleDecider', () => {
  it('scales out at once and in only after the window held a lower recommendation throughout', () => {
    const decider = new ScaleDecider(policy);
    expect(decider.decide(0, 1, 0)).toBe(1);
    expect(decider.decide(1_000, 1, 30)).toBe(4);
    // The queue drained: the recommendation drops to 1, but the window still remembers 4.
    let t = 2_000;
    for (; t <= 11_000; t += 1_000) expect(decider.decide(t, 4, 0), `at ${t}`).toBe(4);
    expect(decider.decide(12_000, 4, 0)).toBe(1);
  });

  it('scales in only as far as the highest recommendation of the window', () => {
    const decider = new ScaleDecider(policy);
    decider.decide(0, 4, 8);
    decider.decide(5_000, 4, 4);
    expect(decider.decide(10_500, 4, 0)).toBe(2);
  });
});
