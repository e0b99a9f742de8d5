import { describe, expect, it } from 'vitest';
import { buildCapacityModel, fitPowerLaw, predictRate } from './capacity-model.js';

const point = (nodes: number, maxRate: number) => ({
  name: `nodes=${nodes}`,
  nodes,
  gpus: 2 * nodes,
  maxRate,
});

describe('capacity model', () => {
  it('recovers a power law from exact points', () => {
    const law = fitPowerLaw([point(1, 100), point(2, 180), point(4, 324)]);
    expect(law.b).toBeCloseTo(Math.log2(1.8), 6);
    expect(predictRate(law, 16)).toBeCloseTo(324 * 1.8, 3);
  });

  it('assumes linear scaling with one size, and says it cannot validate', () => {
    const model = buildCapacityModel([point(1, 120)]);
    expect(model?.b).toBe(1);
    expect(model?.validation).toBeNull();
    expect(model?.note).toMatch(/not a measurement.*linear scaling.*not validated/);
    expect(model?.predictions.find((p) => p.nodes === 4)?.predictedMaxRate).toBe(480);
    expect(model?.predictions.some((p) => p.nodes === 1)).toBe(false);
  });

  it('validates on the largest topology held out: predicted vs measured, error stated', () => {
    // Two nodes give 1.6x one node (sub-linear); the held-out fit on nodes=1 alone assumes 2x.
    const model = buildCapacityModel([point(1, 100), point(2, 160)]);
    expect(model?.validation).toEqual({
      heldOut: 'nodes=2',
      fittedOn: ['nodes=1'],
      predicted: 200,
      measured: 160,
      errorPct: 25,
    });
    expect(model?.note).toMatch(/held-out check on nodes=2: predicted 200 req\/s.*measured 160.*error 25 %/);
    // The full fit goes through both points.
    expect(predictRate(model ?? { a: 0, b: 0 }, 8)).toBeCloseTo(256, 6);
  });

  it('has no model without a measured point', () => {
    expect(buildCapacityModel([])).toBeNull();
    expect(() => fitPowerLaw([])).toThrow(/no measured point/);
  });
});
