import { describe, expect, it } from 'vitest';
import { capacityHeadline, latencyKnee, scalingEfficiencies, sloPhrase } from './capacity-figures.js';
import { buildCapacityModel } from './capacity-model.js';
import { exampleTopology, exampleTrial } from './testing/example-capacity.js';

const slos = [
  { metric: 'e2e', endpoint: 'infer', stat: 'p99', op: '<', threshold: 300 },
  { metric: 'ttft', endpoint: 'chat_stream', stat: 'p99', op: '<', threshold: 300 },
  { metric: 'error_rate', op: '<', threshold: 0.01 },
] as const;

describe('capacity figures', () => {
  it('finds the knee where p99 passes twice its lightest-load value', () => {
    const trials = [40, 80, 120, 140].map((r, i) => exampleTrial(r, [100, 110, 150, 260][i] ?? 0));
    expect(latencyKnee(trials)).toEqual({
      rate: 140,
      reason: 'p99 e2e 260 ms at 140 req/s, over 2x its 100 ms at 40 req/s',
    });
    expect(latencyKnee(trials.slice(0, 3)).rate).toBeNull();
    expect(latencyKnee(trials.slice(0, 3)).reason).toMatch(/stayed within 2x .* up to 120 req\/s/);
    expect(latencyKnee(trials.slice(0, 1)).reason).toMatch(/fewer than two/);
  });

  it('scales efficiency per GPU against the smallest conclusive topology', () => {
    const effs = scalingEfficiencies([
      { gpus: 2, maxRate: 100, conclusive: true },
      { gpus: 4, maxRate: 180, conclusive: true },
      { gpus: 8, maxRate: 300, conclusive: false },
    ]);
    expect(effs).toEqual([1, 0.9, null]);
  });

  it('says the SLOs in few words', () => {
    expect(sloPhrase(slos)).toBe('p99 < 300 ms');
    expect(sloPhrase([slos[0], { ...slos[1], threshold: 200 }])).toBe(
      'infer p99 e2e < 300 ms, chat_stream p99 ttft < 200 ms',
    );
  });

  it('writes the headline from a measurement, else from the model, else says it cannot', () => {
    const topologies = [exampleTopology(1, 100), exampleTopology(2, 170)];
    const model = buildCapacityModel(
      topologies.map((t) => ({ name: t.name, nodes: t.nodes, gpus: t.gpus, maxRate: t.maxRate ?? 0 })),
    );
    const measured = capacityHeadline(150, slos, topologies, model);
    expect(measured.source).toBe('measured');
    expect(measured.sentence).toMatch(/^for 150 req\/s at p99 < 300 ms: 2 nodes \(headroom 11\.8 %/);
    const modelled = capacityHeadline(400, slos, topologies, model);
    expect(modelled.source).toBe('model');
    expect(modelled.sentence).toMatch(/by the model, not measured/);
    expect(modelled.nodes).toBeGreaterThan(2);
    const none = capacityHeadline(400, slos, [], null);
    expect(none.source).toBe('none');
    expect(none.nodes).toBeNull();
  });
});
